// Command e2e-etcd runs a single-member etcd (go.etcd.io/etcd/server/v3/embed)
// on loopback for the e2e control plane. It is built into the e2e binary cache
// by the cluster package and is not meant for any other use.
package main

import (
	"flag"
	"fmt"
	"net/url"
	"os"
	"os/signal"
	"syscall"
	"time"

	"go.etcd.io/etcd/server/v3/embed"
)

func main() {
	dataDir := flag.String("data-dir", "", "etcd data directory (required)")
	clientURL := flag.String("client-url", "http://127.0.0.1:2379", "client URL to listen on and advertise")
	peerURL := flag.String("peer-url", "http://127.0.0.1:2380", "peer URL to listen on and advertise")
	logLevel := flag.String("log-level", "warn", "etcd log level")
	flag.Parse()
	if *dataDir == "" {
		fmt.Fprintln(os.Stderr, "e2e-etcd: --data-dir is required")
		os.Exit(2)
	}
	cu, err := url.Parse(*clientURL)
	if err != nil {
		fail(err)
	}
	pu, err := url.Parse(*peerURL)
	if err != nil {
		fail(err)
	}

	cfg := embed.NewConfig()
	cfg.Name = "e2e"
	cfg.Dir = *dataDir
	cfg.ListenClientUrls = []url.URL{*cu}
	cfg.AdvertiseClientUrls = []url.URL{*cu}
	cfg.ListenPeerUrls = []url.URL{*pu}
	cfg.AdvertisePeerUrls = []url.URL{*pu}
	cfg.InitialCluster = cfg.Name + "=" + pu.String()
	cfg.LogLevel = *logLevel
	cfg.LogOutputs = []string{"stderr"}
	// A throw-away test store: durability is irrelevant, speed on a shared
	// 2-core machine is not.
	cfg.UnsafeNoFsync = true

	e, err := embed.StartEtcd(cfg)
	if err != nil {
		fail(err)
	}
	defer e.Close()

	select {
	case <-e.Server.ReadyNotify():
		fmt.Fprintln(os.Stderr, "e2e-etcd: ready on", cu.String())
	case <-time.After(60 * time.Second):
		e.Server.Stop()
		fail(fmt.Errorf("not ready after 60s"))
	}

	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGINT, syscall.SIGTERM)
	select {
	case s := <-sig:
		fmt.Fprintln(os.Stderr, "e2e-etcd: stopping on", s)
	case err := <-e.Err():
		fail(err)
	}
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "e2e-etcd:", err)
	os.Exit(1)
}

// Command fileserver serves a directory over HTTP on a loopback port, so that
// hack/dist-test.sh can let validate-krew-manifest download the snapshot
// archives as krew downloads released ones. It writes the base URL to the
// file named by -url-file and serves until it is killed or -timeout passes.
package main

import (
	"flag"
	"fmt"
	"log"
	"net"
	"net/http"
	"os"
	"time"
)

func main() {
	dir := flag.String("dir", ".", "directory to serve")
	urlFile := flag.String("url-file", "", "write the base URL (http://127.0.0.1:PORT) to this file")
	timeout := flag.Duration("timeout", 30*time.Minute, "exit after this long")
	flag.Parse()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		log.Fatal(err)
	}
	url := fmt.Sprintf("http://%s", ln.Addr())
	if *urlFile != "" {
		if err := os.WriteFile(*urlFile+".tmp", []byte(url+"\n"), 0o644); err != nil {
			log.Fatal(err)
		}
		if err := os.Rename(*urlFile+".tmp", *urlFile); err != nil {
			log.Fatal(err)
		}
	}
	time.AfterFunc(*timeout, func() { os.Exit(0) })
	srv := &http.Server{Handler: http.FileServer(http.Dir(*dir)), ReadHeaderTimeout: 10 * time.Second}
	log.Fatal(srv.Serve(ln))
}

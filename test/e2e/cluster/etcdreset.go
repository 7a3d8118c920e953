package cluster

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"
)

// registryPrefix is where kube-apiserver keeps every object in etcd.
const registryPrefix = "/registry/"

// volatilePrefixes hold keys the control plane rewrites on its own (leases
// renewed every few seconds, events): a reset neither deletes nor restores them.
var volatilePrefixes = []string{
	registryPrefix + "leases/",
	registryPrefix + "events/",
	registryPrefix + "events.k8s.io/",
	registryPrefix + "masterleases/",
}

func volatile(key string) bool {
	for _, p := range volatilePrefixes {
		if strings.HasPrefix(key, p) {
			return true
		}
	}
	return false
}

// EtcdSnapshot is the content of the apiserver's part of etcd at one moment,
// to come back to with Reset. Going through etcd rather than the API deletes
// in milliseconds what the API would delete slowly (namespace finalization,
// CRD teardown) or not at all (objects the API would keep for their
// finalizers); the apiserver's watch cache follows etcd, and consistent lists
// wait until it has caught up with etcd's latest revision.
type EtcdSnapshot struct {
	cli *clientv3.Client
	kvs map[string]kv
}

type kv struct {
	value       []byte
	modRevision int64
}

// SnapshotEtcd records every key under /registry/ (volatile keys aside). The
// caller must Close the snapshot.
func (c *Cluster) SnapshotEtcd(ctx context.Context) (*EtcdSnapshot, error) {
	cli, err := clientv3.New(clientv3.Config{
		Endpoints:   []string{c.EtcdURL},
		DialTimeout: 10 * time.Second,
		Logger:      nil,
	})
	if err != nil {
		return nil, fmt.Errorf("etcd client for %s: %w", c.EtcdURL, err)
	}
	resp, err := cli.Get(ctx, registryPrefix, clientv3.WithPrefix())
	if err != nil {
		_ = cli.Close()
		return nil, fmt.Errorf("reading %s from etcd: %w", registryPrefix, err)
	}
	s := &EtcdSnapshot{cli: cli, kvs: make(map[string]kv, len(resp.Kvs))}
	for _, k := range resp.Kvs {
		if !volatile(string(k.Key)) {
			s.kvs[string(k.Key)] = kv{value: k.Value, modRevision: k.ModRevision}
		}
	}
	return s, nil
}

// Keys is the number of keys recorded.
func (s *EtcdSnapshot) Keys() int { return len(s.kvs) }

// Reset brings etcd back to the snapshot: keys created since are deleted, keys
// changed since get their recorded value again (their modRevision then moves
// on, and the next Reset compares values). It returns the number of keys
// deleted and restored.
func (s *EtcdSnapshot) Reset(ctx context.Context) (deleted, restored int, err error) {
	resp, err := s.cli.Get(ctx, registryPrefix, clientv3.WithPrefix())
	if err != nil {
		return 0, 0, fmt.Errorf("reading %s from etcd: %w", registryPrefix, err)
	}
	seen := make(map[string]bool, len(resp.Kvs))
	for _, k := range resp.Kvs {
		key := string(k.Key)
		if volatile(key) {
			continue
		}
		seen[key] = true
		old, ok := s.kvs[key]
		switch {
		case !ok:
			if _, err := s.cli.Delete(ctx, key); err != nil {
				return deleted, restored, fmt.Errorf("deleting %s: %w", key, err)
			}
			deleted++
		case old.modRevision != k.ModRevision && !bytes.Equal(old.value, k.Value):
			if _, err := s.cli.Put(ctx, key, string(old.value)); err != nil {
				return deleted, restored, fmt.Errorf("restoring %s: %w", key, err)
			}
			restored++
		}
	}
	// Keys deleted since the snapshot come back too.
	for key, old := range s.kvs {
		if !seen[key] {
			if _, err := s.cli.Put(ctx, key, string(old.value)); err != nil {
				return deleted, restored, fmt.Errorf("restoring %s: %w", key, err)
			}
			restored++
		}
	}
	return deleted, restored, nil
}

// Close closes the etcd client.
func (s *EtcdSnapshot) Close() error { return s.cli.Close() }

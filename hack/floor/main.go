// Command floor is the benchmark floor: the least a Go program must do to
// read a dump, decoding it with encoding/json into the typed k8s.io/api
// objects, as any client-go based tool would. hack/bench.sh compares
// kubectl-auth_paths against it.
//
//	go run ./hack/floor FILE
package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"

	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: floor FILE")
		os.Exit(2)
	}
	if err := run(os.Args[1]); err != nil {
		fmt.Fprintln(os.Stderr, "floor:", err)
		os.Exit(1)
	}
}

func run(file string) error {
	f, err := os.Open(file)
	if err != nil {
		return err
	}
	defer f.Close() //nolint:errcheck // read-only
	var list corev1.List
	if err := json.NewDecoder(bufio.NewReaderSize(f, 1<<20)).Decode(&list); err != nil {
		return err
	}
	objects := make([]any, 0, len(list.Items))
	counts := map[string]int{}
	for i, item := range list.Items {
		var tm metav1.TypeMeta
		if err := json.Unmarshal(item.Raw, &tm); err != nil {
			return fmt.Errorf("items[%d]: %w", i, err)
		}
		obj := newObject(tm.Kind)
		if err := json.Unmarshal(item.Raw, obj); err != nil {
			return fmt.Errorf("items[%d]: %w", i, err)
		}
		objects = append(objects, obj)
		counts[tm.Kind]++
	}
	fmt.Printf("%d objects, %d pods, %d rolebindings\n", len(objects), counts["Pod"], counts["RoleBinding"])
	return nil
}

func newObject(kind string) any {
	switch kind {
	case "Pod":
		return &corev1.Pod{}
	case "Node":
		return &corev1.Node{}
	case "Namespace":
		return &corev1.Namespace{}
	case "ServiceAccount":
		return &corev1.ServiceAccount{}
	case "Secret":
		return &corev1.Secret{}
	case "PersistentVolume":
		return &corev1.PersistentVolume{}
	case "PersistentVolumeClaim":
		return &corev1.PersistentVolumeClaim{}
	case "ReplicationController":
		return &corev1.ReplicationController{}
	case "Deployment":
		return &appsv1.Deployment{}
	case "ReplicaSet":
		return &appsv1.ReplicaSet{}
	case "StatefulSet":
		return &appsv1.StatefulSet{}
	case "DaemonSet":
		return &appsv1.DaemonSet{}
	case "Job":
		return &batchv1.Job{}
	case "CronJob":
		return &batchv1.CronJob{}
	case "ClusterRole":
		return &rbacv1.ClusterRole{}
	case "ClusterRoleBinding":
		return &rbacv1.ClusterRoleBinding{}
	case "Role":
		return &rbacv1.Role{}
	case "RoleBinding":
		return &rbacv1.RoleBinding{}
	}
	return &metav1.PartialObjectMetadata{}
}

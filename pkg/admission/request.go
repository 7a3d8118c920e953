package admission

import (
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

// Request is one write a step makes, as the apiserver's admission sees it.
type Request struct {
	// Object is the typed object (a *corev1.Pod…) with its TypeMeta set,
	// already defaulted as the apiserver would before validating admission.
	Object runtime.Object
	// Kind and Resource of the object; Namespace empty for cluster-scoped ones.
	Kind      schema.GroupVersionKind
	Resource  schema.GroupVersionResource
	Namespace string
	Name      string
	// NamespaceLabels, when set, replace the namespace's labels from the
	// input (a step that relabels the namespace first).
	NamespaceLabels map[string]string
	// User is who makes the request.
	User User
}

// User is the identity of a request (request.userInfo in CEL).
type User struct {
	Name   string
	Groups []string
}

// Operation of every request the steps make: they create objects.
const opCreate = "CREATE"

package admission

import (
	"strings"
	"sync"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/types"
	listersv1 "k8s.io/client-go/listers/core/v1"

	"github.com/auth-paths/kubectl-auth-paths/pkg/model"
)

// Evaluator holds an inventory's admission policies, compiled once.
type Evaluator struct {
	vaps         []*vapPolicy
	kyverno      []*kyvernoPolicy
	gatekeeper   []*gatekeeperConstraint
	namespaces   map[string]*model.Namespace
	paramObjects map[string][]*model.Object // by apiVersion/kind
	// unknown are engine policies of kinds this package does not evaluate.
	unknown []Finding
	// labelMemo holds each namespace's labels as the matcher reads them
	// (nsselect.go).
	labelMemo sync.Map
	// relevant holds, per namespace and request shape, the policies that
	// may apply there (vapshape.go).
	relevant sync.Map
	// readsUser: some policy may read the requester (ReadsUser).
	readsUser bool
}

// New compiles the admission policies of an inventory.
func New(inv *model.Inventory) *Evaluator {
	e := &Evaluator{namespaces: map[string]*model.Namespace{}, paramObjects: map[string][]*model.Object{}}
	for _, n := range inv.Namespaces {
		e.namespaces[n.Name] = n
	}
	for _, o := range inv.Others {
		if o.Content != nil {
			k := o.APIVersion + "/" + o.Kind
			e.paramObjects[k] = append(e.paramObjects[k], o)
		}
	}
	e.vaps = vapPolicies(inv)
	for _, p := range inv.EnginePolicies {
		e.addEnginePolicy(p)
	}
	e.readsUser = len(e.kyverno) > 0 || len(e.gatekeeper) > 0
	for _, vp := range e.vaps {
		for _, x := range policyExpressions(&vp.policy.Spec) {
			e.readsUser = e.readsUser || readsUser(x)
		}
	}
	return e
}

// ReadsUser reports whether some policy may read who makes a request: a
// ValidatingAdmissionPolicy expression that reads request.userInfo (or the
// whole request), or any Kyverno or Gatekeeper policy (their match and
// rules may name subjects). Otherwise a verdict is the same whoever asks.
func (e *Evaluator) ReadsUser() bool { return e != nil && e.readsUser }

// Empty reports whether there is no policy at all to ask.
func (e *Evaluator) Empty() bool {
	return e == nil || (len(e.vaps) == 0 && len(e.kyverno) == 0 && len(e.gatekeeper) == 0 && len(e.unknown) == 0)
}

// Admit asks every policy about the request.
func (e *Evaluator) Admit(req Request) Verdict {
	var v Verdict
	if e.Empty() {
		return v
	}
	e.evalVAPs(req, &v)
	e.evalKyverno(req, &v)
	e.evalGatekeeper(req, &v)
	v.NotEvaluated = append(v.NotEvaluated, e.unknown...)
	v.sort()
	return v
}

// namespaceObject is the request's namespace as the apiserver holds it: the
// input's, or one with only the name label the apiserver sets on every
// namespace (kubernetes.io/metadata.name) when the input lacks it.
func (e *Evaluator) namespaceObject(req Request) *corev1.Namespace {
	if req.Namespace == "" {
		return nil
	}
	return e.namespace(req.Namespace, req)
}

func (e *Evaluator) namespace(name string, req Request) *corev1.Namespace {
	ns := &corev1.Namespace{TypeMeta: metav1.TypeMeta{APIVersion: "v1", Kind: "Namespace"}, ObjectMeta: metav1.ObjectMeta{Name: name}}
	src := map[string]string(nil)
	if n := e.namespaces[name]; n != nil {
		ns.ObjectMeta = objectMeta(n.Meta)
		ns.Namespace = ""
		src = n.Labels
	}
	if name == req.Namespace && req.NamespaceLabels != nil {
		src = req.NamespaceLabels
	}
	ns.Labels = map[string]string{}
	for k, v := range src {
		ns.Labels[k] = v
	}
	ns.Labels[corev1.LabelMetadataName] = name
	return ns
}

func (e *Evaluator) namespaceLabels(req Request) map[string]string {
	if ns := e.namespaceObject(req); ns != nil {
		return ns.Labels
	}
	return nil
}

// nsLister serves the matcher's namespaceSelector lookups.
func (e *Evaluator) nsLister(req Request) listersv1.NamespaceLister {
	return nsLister{e: e, req: req}
}

type nsLister struct {
	e   *Evaluator
	req Request
}

func (l nsLister) List(sel labels.Selector) ([]*corev1.Namespace, error) {
	var out []*corev1.Namespace
	for name := range l.e.namespaces {
		if ns := l.e.namespace(name, l.req); sel.Matches(labels.Set(ns.Labels)) {
			out = append(out, ns)
		}
	}
	return out, nil
}

func (l nsLister) Get(name string) (*corev1.Namespace, error) {
	if name == "" {
		return nil, apierrors.NewNotFound(corev1.Resource("namespaces"), name)
	}
	return l.e.namespace(name, l.req), nil
}

func typesUID(s string) types.UID { return types.UID(s) }

// usesAuthorizer: an expression that calls the authorizer asks the cluster's
// authorizers, which this offline evaluation does not.
func usesAuthorizer(exprs ...string) bool {
	for _, x := range exprs {
		if strings.Contains(x, "authorizer") {
			return true
		}
	}
	return false
}

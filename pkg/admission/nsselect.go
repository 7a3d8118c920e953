package admission

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apiserver/pkg/admission"
)

// The apiserver's matcher parses a policy's or binding's namespaceSelector
// and reads the namespace's labels at every request. The analysis asks
// about the pods of every ServiceAccount of every namespace, so with
// policies bound to a few namespaces each that was requests × bindings
// selector parses. nsSelector is a selector parsed once; a request it
// certainly leaves out (what the matcher decides first, with no error)
// skips the matcher.

type nsSelector struct {
	sel labels.Selector
	err error
	nil bool
}

func parseNSSelector(s *metav1.LabelSelector) nsSelector {
	if s == nil {
		return nsSelector{nil: true}
	}
	sel, err := metav1.LabelSelectorAsSelector(s)
	return nsSelector{sel: sel, err: err}
}

// excludes reports whether the matcher would find, without error, that the
// selector does not select the request's namespace: a namespaced request
// (not for a Namespace, whose labels come from the object), a selector that
// parses and is not empty, and a namespace whose labels it does not match.
// Otherwise (false) the matcher decides.
func (e *Evaluator) excludes(s nsSelector, attr admission.Attributes, req Request) bool {
	ns := attr.GetNamespace()
	if s.nil || s.err != nil || s.sel.Empty() || ns == "" || attr.GetResource().Resource == "namespaces" {
		return false
	}
	return !s.sel.Matches(e.nsLabels(ns, req))
}

// nsLabels returns the labels the matcher reads for a namespace (nsLister):
// memoised, but for a request that relabels its own namespace.
func (e *Evaluator) nsLabels(name string, req Request) labels.Set {
	if name == req.Namespace && req.NamespaceLabels != nil {
		return labels.Set(e.namespace(name, req).Labels)
	}
	if l, ok := e.labelMemo.Load(name); ok {
		return l.(labels.Set)
	}
	l := labels.Set(e.namespace(name, Request{}).Labels)
	e.labelMemo.Store(name, l)
	return l
}

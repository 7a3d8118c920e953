package rbac

import "sort"

// subjectRef is one binding naming a subject, with the namespace its rules apply in.
type subjectRef struct {
	br *boundRules
	ns string
}

// subjectIndex maps every canonical subject to the bindings that name it, in
// RulesFor's order: ClusterRoleBindings, then RoleBindings by namespace. A
// subject named twice in one binding is listed once. It is built on first use:
// without it RulesFor scans (and sorts) every binding for every subject.
func (e *Evaluator) subjectIndex() map[Subject][]subjectRef {
	e.shared.once.Do(func() {
		idx := map[Subject][]subjectRef{}
		add := func(br *boundRules, ns string) {
			for i, s := range br.subjects {
				dup := false
				for _, prev := range br.subjects[:i] {
					if prev == s {
						dup = true
						break
					}
				}
				if !dup {
					idx[s] = append(idx[s], subjectRef{br: br, ns: ns})
				}
			}
		}
		for i := range e.clusterBindings {
			add(&e.clusterBindings[i], "")
		}
		nss := make([]string, 0, len(e.nsBindings))
		for ns := range e.nsBindings {
			nss = append(nss, ns)
		}
		sort.Strings(nss)
		for _, ns := range nss {
			list := e.nsBindings[ns]
			for i := range list {
				add(&list[i], ns)
			}
		}
		e.shared.bySubject = idx
	})
	return e.shared.bySubject
}

package source

import (
	"bytes"
	"strings"
	"testing"
)

// fuzzSeeds are good and bad documents; they run as ordinary tests too.
var fuzzSeeds = []string{
	"",
	"# only a comment\n",
	"---\n---\n",
	"apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: a\n  namespace: ns\n",
	"apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata:\n  name: r\nrules:\n- apiGroups: ['*']\n  resources: ['*']\n  verbs: ['*']\n",
	"apiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata: {name: b, namespace: n}\nroleRef: {kind: Role, name: r}\nsubjects: [{kind: User, name: u}]\n",
	"apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: Secret\n  metadata: {name: s}\n  data: {k: dmFsdWU=}\n",
	`{"apiVersion":"rbac.authorization.k8s.io/v1","kind":"ClusterRoleList","items":[{"metadata":{"name":"x"},"rules":[]}]}`,
	`{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p"},"spec":{"containers":[{"image":"i","securityContext":{"privileged":true}}]}}{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"n"}}`,
	`[1,2,3]`,
	`{"apiVersion": "v1", "kind": `,
	"apiVersion: v1\nkind: Pod\nmetadata:\n  name: [unclosed\n",
	"- a\n- b\n",
	"just a scalar\n",
	"apiVersion: rbac.authorization.k8s.io/v9\nkind: ClusterRole\nmetadata: {name: x}\n",
	"apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\nspec:\n  template:\n    spec:\n      hostPID: true\n      volumes: [{hostPath: {path: /}}]\n",
	"\x00\x01\x02\xff\xfe",
	"\xef\xbb\xbfapiVersion: v1\nkind: Namespace\nmetadata: {name: bom}\n",
	"apiVersion: v1\nkind: List\nitems: [3, {kind: Role}]\n",
	"kind: ClusterRoleBinding\napiVersion: rbac.authorization.k8s.io/v1\nmetadata: {name: c}\nroleRef: {kind: Bogus, name: r}\n",
	"apiVersion: batch/v1\nkind: CronJob\nmetadata: {name: c}\nspec: {jobTemplate: {spec: {template: {spec: {serviceAccountName: s}}}}}\n",
	"a: &a [*a]\n",
	"metadata: {name: 1}\nkind: 7\napiVersion: true\n",
	"{\"apiVersion\": \"v1\", \"kind\": \"Namespace\", \"metadata\": {\"name\": \"a\"}}\n---\napiVersion: v1\nkind: Namespace\nmetadata: {name: b}\n",
	"{\"apiVersion\": \"v1\", \"kind\": \"Namespace\"}\n---\n{\n",
}

// FuzzDecode feeds arbitrary bytes to the decoder: it must return objects or
// an error that names the input, and never panic.
func FuzzDecode(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		d := newDecoder("ns")
		_, err := d.decodeStream("fuzz.yaml", bytes.NewReader(data))
		if err != nil {
			msg := err.Error()
			if !strings.HasPrefix(msg, "fuzz.yaml") {
				t.Fatalf("error does not name the file: %q", msg)
			}
			if strings.Contains(msg, "\n") {
				t.Fatalf("error is not one line: %q", msg)
			}
			return
		}
		inv := d.finish()
		if inv.Count() < 0 {
			t.Fatal("negative count")
		}
	})
}

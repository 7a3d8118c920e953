package source

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/auth-paths/kubectl-auth-paths/pkg/model"
)

// inputDir is testdata/input at the repository root.
var inputDir = filepath.Join("..", "..", "testdata", "input")

func in(parts ...string) string { return filepath.Join(append([]string{inputDir}, parts...)...) }

func load(t *testing.T, opts FileOptions) *model.Inventory {
	t.Helper()
	inv, err := LoadFiles(opts)
	if err != nil {
		t.Fatalf("LoadFiles(%v): %v", opts.Filenames, err)
	}
	return inv
}

func loadString(t *testing.T, name, content string) (*model.Inventory, error) {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return LoadFiles(FileOptions{Filenames: []string{p}})
}

func names[T any](list []*T, meta func(*T) model.Meta) []string {
	var out []string
	for _, x := range list {
		m := meta(x)
		if m.Namespace != "" {
			out = append(out, m.Namespace+"/"+m.Name)
		} else {
			out = append(out, m.Name)
		}
	}
	return out
}

func saNames(inv *model.Inventory) string {
	return strings.Join(names(inv.ServiceAccounts, func(s *model.ServiceAccount) model.Meta { return s.Meta }), ",")
}

func TestMultiDocumentYAMLWithCommentsAndEmptyDocuments(t *testing.T) {
	inv := load(t, FileOptions{Filenames: []string{in("good", "multi.yaml")}})
	if len(inv.ClusterRoles) != 1 || inv.ClusterRoles[0].Name != "pod-reader" || len(inv.ClusterRoles[0].Rules) != 1 {
		t.Errorf("ClusterRoles = %+v", inv.ClusterRoles)
	}
	if len(inv.RoleBindings) != 1 || inv.RoleBindings[0].Kind != model.KindRoleBinding {
		t.Fatalf("RoleBindings = %+v", inv.RoleBindings)
	}
	b := inv.RoleBindings[0]
	if b.Namespace != "default" || b.RoleRef.Name != "pod-reader" || len(b.Subjects) != 1 {
		t.Errorf("RoleBinding = %+v", b)
	}
	if got := saNames(inv); got != "default/app" {
		t.Errorf("ServiceAccounts = %s", got)
	}
	if inv.Skipped["ConfigMap"] != 1 || len(inv.Others) != 1 || inv.Others[0].Name != "settings" {
		t.Errorf("Skipped = %v, Others = %+v", inv.Skipped, inv.Others)
	}
	if inv.Count() != 3 {
		t.Errorf("Count() = %d, want 3", inv.Count())
	}
	// Documents are numbered from 1, skipping blank ones; lines are where they start.
	if src := inv.ClusterRoles[0].Source; src.Doc != 1 || src.Line != 6 || src.File != in("good", "multi.yaml") {
		t.Errorf("ClusterRole source = %+v, want document 1 at line 6", src)
	}
	if src := inv.RoleBindings[0].Source; src.Doc != 2 || src.Line != 15 {
		t.Errorf("RoleBinding source = %+v, want document 2 at line 15", src)
	}
}

func TestJSONSingleObject(t *testing.T) {
	inv := load(t, FileOptions{Filenames: []string{in("good", "single.json")}})
	if len(inv.ClusterRoleBindings) != 1 {
		t.Fatalf("ClusterRoleBindings = %+v", inv.ClusterRoleBindings)
	}
	b := inv.ClusterRoleBindings[0]
	if b.Kind != model.KindClusterRoleBinding || b.Namespace != "" || b.RoleRef.Name != "cluster-admin" || b.Subjects[0].Name != "admins" {
		t.Errorf("binding = %+v", b)
	}
	if b.Source.Doc != 1 || b.Source.Line != 1 {
		t.Errorf("source = %+v", b.Source)
	}
}

func TestJSONStream(t *testing.T) {
	inv := load(t, FileOptions{Filenames: []string{in("good", "stream.json")}})
	if len(inv.Namespaces) != 1 || len(inv.ServiceAccounts) != 1 || len(inv.Roles) != 1 {
		t.Fatalf("inventory = ns %d, sa %d, roles %d", len(inv.Namespaces), len(inv.ServiceAccounts), len(inv.Roles))
	}
	for _, c := range []struct {
		what      string
		src       model.Source
		doc, line int
	}{
		{"Namespace", inv.Namespaces[0].Source, 1, 1},
		{"ServiceAccount", inv.ServiceAccounts[0].Source, 2, 2},
		{"Role", inv.Roles[0].Source, 3, 4},
	} {
		if c.src.Doc != c.doc || c.src.Line != c.line {
			t.Errorf("%s source = %+v, want document %d line %d", c.what, c.src, c.doc, c.line)
		}
	}
}

func TestListsAsKubectlPrintsThem(t *testing.T) {
	inv := load(t, FileOptions{Filenames: []string{in("good", "list.yaml")}})
	if len(inv.ClusterRoles) != 1 || len(inv.ClusterRoleBindings) != 1 || len(inv.Workloads) != 1 {
		t.Fatalf("inventory = %d roles, %d bindings, %d workloads", len(inv.ClusterRoles), len(inv.ClusterRoleBindings), len(inv.Workloads))
	}
	w := inv.Workloads[0]
	if w.Kind != "Deployment" || w.Group != "apps" || w.Namespace != "shop" || w.Spec.ServiceAccountName != "web" {
		t.Errorf("workload = %+v", w)
	}
	if src := inv.ClusterRoleBindings[0].Source; src.Doc != 1 || src.Item != 2 {
		t.Errorf("item source = %+v, want document 1 item 2", src)
	}
}

func TestTypedListItemsWithoutKind(t *testing.T) {
	inv := load(t, FileOptions{Filenames: []string{in("good", "typed-list.json")}, DefaultNamespace: "fallback"})
	got := names(inv.RoleBindings, func(b *model.Binding) model.Meta { return b.Meta })
	if strings.Join(got, ",") != "fallback/b,ns1/a" {
		t.Fatalf("RoleBindings = %v", got)
	}
	for _, b := range inv.RoleBindings {
		if b.Kind != model.KindRoleBinding {
			t.Errorf("%s: kind %q", b.Name, b.Kind)
		}
	}
	// Every typed list of the API, items without kind and apiVersion.
	lists := map[string]string{
		"ClusterRoleList":                  `{"apiVersion":"rbac.authorization.k8s.io/v1","kind":"ClusterRoleList","items":[{"metadata":{"name":"x"},"rules":[{"apiGroups":[""],"resources":["pods"],"verbs":["get"]}]}]}`,
		"ClusterRoleBindingList":           `{"apiVersion":"rbac.authorization.k8s.io/v1","kind":"ClusterRoleBindingList","items":[{"metadata":{"name":"x"},"roleRef":{"kind":"ClusterRole","name":"y"}}]}`,
		"DeploymentList":                   `{"apiVersion":"apps/v1","kind":"DeploymentList","items":[{"metadata":{"name":"x","namespace":"n"},"spec":{"template":{"spec":{"hostNetwork":true}}}}]}`,
		"MutatingWebhookConfigurationList": `{"apiVersion":"admissionregistration.k8s.io/v1","kind":"MutatingWebhookConfigurationList","items":[{"metadata":{"name":"x"},"webhooks":[{"name":"w.example.com"}]}]}`,
		"ValidatingAdmissionPolicyList":    `{"apiVersion":"admissionregistration.k8s.io/v1","kind":"ValidatingAdmissionPolicyList","items":[{"metadata":{"name":"x"}}]}`,
		"PodList":                          `{"apiVersion":"v1","kind":"PodList","items":[{"metadata":{"name":"p","namespace":"n"},"spec":{"nodeName":"n1"}}]}`,
		"ConfigMapList (skipped kind)":     `{"apiVersion":"v1","kind":"ConfigMapList","items":[{"metadata":{"name":"c","namespace":"n"}}]}`,
	}
	for name, doc := range lists {
		t.Run(name, func(t *testing.T) {
			inv, err := loadString(t, "list.json", doc)
			if err != nil {
				t.Fatal(err)
			}
			kept := inv.Count()
			skipped := 0
			for _, n := range inv.Skipped {
				skipped += n
			}
			if kept+skipped != 1 {
				t.Fatalf("kept %d, skipped %v", kept, inv.Skipped)
			}
			if len(inv.Workloads) == 1 && (inv.Workloads[0].Kind != "Deployment" || inv.Workloads[0].Group != "apps" || !inv.Workloads[0].Spec.HostNetwork) {
				t.Errorf("workload = %+v", inv.Workloads[0])
			}
			if len(inv.WebhookConfigurations) == 1 && inv.WebhookConfigurations[0].Kind != "MutatingWebhookConfiguration" {
				t.Errorf("webhook configuration kind = %q", inv.WebhookConfigurations[0].Kind)
			}
			if len(inv.AdmissionPolicies) == 1 && inv.AdmissionPolicies[0].Kind != "ValidatingAdmissionPolicy" {
				t.Errorf("admission policy kind = %q", inv.AdmissionPolicies[0].Kind)
			}
			if len(inv.ClusterRoleBindings) == 1 && inv.ClusterRoleBindings[0].Kind != model.KindClusterRoleBinding {
				t.Errorf("binding kind = %q", inv.ClusterRoleBindings[0].Kind)
			}
			if name == "ConfigMapList (skipped kind)" && inv.Skipped["ConfigMap"] != 1 {
				t.Errorf("Skipped = %v", inv.Skipped)
			}
		})
	}
}

func TestEmptyListIsNotAnError(t *testing.T) {
	// `kubectl get roles -A -o yaml` on a cluster without Roles.
	inv, err := LoadFiles(FileOptions{Filenames: []string{in("good", "empty-list.yaml"), in("good", "dir", "a.yaml")}})
	if err != nil {
		t.Fatal(err)
	}
	if inv.Count() != 1 {
		t.Errorf("Count() = %d, want 1", inv.Count())
	}
}

func TestDirectories(t *testing.T) {
	inv := load(t, FileOptions{Filenames: []string{in("good", "dir")}})
	if got := saNames(inv); got != "default/a,default/b" {
		t.Errorf("non-recursive: %s", got)
	}
	inv = load(t, FileOptions{Filenames: []string{in("good", "dir")}, Recursive: true})
	if got := saNames(inv); got != "default/a,default/b,default/c" {
		t.Errorf("recursive: %s", got)
	}
	if len(inv.Warnings) != 0 {
		t.Errorf("warnings: %v", inv.Warnings)
	}
	// A directory holding only a subdirectory with manifests.
	_, err := LoadFiles(FileOptions{Filenames: []string{in("good", "dir", "..", "dir", "sub", "..")}, Recursive: false})
	if err != nil {
		t.Errorf("dir with manifests: %v", err)
	}
}

func TestStdin(t *testing.T) {
	stdin := strings.NewReader("apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: piped, namespace: ops}\n")
	inv := load(t, FileOptions{Filenames: []string{"-", in("good", "dir", "a.yaml")}, Stdin: stdin})
	if got := saNames(inv); got != "default/a,ops/piped" {
		t.Errorf("ServiceAccounts = %s", got)
	}
	for _, s := range inv.ServiceAccounts {
		if s.Name == "piped" && s.Source.File != "<stdin>" {
			t.Errorf("stdin source = %+v", s.Source)
		}
	}
	if _, err := LoadFiles(FileOptions{Filenames: []string{"-", "-"}, Stdin: strings.NewReader("")}); err == nil {
		t.Error(`"-" twice accepted`)
	}
	_, err := LoadFiles(FileOptions{Filenames: []string{"-"}, Stdin: strings.NewReader("")})
	if err == nil || !strings.HasPrefix(err.Error(), "<stdin>: ") {
		t.Errorf("empty stdin: %v", err)
	}
}

func TestDuplicateObjectsLaterWins(t *testing.T) {
	first := "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata: {name: dup}\nrules: [{apiGroups: [''], resources: [pods], verbs: [get]}]\n"
	second := "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata: {name: dup}\nrules: [{apiGroups: [''], resources: [secrets], verbs: [get]}]\n"
	inv, err := loadString(t, "dup.yaml", first+"---\n"+second+"---\napiVersion: v1\nkind: ServiceAccount\nmetadata: {name: s}\n---\napiVersion: v1\nkind: ServiceAccount\nmetadata: {name: s, namespace: default}\n")
	if err != nil {
		t.Fatal(err)
	}
	if len(inv.ClusterRoles) != 1 || inv.ClusterRoles[0].Rules[0].Resources[0] != "secrets" || inv.ClusterRoles[0].Source.Doc != 2 {
		t.Errorf("ClusterRoles = %+v", inv.ClusterRoles)
	}
	if len(inv.ServiceAccounts) != 1 || inv.ServiceAccounts[0].Source.Doc != 4 {
		t.Errorf("ServiceAccounts = %+v (no namespace and namespace default are the same object)", inv.ServiceAccounts)
	}
	if len(inv.Warnings) != 2 || !strings.Contains(inv.Warnings[0], `ClusterRole "dup"`) || !strings.Contains(inv.Warnings[0], "document 1") || !strings.Contains(inv.Warnings[0], "later one is kept") {
		t.Errorf("warnings = %q", inv.Warnings)
	}
	// Same name in different kinds or namespaces is not a duplicate.
	inv, err = loadString(t, "nodup.yaml", "apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: s, namespace: a}\n---\napiVersion: v1\nkind: ServiceAccount\nmetadata: {name: s, namespace: b}\n---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {name: s, namespace: a}\n---\napiVersion: apps/v1\nkind: DaemonSet\nmetadata: {name: s, namespace: a}\n")
	if err != nil {
		t.Fatal(err)
	}
	if len(inv.Warnings) != 0 || len(inv.ServiceAccounts) != 2 || len(inv.Workloads) != 2 {
		t.Errorf("warnings %v, %d SAs, %d workloads", inv.Warnings, len(inv.ServiceAccounts), len(inv.Workloads))
	}
	// The same file given twice.
	p := in("good", "dir", "a.yaml")
	inv = load(t, FileOptions{Filenames: []string{p, p}})
	if len(inv.ServiceAccounts) != 1 || len(inv.Warnings) != 1 {
		t.Errorf("file twice: %d SAs, warnings %v", len(inv.ServiceAccounts), inv.Warnings)
	}
}

func TestDefaultNamespace(t *testing.T) {
	doc := `apiVersion: v1
kind: ServiceAccount
metadata: {name: s}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: rb}
roleRef: {kind: Role, name: r}
subjects: [{kind: ServiceAccount, name: s}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: cr, namespace: ignored}
---
apiVersion: v1
kind: Namespace
metadata: {name: nsx}
---
apiVersion: v1
kind: ServiceAccount
metadata: {name: explicit, namespace: given}
`
	p := filepath.Join(t.TempDir(), "ns.yaml")
	if err := os.WriteFile(p, []byte(doc), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ flag, want string }{{"", "default"}, {"team", "team"}} {
		inv := load(t, FileOptions{Filenames: []string{p}, DefaultNamespace: tc.flag})
		want := map[string]string{"default": "default/s,given/explicit", "team": "given/explicit,team/s"}[tc.want]
		if got := saNames(inv); got != want {
			t.Errorf("-n %q: ServiceAccounts = %s", tc.flag, got)
		}
		if inv.RoleBindings[0].Namespace != tc.want {
			t.Errorf("-n %q: RoleBinding namespace = %q", tc.flag, inv.RoleBindings[0].Namespace)
		}
		if inv.ClusterRoles[0].Namespace != "" || inv.Namespaces[0].Namespace != "" {
			t.Errorf("cluster-scoped objects got a namespace")
		}
	}
}

func TestSecretValuesNeverReachTheInventory(t *testing.T) {
	inv := load(t, FileOptions{Filenames: []string{in("good", "secret.yaml")}})
	if len(inv.Secrets) != 2 {
		t.Fatalf("Secrets = %+v", inv.Secrets)
	}
	byName := map[string]*model.Secret{}
	for _, s := range inv.Secrets {
		byName[s.Name] = s
	}
	if s := byName["db"]; s == nil || s.Type != "Opaque" || s.Annotations["owner"] != "team-shop" {
		t.Errorf("db = %+v", s)
	}
	if s := byName["builder-token"]; s == nil || s.Type != model.SecretTypeServiceAccountToken || s.Annotations[model.AnnotationServiceAccountName] != "builder" {
		t.Errorf("builder-token = %+v", s)
	}
	// Marshal everything, including fields hidden from JSON, and search it.
	all, err := json.Marshal(inv)
	if err != nil {
		t.Fatal(err)
	}
	dump := string(all)
	for _, s := range inv.Secrets {
		dump += " " + strings.Join(mapValues(s.Annotations), " ") + " " + s.Source.File
	}
	for _, secret := range []string{
		"czNjcjN0LWRhdGEtdmFsdWU=", "s3cr3t-data-value", "s3cr3t-stringdata-value",
		"ZXlKaGJHY2lPaUpTVXpJMU5pSXNJbXRwWkNJNkluTmxZM0psZENKOS5zM2NyM3QtdG9rZW4tdmFsdWU=", "s3cr3t",
		"last-applied-configuration",
	} {
		if strings.Contains(dump, secret) {
			t.Errorf("inventory contains %q:\n%s", secret, dump)
		}
	}
	// Also when Secrets come in a List or a typed SecretList.
	inv, err = loadString(t, "list.json", `{"apiVersion":"v1","kind":"SecretList","items":[{"metadata":{"name":"x"},"data":{"k":"czNjcjN0LWRhdGEtdmFsdWU="},"stringData":{"t":"s3cr3t-stringdata-value"}}]}`)
	if err != nil {
		t.Fatal(err)
	}
	all, _ = json.Marshal(inv)
	if len(inv.Secrets) != 1 || strings.Contains(string(all), "s3cr3t") || strings.Contains(string(all), "czNjcjN0") {
		t.Errorf("SecretList: %s", all)
	}
}

func mapValues(m map[string]string) []string {
	var out []string
	for k, v := range m {
		out = append(out, k, v)
	}
	return out
}

func TestInventoryIsSorted(t *testing.T) {
	inv, err := loadString(t, "order.yaml", "apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: z, namespace: a}\n---\napiVersion: v1\nkind: ServiceAccount\nmetadata: {name: a, namespace: b}\n---\napiVersion: v1\nkind: ServiceAccount\nmetadata: {name: b, namespace: a}\n")
	if err != nil {
		t.Fatal(err)
	}
	if got := saNames(inv); got != "a/b,a/z,b/a" {
		t.Errorf("order = %s", got)
	}
}

func TestKeptKindsAndBOM(t *testing.T) {
	if k := KeptKinds(); len(k) == 0 || k[0] != "CertificateSigningRequest" {
		t.Errorf("KeptKinds() = %v", k)
	}
	inv, err := loadString(t, "bom.yaml", "\xef\xbb\xbfapiVersion: v1\nkind: Namespace\nmetadata: {name: bom}\n")
	if err != nil || len(inv.Namespaces) != 1 {
		t.Errorf("BOM: %v %+v", err, inv)
	}
	inv, err = loadString(t, "bom.json", "\xef\xbb\xbf  {\"apiVersion\": \"v1\", \"kind\": \"Namespace\", \"metadata\": {\"name\": \"bom\"}}")
	if err != nil || len(inv.Namespaces) != 1 {
		t.Errorf("BOM JSON: %v %+v", err, inv)
	}
}

func TestJSONDocumentsSeparatedByDashesAreAYAMLStream(t *testing.T) {
	inv := load(t, FileOptions{Filenames: []string{in("good", "json-docs.yaml")}})
	if len(inv.Namespaces) != 2 || len(inv.ServiceAccounts) != 1 {
		t.Fatalf("%d namespaces, %d ServiceAccounts", len(inv.Namespaces), len(inv.ServiceAccounts))
	}
	if src := inv.Namespaces[1].Source; src.Doc != 3 || src.Line != 5 {
		t.Errorf("third document source = %+v, want document 3 line 5", src)
	}
	// An error in such a stream is reported as YAML, with the file's line.
	_, err := loadString(t, "x.yaml", "{\"apiVersion\": \"v1\", \"kind\": \"Namespace\", \"metadata\": {\"name\": \"a\"}}\n---\n{\"apiVersion\": \"v1\", \"kind\": \n")
	if err == nil || !strings.Contains(err.Error(), "document 2 (line 3): invalid YAML: line ") {
		t.Errorf("err = %v", err)
	}
}

package admission

import (
	"testing"

	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"

	"github.com/auth-paths/kubectl-auth-paths/pkg/model"
)

// TestReadsUser: an expression reads the requester when it names userInfo
// or uses the request variable other than by a field that does not say who
// asks; names that merely contain "request" do not count.
func TestReadsUser(t *testing.T) {
	tests := []struct {
		expr string
		want bool
	}{
		{"object.spec.containers.all(c, !has(c.securityContext))", false},
		{"request.namespace != 'kube-system'", false},
		{"request . operation == 'CREATE' && request.requestResource.resource == 'pods'", false},
		{"!request.userInfo.username.startsWith('system:serviceaccount:kube-system:')", true},
		{"'system:masters' in request.userInfo.groups", true},
		{"request['userInfo'].username == 'x'", true},
		{"has(request.userInfo)", true},
		{"string(request) != ''", true},
		{"request.userInfo", true},
		{"variables.requester == request.name", false},
		{"myrequest.userName == 'x'", false},
		{"requestCount > 1", false},
		{"request.", true},
	}
	for _, tt := range tests {
		if got := readsUser(tt.expr); got != tt.want {
			t.Errorf("readsUser(%q) = %v, want %v", tt.expr, got, tt.want)
		}
	}
}

// TestEvaluatorReadsUser: an evaluator reads the requester when one of its
// policies' expressions does, wherever it is (variables, matchConditions,
// validations, messages, audit annotations).
func TestEvaluatorReadsUser(t *testing.T) {
	spec := func(mod func(*admissionregistrationv1.ValidatingAdmissionPolicySpec)) *model.Inventory {
		s := &admissionregistrationv1.ValidatingAdmissionPolicySpec{
			MatchConstraints: &admissionregistrationv1.MatchResources{},
			Validations:      []admissionregistrationv1.Validation{{Expression: "object.metadata.name != 'x'"}},
		}
		mod(s)
		return &model.Inventory{AdmissionPolicies: []*model.AdmissionPolicy{{Meta: model.Meta{Name: "p"}, Kind: model.KindValidatingAdmissionPolicy, Policy: s}}}
	}
	tests := []struct {
		name string
		inv  *model.Inventory
		want bool
	}{
		{"no policy", &model.Inventory{}, false},
		{"object only", spec(func(*admissionregistrationv1.ValidatingAdmissionPolicySpec) {}), false},
		{"variable", spec(func(s *admissionregistrationv1.ValidatingAdmissionPolicySpec) {
			s.Variables = []admissionregistrationv1.Variable{{Name: "who", Expression: "request.userInfo.username"}}
		}), true},
		{"match condition", spec(func(s *admissionregistrationv1.ValidatingAdmissionPolicySpec) {
			s.MatchConditions = []admissionregistrationv1.MatchCondition{{Name: "c", Expression: "request.userInfo.username != 'admin'"}}
		}), true},
		{"message", spec(func(s *admissionregistrationv1.ValidatingAdmissionPolicySpec) {
			s.Validations[0].MessageExpression = "'denied for ' + request.userInfo.username"
		}), true},
		{"audit annotation", spec(func(s *admissionregistrationv1.ValidatingAdmissionPolicySpec) {
			s.AuditAnnotations = []admissionregistrationv1.AuditAnnotation{{Key: "k", ValueExpression: "string(request)"}}
		}), true},
	}
	for _, tt := range tests {
		if got := New(tt.inv).ReadsUser(); got != tt.want {
			t.Errorf("%s: ReadsUser() = %v, want %v", tt.name, got, tt.want)
		}
	}
}

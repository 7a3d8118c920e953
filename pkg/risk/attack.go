package risk

import (
	"fmt"
	"slices"
)

// Technique is one MITRE ATT&CK technique or sub-technique of the Containers
// platform (the "ATT&CK for Containers" matrix).
type Technique struct {
	// ID is "T1611" or, for a sub-technique, "T1552.007".
	ID string `json:"id"`
	// Name is ATT&CK's name; a sub-technique's is prefixed with its parent's.
	Name string `json:"name"`
	// Tactics are the matrix columns the technique appears in.
	Tactics []string `json:"tactics"`
}

// URL is the technique's page on attack.mitre.org.
func (t Technique) URL() string {
	id, sub := t.ID, ""
	if len(id) > 5 && id[5] == '.' {
		id, sub = t.ID[:5], t.ID[6:]
	}
	if sub == "" {
		return "https://attack.mitre.org/techniques/" + id + "/"
	}
	return "https://attack.mitre.org/techniques/" + id + "/" + sub + "/"
}

// containersMatrix is the part of the ATT&CK for Containers matrix that an
// RBAC step can be an instance of, plus the other Containers techniques a rule
// pack might name; every ID a primitive or a rule pack declares must be here,
// so that a typo ("T1161") is refused rather than published in SARIF.
var containersMatrix = []Technique{
	{"T1078", "Valid Accounts", []string{"initial-access", "persistence", "privilege-escalation", "defense-evasion"}},
	{"T1078.001", "Valid Accounts: Default Accounts", []string{"initial-access", "persistence", "privilege-escalation", "defense-evasion"}},
	{"T1078.003", "Valid Accounts: Local Accounts", []string{"initial-access", "persistence", "privilege-escalation", "defense-evasion"}},
	{"T1133", "External Remote Services", []string{"initial-access", "persistence"}},
	{"T1190", "Exploit Public-Facing Application", []string{"initial-access"}},
	{"T1609", "Container Administration Command", []string{"execution"}},
	{"T1610", "Deploy Container", []string{"execution", "defense-evasion"}},
	{"T1053.007", "Scheduled Task/Job: Container Orchestration Job", []string{"execution", "persistence", "privilege-escalation"}},
	{"T1204.003", "User Execution: Malicious Image", []string{"execution"}},
	{"T1098", "Account Manipulation", []string{"persistence", "privilege-escalation"}},
	{"T1098.006", "Account Manipulation: Additional Container Cluster Roles", []string{"persistence", "privilege-escalation"}},
	{"T1136", "Create Account", []string{"persistence"}},
	{"T1136.001", "Create Account: Local Account", []string{"persistence"}},
	{"T1543.005", "Create or Modify System Process: Container Service", []string{"persistence", "privilege-escalation"}},
	{"T1525", "Implant Internal Image", []string{"persistence"}},
	{"T1611", "Escape to Host", []string{"privilege-escalation"}},
	{"T1068", "Exploitation for Privilege Escalation", []string{"privilege-escalation"}},
	{"T1612", "Build Image on Host", []string{"defense-evasion"}},
	{"T1562.001", "Impair Defenses: Disable or Modify Tools", []string{"defense-evasion"}},
	{"T1070", "Indicator Removal", []string{"defense-evasion"}},
	{"T1036.005", "Masquerading: Match Legitimate Resource Name or Location", []string{"defense-evasion"}},
	{"T1550.001", "Use Alternate Authentication Material: Application Access Token", []string{"defense-evasion", "lateral-movement"}},
	{"T1110", "Brute Force", []string{"credential-access"}},
	{"T1528", "Steal Application Access Token", []string{"credential-access"}},
	{"T1552", "Unsecured Credentials", []string{"credential-access"}},
	{"T1552.001", "Unsecured Credentials: Credentials In Files", []string{"credential-access"}},
	{"T1552.007", "Unsecured Credentials: Container API", []string{"credential-access"}},
	{"T1613", "Container and Resource Discovery", []string{"discovery"}},
	{"T1046", "Network Service Discovery", []string{"discovery"}},
	{"T1069", "Permission Groups Discovery", []string{"discovery"}},
	{"T1485", "Data Destruction", []string{"impact"}},
	{"T1490", "Inhibit System Recovery", []string{"impact"}},
	{"T1496", "Resource Hijacking", []string{"impact"}},
	{"T1498", "Network Denial of Service", []string{"impact"}},
	{"T1499", "Endpoint Denial of Service", []string{"impact"}},
}

// ContainersTechniques returns the known techniques of the ATT&CK for
// Containers matrix, in matrix order.
func ContainersTechniques() []Technique { return slices.Clone(containersMatrix) }

// LookupTechnique finds a technique by ID.
func LookupTechnique(id string) (Technique, bool) {
	for _, t := range containersMatrix {
		if t.ID == id {
			return t, true
		}
	}
	return Technique{}, false
}

// CheckTechniques refuses IDs outside the Containers matrix and repeats.
func CheckTechniques(ids []string) error {
	for i, id := range ids {
		if _, ok := LookupTechnique(id); !ok {
			return fmt.Errorf("technique %q is not an ATT&CK for Containers technique this build knows (e.g. T1611, T1552.007)", id)
		}
		if slices.Contains(ids[:i], id) {
			return fmt.Errorf("technique %q is listed twice", id)
		}
	}
	return nil
}

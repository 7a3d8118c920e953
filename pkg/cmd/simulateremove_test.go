package cmd

import (
	"fmt"
	"strings"
	"testing"
)

// TestSimulateRemoveArgs: the advice to check a cover is a flag that can be
// run: one comma-separated argument, or the flag repeated once the
// argument would pass the length one argument may have.
func TestSimulateRemoveArgs(t *testing.T) {
	many := make([]string, 3000)
	for i := range many {
		many[i] = fmt.Sprintf("RoleBinding/team-%05d/app-operator-%d", i, i%7)
	}
	tests := []struct {
		name     string
		bindings []string
		want     string
	}{
		{"one", []string{"ClusterRoleBinding/x"}, "--simulate-remove ClusterRoleBinding/x"},
		{"a few: comma-separated", []string{"ClusterRoleBinding/x", "RoleBinding/a/y"}, "--simulate-remove ClusterRoleBinding/x,RoleBinding/a/y"},
		{"thousands: repeated", many, "--simulate-remove " + strings.Join(many, " --simulate-remove ")},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := simulateRemoveArgs(tc.bindings)
			if got != tc.want {
				t.Errorf("simulateRemoveArgs = %.200q, want %.200q", got, tc.want)
			}
			for _, arg := range strings.Split(got, " ") {
				if len(arg) > maxArgLen {
					t.Errorf("an argument of %d bytes", len(arg))
				}
			}
		})
	}
}

package mapping

import (
	"os/exec"
	"strings"
	"testing"
)

// TestPureImports checks that the mapping package stays a pure plan: none of its dependencies
// (direct or indirect) is the state store, the plugin manager, the plugin protocol or gRPC, so
// nothing in it can write to the ledger or the state.
func TestPureImports(t *testing.T) {
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Fatalf("the go command is needed to list the package's dependencies: %v", err)
	}
	out, err := exec.Command(goBin, "list", "-deps", "-f", "{{.ImportPath}}", ".").Output()
	if err != nil {
		t.Fatalf("go list -deps: %v", err)
	}
	deps := strings.Fields(string(out))
	if len(deps) < 5 {
		t.Fatalf("go list -deps listed only %v", deps)
	}
	forbidden := []string{
		"github.com/koppel-nl/koppel/host/internal/state",
		"github.com/koppel-nl/koppel/host/internal/plugins",
		"github.com/koppel-nl/koppel/host/internal/pipeline",
		"github.com/koppel-nl/koppel/sdk/internal/protocol",
		"github.com/koppel-nl/koppel/sdk/plugin",
		"google.golang.org/grpc",
		"github.com/hashicorp/go-plugin",
		"github.com/dgraph-io/badger",
		"net/http",
	}
	for _, dep := range deps {
		for _, f := range forbidden {
			if dep == f || strings.HasPrefix(dep, f+"/") {
				t.Errorf("mapping depends on %s; it must stay free of I/O (see the package documentation)", dep)
			}
		}
	}
}

package woocommerce

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/koppel-nl/koppel/sdk"
	"github.com/shopspring/decimal"
)

// sharedDir finds the shared reference directory: $KOPPEL_SHARED, or ../shared beside the
// directory holding go.mod.
func sharedDir(t testing.TB) string {
	t.Helper()
	if d := os.Getenv("KOPPEL_SHARED"); d != "" {
		return d
	}
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return filepath.Join(dir, "..", "shared")
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("go.mod not found above the test directory")
		}
		dir = parent
	}
}

// loadShared reads a file below the shared directory; it skips (naming the file) only when the
// shared directory is absent.
func loadShared(t testing.TB, rel string) []byte {
	t.Helper()
	p := filepath.Join(sharedDir(t), rel)
	b, err := os.ReadFile(p)
	if err != nil {
		if os.IsNotExist(err) {
			t.Skipf("shared reference file %s is missing", p)
		}
		t.Fatal(err)
	}
	return b
}

// docsOrderJSON extracts the JSON answer of "Retrieve an order" from WooCommerce's orders.md.
func docsOrderJSON(t testing.TB) []byte {
	t.Helper()
	doc := string(loadShared(t, "reference/external/woocommerce-rest-docs/orders.md"))
	i := strings.Index(doc, "## Retrieve an order ##")
	if i < 0 {
		t.Fatal("orders.md: section Retrieve an order not found")
	}
	doc = doc[i:]
	j := strings.Index(doc, "```json\n")
	if j < 0 {
		t.Fatal("orders.md: no json block in Retrieve an order")
	}
	doc = doc[j+len("```json\n"):]
	k := strings.Index(doc, "```")
	if k < 0 {
		t.Fatal("orders.md: unterminated json block")
	}
	return []byte(doc[:k])
}

// d parses a decimal literal.
func d(s string) decimal.Decimal { return sdk.MustMoney(s) }

// dp returns a pointer to a decimal literal.
func dp(s string) *decimal.Decimal { v := d(s); return &v }

// utc parses an RFC 3339 time.
func utc(t testing.TB, s string) time.Time {
	t.Helper()
	v, err := time.Parse(time.RFC3339, s)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// checkDec asserts decimal equality (by value: 19.95 equals 19.950).
func checkDec(t testing.TB, field string, got, want decimal.Decimal) {
	t.Helper()
	if !got.Equal(want) {
		t.Errorf("%s = %s, want %s", field, got, want)
	}
}

// checkStr asserts string equality.
func checkStr(t testing.TB, field, got, want string) {
	t.Helper()
	if got != want {
		t.Errorf("%s = %q, want %q", field, got, want)
	}
}

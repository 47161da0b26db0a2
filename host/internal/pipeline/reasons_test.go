package pipeline

import (
	"testing"

	"github.com/koppel-nl/koppel/host/internal/text"
)

// ReasonNotInShop is the English template of its catalogue key, so the CLI and dashboard show
// it in Dutch.
func TestReasonNotInShopIsCatalogued(t *testing.T) {
	if ReasonNotInShop != text.Template("reason.not_in_shop") {
		t.Fatalf("ReasonNotInShop %q differs from the catalogue's %q", ReasonNotInShop, text.Template("reason.not_in_shop"))
	}
	if got := text.Reason(text.NL, ReasonNotInShop); got == ReasonNotInShop {
		t.Fatalf("no Dutch text for %q", got)
	}
}

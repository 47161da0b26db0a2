package cli

import (
	"strings"
	"testing"

	"github.com/koppel-nl/koppel/host/internal/config"
	"github.com/koppel-nl/koppel/host/internal/text"
	"github.com/koppel-nl/koppel/sdk"
)

// TestCheckLedgerByVAT: koppel check lists every orders.ledger_by_vat entry (invoice mode only)
// as found, missing, unusable (inactive or a balance sheet account) or unreadable, in Dutch.
func TestCheckLedgerByVAT(t *testing.T) {
	ledgers := []sdk.LedgerAccount{
		{ID: "g1", Number: 8000, Description: "Omzet hoog", ProfitAndLoss: true},
		{ID: "g2", Number: 8120, Description: "Omzet oud", ProfitAndLoss: true, Inactive: true},
		{ID: "g3", Number: 1300, Description: "Debiteuren"},
	}
	o := config.Orders{BookAs: config.BookAsInvoice, LedgerByVAT: map[string]string{"21": "8000", "9": "8999", "export": "8120", "icp": "Debiteuren"}}
	nl := text.Printer{Lang: text.NL}
	got := map[string]checkItem{}
	for _, it := range checkLedgerByVAT(nl, o, ledgers) {
		got[it.Setting] = it
	}
	for setting, want := range map[string]struct{ level, text string }{
		`orders.ledger_by_vat["21"]`:     {levelOK, `21 → grootboek 8000 "Omzet hoog"`},
		`orders.ledger_by_vat["9"]`:      {levelFail, `grootboek "8999" bestaat niet`},
		`orders.ledger_by_vat["export"]`: {levelFail, "niet actief"},
		`orders.ledger_by_vat["icp"]`:    {levelFail, "winst- en verliesrekening"},
	} {
		it, ok := got[setting]
		if !ok || it.Level != want.level || !strings.Contains(it.Message, want.text) {
			t.Errorf("%s: %+v, want %s with %q", setting, it, want.level, want.text)
		}
	}
	if items := checkLedgerByVAT(nl, o, nil); len(items) != 4 || !strings.Contains(items[0].Message, "boekhouden:read") {
		t.Errorf("without readable ledgers: %+v", items)
	}
	o.BookAs = config.BookAsOrder
	if items := checkLedgerByVAT(nl, o, ledgers); len(items) != 0 {
		t.Errorf("order mode checked ledger_by_vat: %+v", items)
	}
}

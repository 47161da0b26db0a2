package cli

import (
	"context"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/go-hclog"

	"github.com/koppel-nl/koppel/host/internal/pipeline"
	"github.com/koppel-nl/koppel/host/internal/state"
)

// emailPattern finds e-mail addresses, plain or URL-escaped.
var emailPattern = regexp.MustCompile(`(?i)[a-z0-9._%+\-]+(@|%40)[a-z0-9\-]+(\.[a-z0-9\-]+)*\.[a-z]{2,}`)

// TestNoPersonalDataInLogsOrRuns: an import whose customer look-ups by e-mail find nothing
// (customers.mode = "manual", so every order is parked naming what was searched), run at trace
// level with the real plugins and simulators, leaves no e-mail address in the log — neither
// koppel's own lines nor the plugins' relayed HTTP lines with their OData filters — nor in the
// stored run history or the stored reasons; the reasons keep the order number and the field.
func TestNoPersonalDataInLogsOrRuns(t *testing.T) {
	woo := simulate(t, "woocommerce", "--orders", "3")
	ss := simulate(t, "snelstart-online", "--rate-limit", "-1")
	profile := strings.Replace(profileText(woo, ss, "ZGVtbzpkZW1v", "cs_demo"), "  orders {",
		"  customers {\n    mode  = \"manual\"\n    match = \"email\"\n  }\n"+
			"  articles {\n    mode = \"add\"\n    revenue_group_by_vat = { \"21\" = 1, \"9\" = 2, \"0\" = 3 }\n  }\n  orders {\n    shipping_article = \"VERZEND\"\n    discount_article = \"KORTING\"\n"+
			"    payment_fee_article = \"BETAALKOSTEN\"\n    difference_article = \"ORDERVERSCHIL\"\n    template = \"Webshop\"", 1)
	dir := configDir(t, profile)
	code, out, errs := run(t, nil, "sync", "winkel", "import_orders", "--no-progress", "--log-level", "trace", "--config", dir)
	if code != ExitFailed {
		t.Fatalf("sync: exit %d, want 1 (orders parked)\n%s\n%s", code, out, errs)
	}
	if !strings.Contains(errs, "relaties") || !strings.Contains(errs, "[e-mail]") {
		t.Fatalf("the trace log lacks the look-ups (nothing to prove):\n%s", errs)
	}
	if m := emailPattern.FindAllString(errs, 5); len(m) > 0 {
		t.Fatalf("e-mail addresses in the trace log: %v\n%s", m, errs)
	}

	st, err := state.Open(context.Background(), filepath.Join(dir, "state"), state.Options{Logger: hclog.NewNullLogger(), GCInterval: -1})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	var stored strings.Builder
	runs := 0
	err = pipeline.ListRunRecords(context.Background(), st, "winkel", 0, func(rec pipeline.RunRecord) error {
		runs++
		stored.WriteString(rec.Error + "\n")
		for _, o := range rec.Orders {
			stored.WriteString(o.ShopNumber + " " + o.Reason + "\n")
		}
		return nil
	})
	if err != nil || runs == 0 {
		t.Fatalf("run records: %d, %v", runs, err)
	}
	parked := 0
	err = state.List(context.Background(), st, state.NSFailed.ProfilePrefix("winkel"), func(_ state.Key, f pipeline.FailedRecord) error {
		parked++
		if !strings.Contains(f.Reason, "[e-mail]") || f.ShopNumber == "" {
			t.Errorf("stored reason of order %s does not keep the field with the value hidden: %q", f.ShopNumber, f.Reason)
		}
		stored.WriteString(f.Reason + "\n")
		return nil
	})
	if err != nil || parked == 0 {
		t.Fatalf("failed records: %d, %v", parked, err)
	}
	if m := emailPattern.FindAllString(stored.String(), 5); len(m) > 0 {
		t.Fatalf("e-mail addresses in the stored runs or reasons: %v\n%s", m, stored.String())
	}
}

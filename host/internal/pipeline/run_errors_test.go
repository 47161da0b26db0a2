package pipeline

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/koppel-nl/koppel/host/internal/text"
	"github.com/koppel-nl/koppel/sdk"
)

// The reasons a run stops are stored in English (as today) and read in Dutch: each names the
// step, says what to do next and keeps the underlying error behind it; the kind of a shop's or
// SnelStart's failure picks the advice.
func TestRunErrorsInBothLanguages(t *testing.T) {
	disk := errors.New("write /var/lib/koppel/000123.vlog: no space left on device")
	for _, tc := range []struct {
		name   string
		err    error
		en, nl string
	}{
		{"state store", abortState(disk, "reason.step.record_failure", "1003"),
			"koppel stopped the run because the state store failed (record the failure of order 1003); nothing is lost or booked twice: check the state_dir (disk space, permissions) and run again. Error: write /var/lib/koppel/000123.vlog: no space left on device",
			"koppel stopte de run, want de statusopslag faalde (de mislukking van order 1003 vastleggen); er gaat niets verloren en niets wordt dubbel geboekt: controleer de state_dir (schijfruimte, rechten) en start de run opnieuw. Fout: write /var/lib/koppel/000123.vlog: no space left on device"},
		{"cursor", stateError(disk, "reason.step.read_cursor", TaskImportOrders),
			"koppel stopped the run because the state store failed (read the import_orders cursor); nothing is lost or booked twice: check the state_dir (disk space, permissions) and run again. Error: write /var/lib/koppel/000123.vlog: no space left on device",
			"koppel stopte de run, want de statusopslag faalde (de voortgang van import_orders lezen); er gaat niets verloren en niets wordt dubbel geboekt: controleer de state_dir (schijfruimte, rechten) en start de run opnieuw. Fout: write /var/lib/koppel/000123.vlog: no space left on device"},
		{"shop refuses the key", listingError(sdk.Errorf(sdk.KindAuth, "WooCommerce refused the consumer key (401)"), nil, "reason.step.list_orders"),
			"the shop refused koppel's credentials (list the shop's orders): check the shop's key or password in the profile ('koppel check' tests them), then run again. The shop said: WooCommerce refused the consumer key (401)",
			"de webwinkel weigerde de inloggegevens van koppel (de orders van de winkel opvragen): controleer de sleutel of het wachtwoord van de winkel in het profiel ('koppel check' test ze) en start opnieuw. De winkel meldde: WooCommerce refused the consumer key (401)"},
		{"shop refuses the connection", listingError(sdk.Errorf(sdk.KindUnreachable, "dial tcp 127.0.0.1:8080: connect: connection refused"), nil, "reason.step.fetch_orders", "1001, 1002"),
			"the shop could not be reached (fetch orders 1001, 1002 from the shop): check that it is online and that the profile's address is right ('koppel check'); the next run tries again. Message: dial tcp 127.0.0.1:8080: connect: connection refused",
			"de webwinkel was niet bereikbaar (orders 1001, 1002 bij de winkel opvragen): controleer of de winkel online is en het adres in het profiel klopt ('koppel check'); de volgende run probeert het opnieuw. Melding: dial tcp 127.0.0.1:8080: connect: connection refused"},
		{"SnelStart refuses the key", serviceError(sideLedger, sdk.Errorf(sdk.KindAuth, "the koppelsleutel was refused (401)"), "reason.step.reference_data"),
			"SnelStart refused koppel's credentials (read the administration's revenue groups, templates and cost centres): check the key (koppelsleutel) in the profile ('koppel check' tests it), then run again. SnelStart said: the koppelsleutel was refused (401)",
			"SnelStart weigerde de inloggegevens van koppel (de omzetgroepen, sjablonen en kostenplaatsen van de administratie lezen): controleer de koppelsleutel in het profiel ('koppel check' test hem) en start opnieuw. SnelStart meldde: the koppelsleutel was refused (401)"},
		{"SnelStart unreachable in the guard", abortf(serviceKey(sideLedger, sdk.Errorf(sdk.KindUnreachable, "no answer")), step("reason.step.guard", 25), sdk.Errorf(sdk.KindUnreachable, "no answer")),
			"SnelStart could not be reached (look up 25 references in SnelStart (double-import guard)); the next run tries again, 'koppel check' tests the connection. Message: no answer",
			"SnelStart was niet bereikbaar (25 kenmerken opzoeken in SnelStart (bewaking tegen dubbel boeken)); de volgende run probeert het opnieuw, 'koppel check' test de verbinding. Melding: no answer"},
		{"the plugin died", serviceError(sideShop, errors.New("rpc error: code = Unavailable desc = connection closed"), "reason.step.list_products"),
			"the shop could not be reached (list the shop's products): check that it is online and that the profile's address is right ('koppel check'); the next run tries again. Message: rpc error: code = Unavailable desc = connection closed",
			"de webwinkel was niet bereikbaar (de producten van de winkel opvragen): controleer of de winkel online is en het adres in het profiel klopt ('koppel check'); de volgende run probeert het opnieuw. Melding: rpc error: code = Unavailable desc = connection closed"},
		{"stopped", listingError(fmt.Errorf("list: %w", context.Canceled), nil, "reason.step.list_orders"),
			"the run was stopped (list the shop's orders); the next run continues where this one stopped. Error: list: context canceled",
			"de run werd gestopt (de orders van de winkel opvragen); de volgende run gaat verder waar deze stopte. Fout: list: context canceled"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			stored := unwrapAbort(tc.err).Error() // what the run record keeps (finish, finishTask)
			if stored != tc.en {
				t.Errorf("stored:\n got %s\nwant %s", stored, tc.en)
			}
			if got := text.Reason(text.EN, stored); got != tc.en {
				t.Errorf("en:\n got %s\nwant %s", got, tc.en)
			}
			if got := text.Reason(text.NL, stored); got != tc.nl {
				t.Errorf("nl:\n got %s\nwant %s", got, tc.nl)
			}
			if short, more := text.Brief(text.Reason(text.NL, stored)); !more || len(short) > text.BriefLen*2 {
				t.Errorf("no short sentence before the details: %q", short)
			}
		})
	}
	// The error of a listing is still the shop's: errors.As and errors.Is see through it.
	var se *sdk.Error
	if err := listingError(sdk.Errorf(sdk.KindAuth, "no"), nil, "reason.step.list_orders"); !errors.As(err, &se) || se.Kind != sdk.KindAuth {
		t.Errorf("the shop's error is not wrapped: %v", err)
	}
	if err := abortState(disk, "reason.step.read_order"); !errors.Is(err, errAbort) {
		t.Errorf("a state store failure does not stop the run: %v", err)
	}
}

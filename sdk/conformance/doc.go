// Package conformance holds the contract tests every koppel shop or ledger connector must pass.
// A connector runs them from its own _test.go against its simulator, and, in acceptance mode,
// against a real service.
//
// # Against the simulator
//
//	func TestConformance(t *testing.T) {
//		sim := startSimulator(t) // the connector's own simulator on 127.0.0.1:0
//		cfg := sdk.Config{}.Set("url", sim.URL).Set("consumer_key", "ck_test").Set("consumer_secret", "cs_test")
//		conformance.TestShop(t, conformance.ShopHarness{
//			Info:           info,
//			New:            func(ctx context.Context, c sdk.Config) (sdk.Shop, error) { return newShop(ctx, c, hclog.NewNullLogger()) },
//			Config:         cfg,
//			BadCredentials: conformance.WithBadCredentials(cfg, info.Schema),
//			Unreachable:    conformance.WithURL(cfg, "url", conformance.UnreachableURL),
//			SeedOrders:     sim.SeedOrders,  // creates orders through the simulator's REST API
//			ModifyOrder:    sim.ModifyOrder, // moves an order's modified time forward
//			InjectFault:    sim.InjectFault, // optional
//		})
//	}
//
// TestShop and TestLedger take any Runner[T]; *testing.T is one, so t is passed as it is. Each
// check is a subtest with a stable name (see TestShop and TestLedger), so one can be run alone
// with -run 'TestConformance/orders/paging'. Optional checks whose harness hook is nil are
// skipped, with the reason.
//
// # Acceptance mode
//
// Like Terraform's TF_ACC, acceptance tests against real services run only when
// KOPPEL_ACC=1 (see Acceptance). The connector's test then builds its harness from the
// environment:
//
//	func TestAcceptance(t *testing.T) {
//		if !conformance.Acceptance() {
//			t.Skip("set KOPPEL_ACC=1 and KOPPEL_ACC_WOOCOMMERCE_* to run against a real shop")
//		}
//		cfg, err := conformance.AcceptanceConfig(info)
//		if err != nil {
//			t.Fatal(err)
//		}
//		conformance.TestShop(t, conformance.ShopHarness{Info: info, New: ..., Config: cfg,
//			BadCredentials: conformance.WithBadCredentials(cfg, info.Schema),
//			Unreachable:    conformance.WithURL(cfg, "url", conformance.UnreachableURL),
//			Query:          sdk.OrderQuery{Since: time.Now().AddDate(0, -1, 0)},
//			Live:           true})
//	}
//
// Every schema attribute is read from KOPPEL_ACC_<PLUGIN>_<ATTRIBUTE> (EnvName), for example:
//
//	KOPPEL_ACC=1                                   run acceptance tests at all
//	KOPPEL_ACC_WRITE=1                             allow creating and changing objects
//	KOPPEL_ACC_WOOCOMMERCE_URL                     https://shop.example.nl
//	KOPPEL_ACC_WOOCOMMERCE_CONSUMER_KEY            ck_...
//	KOPPEL_ACC_WOOCOMMERCE_CONSUMER_SECRET         cs_...
//	KOPPEL_ACC_MAGENTO_URL, KOPPEL_ACC_MAGENTO_TOKEN
//	KOPPEL_ACC_SNELSTART_SUBSCRIPTION_KEY, KOPPEL_ACC_SNELSTART_CLIENT_KEY (and _URL to
//	                                               point at another endpoint)
//
// (the exact names follow each plugin's schema). Lists are comma-separated; maps are
// comma-separated key=value pairs.
//
// A harness with Live set writes nothing unless KOPPEL_ACC_WRITE=1: SeedOrders and ModifyOrder
// are not called, and the ledger checks that create relaties, articles or sales orders are
// skipped; the read-only checks (schema, Check, listing and resuming what is there,
// reference data, look-ups) still run. Use a test administration or shop for writes: the kit
// creates relaties named "Conformance <random>", articles coded "CONF-<random>" and sales
// orders with references "KC-<random>", and removes nothing.
//
// # Faults
//
// A simulator that can misbehave on request (InjectFunc, Fault) lets the kit check error
// classification end to end: 429 and 503 must come back as KindRetryable, a create that was
// committed and then answered with a 500 as KindOutcomeUnknown, and it must then be found by
// its reference.
package conformance

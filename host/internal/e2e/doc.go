// Package e2e holds koppel's end-to-end tests: the real `koppel` binary and the real plugin
// binaries (woocommerce, snelstart-online) against the plugins' own simulators, started as
// `koppel-plugin-NAME simulate --addr 127.0.0.1:PORT`. The tests prove issue 5 (every order
// arrives with the shop's total to the cent, settings.md rows have their effect in SnelStart)
// (TestEverySettingsRow: one row per setting and value, each with its own simulator pair seeded
// through their real APIs; TestSettingsAgainstSimulators: the same on generated orders)
// and issue 6 (nothing lost, nothing twice: kills of the host and of the ledger plugin, lost
// create responses, 429 storms and 5xx bursts, parked orders and retry). The package has no
// non-test code. Longer versions of the issue 6 proofs (names containing Soak) run only with
// KOPPEL_SOAK=1 (`make soak`); without it they skip, naming the variable.
package e2e

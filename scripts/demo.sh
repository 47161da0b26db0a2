#!/usr/bin/env bash
# make demo: runs `koppel demo` on the demo profile in examples/profiles. It starts the WooCommerce
# and SnelStart simulators (the plugin binaries' `simulate` subcommand, ports 8702 and 8701) with
# seeded data, locks the freshly built plugins, runs one round of every task, prints the execution
# overview and keeps the schedule and the dashboard (http://127.0.0.1:8484) up until Ctrl-C. No
# accounts needed.
#
# When stdin is not a terminal (CI, `make demo < /dev/null`) it passes --once, so the demo exits
# by itself after the round. Set KOPPEL_DEMO_ARGS to pass other flags (e.g. "--orders 50").
set -euo pipefail
cd "$(dirname "$0")/.."
args=()
if [ ! -t 0 ]; then
	args+=(--once)
fi
# shellcheck disable=SC2206
args+=(${KOPPEL_DEMO_ARGS:-})
exec ./bin/koppel demo --config examples/profiles "${args[@]}"

#!/usr/bin/env bash
# make demo: starts the WooCommerce and SnelStart simulators on loopback with seeded data, locks
# the freshly built plugins, and runs `koppel validate` and `koppel check` on the demo profile in
# examples/profiles. No accounts needed. Ports: 8701 (SnelStart), 8702 (WooCommerce).
set -euo pipefail
cd "$(dirname "$0")/.."
bin=./bin
cfg=examples/profiles

pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT

wait_port() { # host port name
	for _ in $(seq 1 100); do
		if (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null; then return 0; fi
		sleep 0.1
	done
	echo "demo: the $3 simulator did not start on $1:$2 (is the port taken?)" >&2
	exit 1
}

"$bin/koppel-plugin-snelstart-online" simulate --addr 127.0.0.1:8701 &
pids+=($!)
"$bin/koppel-plugin-woocommerce" simulate --addr 127.0.0.1:8702 --orders 25 &
pids+=($!)
wait_port 127.0.0.1 8701 SnelStart
wait_port 127.0.0.1 8702 WooCommerce

echo
echo "== koppel plugins lock"
"$bin/koppel" plugins lock --config "$cfg"
echo
echo "== koppel plugins"
"$bin/koppel" plugins --config "$cfg"
echo
echo "== koppel validate"
"$bin/koppel" validate --config "$cfg"
echo
echo "== koppel check demo"
"$bin/koppel" check demo --config "$cfg"
echo
echo "Demo done. The simulators are stopped again; run them yourself with"
echo "  $bin/koppel-plugin-woocommerce simulate --addr 127.0.0.1:8702 --orders 25"
echo "  $bin/koppel-plugin-snelstart-online simulate --addr 127.0.0.1:8701"

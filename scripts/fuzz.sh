#!/usr/bin/env bash
# Runs every Go fuzz target in the module for the given time each (default 10s).
# Usage: scripts/fuzz.sh [DURATION]
set -euo pipefail
fuzztime=${1:-10s}
cd "$(dirname "$0")/.."
status=0
# Each line of `grep` is "path/file_test.go:func FuzzName(".
while IFS=: read -r file rest; do
	name=$(sed -E 's/^func (Fuzz[A-Za-z0-9_]+).*/\1/' <<<"$rest")
	pkg=./$(dirname "$file")
	echo "fuzz $pkg $name for $fuzztime"
	log=$(mktemp)
	# -fuzzminimizetime: Go shrinks every new interesting input for up to a minute by default,
	# and a worker shrinking does not fuzz; on a slow target (FuzzLoad) a 10s run spent all its
	# time shrinking the first input it found. A failing input is written whether shrunk or not.
	if ! go test -run '^$' -fuzz "^${name}\$" -fuzztime "$fuzztime" -fuzzminimizetime 2s "$pkg" >"$log" 2>&1; then
		# Go's fuzzer sometimes ends a run with a bare "context deadline exceeded" when the time is
		# up while it is still shrinking an interesting input; no failing input is written then.
		# That is not a finding. A real one writes "Failing input written to testdata/fuzz/...".
		if grep -q "context deadline exceeded" "$log" && ! grep -q "Failing input written to" "$log"; then
			echo "  (fuzz time ran out while the fuzzer was minimising an input; no failing input)"
		else
			cat "$log"
			status=1
		fi
	fi
	rm -f "$log"
done < <(grep -rE --include='*_test.go' '^func Fuzz[A-Za-z0-9_]+\(' . | grep -v '^./\.git/')
exit $status

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
	if ! go test -run '^$' -fuzz "^${name}\$" -fuzztime "$fuzztime" "$pkg" >/tmp/koppel-fuzz.log 2>&1; then
		cat /tmp/koppel-fuzz.log
		status=1
	fi
done < <(grep -rE --include='*_test.go' '^func Fuzz[A-Za-z0-9_]+\(' . | grep -v '^./\.git/')
exit $status

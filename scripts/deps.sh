#!/usr/bin/env bash
# make deps: the outside programs koppel's tests need besides Go and make.
#   mdbtools          reads SnelStart desktop's Access files (the snelstart-mdb plugin's tests)
#   chromium          drives the dashboard in the browser tests
#   systemd           systemd-analyze and systemd-sysusers check the service unit (koppel service)
# The container test (podman, the Dockerfile's base images) is not installed here: a machine that
# cannot pull the base images or start containers cannot use podman anyway. TestContainerImage
# builds and runs the image where podman works and otherwise names what is missing;
# KOPPEL_REQUIRE_CONTAINER=1 makes that a failure (a release machine).
# Run as root on Debian/Ubuntu it installs what is missing with apt-get. Otherwise it names what
# is missing and the command to run; the tests needing it then fail, naming it, unless
# KOPPEL_SKIP_MDBTOOLS=1 / KOPPEL_SKIP_BROWSER=1 / KOPPEL_SKIP_SYSTEMD=1 is set to leave them out on purpose.
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
if ! command -v mdb-export >/dev/null && [ "${KOPPEL_SKIP_MDBTOOLS:-}" != 1 ]; then
	need+=(mdbtools)
fi
have_browser=
for b in chromium chromium-browser google-chrome-stable google-chrome; do
	command -v "$b" >/dev/null && have_browser=1 && break
done
if [ -z "$have_browser" ] && [ "${KOPPEL_SKIP_BROWSER:-}" != 1 ]; then
	need+=(chromium)
fi
if ! command -v systemd-analyze >/dev/null && [ "${KOPPEL_SKIP_SYSTEMD:-}" != 1 ]; then
	need+=(systemd)
fi

if [ ${#need[@]} -eq 0 ]; then
	exit
fi

if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
	echo "make deps: installing ${need[*]}"
	apt-get update -qq
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
	exit
fi
echo "make deps: the tests need ${need[*]}, which is not installed." >&2
echo "  install it:   sudo apt-get install ${need[*]}   (or run make deps as root)" >&2
echo "  or leave those tests out on purpose: KOPPEL_SKIP_MDBTOOLS=1 / KOPPEL_SKIP_BROWSER=1 / KOPPEL_SKIP_SYSTEMD=1 make test" >&2
exit 1

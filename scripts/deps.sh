#!/usr/bin/env bash
# make deps: the outside programs koppel's tests need besides Go and make.
#   mdbtools          reads SnelStart desktop's Access files (the snelstart-mdb plugin's tests)
#   chromium          drives the dashboard in the browser tests
#   systemd           systemd-analyze and systemd-sysusers check the service unit (koppel service)
#   podman            builds the Dockerfile and runs the demo in the image; it also needs the
#                     Dockerfile's base images (pulled here when the registry is reachable)
# Run as root on Debian/Ubuntu it installs what is missing with apt-get. Otherwise it names what
# is missing and the command to run; the tests needing it then fail, naming it, unless
# KOPPEL_SKIP_MDBTOOLS=1 / KOPPEL_SKIP_BROWSER=1 / KOPPEL_SKIP_SYSTEMD=1 / KOPPEL_SKIP_CONTAINER=1
# is set to leave them out on purpose.
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
if ! command -v podman >/dev/null && [ "${KOPPEL_SKIP_CONTAINER:-}" != 1 ]; then
	need+=(podman)
fi

# The container test needs the Dockerfile's base images; pull them when they are missing.
pull_bases() {
	[ "${KOPPEL_SKIP_CONTAINER:-}" = 1 ] && return 0
	command -v podman >/dev/null || return 0
	local img
	for img in $(sed -n 's/^ARG \(GO_IMAGE\|BASE_IMAGE\)=//p' Dockerfile); do
		podman image exists "$img" && continue
		if ! podman pull -q "$img" >/dev/null 2>&1; then
			echo "make deps: the container test needs the base image $img, which podman cannot pull here." >&2
			echo "  pull it where a registry is reachable (podman pull $img), or leave the container test" >&2
			echo "  out on purpose: KOPPEL_SKIP_CONTAINER=1 make test" >&2
			return 1
		fi
	done
}

if [ ${#need[@]} -eq 0 ]; then
	pull_bases
	exit
fi

if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
	echo "make deps: installing ${need[*]}"
	apt-get update -qq
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
	pull_bases
	exit
fi
echo "make deps: the tests need ${need[*]}, which is not installed." >&2
echo "  install it:   sudo apt-get install ${need[*]}   (or run make deps as root)" >&2
echo "  or leave those tests out on purpose: KOPPEL_SKIP_MDBTOOLS=1 / KOPPEL_SKIP_BROWSER=1 / KOPPEL_SKIP_SYSTEMD=1 / KOPPEL_SKIP_CONTAINER=1 make test" >&2
exit 1

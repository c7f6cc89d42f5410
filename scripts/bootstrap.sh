#!/usr/bin/env bash
# Set up everything schooltech-fleet needs on a fresh Debian 12 machine, idempotently:
# host packages and podman configuration (scripts/setup-host.sh), a virtual environment
# in .venv with the package, its extras and fake-switches. Quiet when already done.
set -euo pipefail

cd "$(dirname "$0")/.."
ROOT=$(pwd)
VENV=${SCHOOLTECH_VENV:-$ROOT/.venv}
STAMP=$VENV/.schooltech-bootstrap

say() { echo "bootstrap: $*" >&2; }

if [[ $(id -u) -eq 0 ]]; then
    scripts/setup-host.sh
elif command -v sudo >/dev/null; then
    sudo scripts/setup-host.sh
else
    say "not root and no sudo: skipping host packages (podman, debootstrap); the simulated school will not start"
fi

PYTHON=${PYTHON:-python3}
"$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 11))' ||
    { say "Python 3.11 or newer is needed ($PYTHON is $("$PYTHON" -V 2>&1))"; exit 2; }

wanted=$(cat pyproject.toml scripts/bootstrap.sh | sha256sum | cut -d' ' -f1)
if [[ -x $VENV/bin/python && -f $STAMP && $(cat "$STAMP") == "$wanted" ]]; then
    exit 0
fi

say "creating the virtual environment in $VENV (first run takes a few minutes)"
"$PYTHON" -m venv "$VENV"
log=$(mktemp)
trap 'rm -f "$log"' EXIT
if ! {
    "$VENV/bin/pip" install -q --upgrade pip &&
    "$VENV/bin/pip" install -q -e ".[sim,dev]" &&
    # fake-switches pins Twisted<17, which does not build on Python 3.11; its real needs
    # (twisted[conch], tftpy, netaddr, lxml) come with the sim extra.
    "$VENV/bin/pip" install -q --no-deps "fake-switches==1.5.0" &&
    # the wheels 'schooltech node setup' carries to a Debian 12 node (and the simulated one: the tests never
    # download), in the cache directory; a node with another Python gets its own on its first setup
    "$VENV/bin/python" -c 'from schooltech_fleet.nodes.wheelhouse import DEBIAN_12, controller_versions, wheelhouse
wheelhouse(DEBIAN_12, controller_versions())'
} >"$log" 2>&1; then
    tail -n 30 "$log" >&2
    say "installing Python packages failed (see above)"
    exit 1
fi
echo "$wanted" >"$STAMP"
say "ready: $VENV"

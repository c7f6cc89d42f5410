#!/usr/bin/env bash
# Host prerequisites for the simulated school on a fresh Debian 12 machine (run as root).
#
# Idempotent: installs only missing packages and sets only the containers.conf keys that
# podman needs here (runc instead of crun, container ulimits the host allows), keeping any
# other content of /etc/containers/containers.conf. Quiet on success.
set -euo pipefail

PACKAGES=(podman runc debootstrap openssh-client uidmap dpkg-dev apt-utils git python3 python3-venv
          ca-certificates dconf-cli
          # the imaging lab (schooltech_fleet/sim/imaging): VMs (BIOS and UEFI firmware), iPXE,
          # DHCP/TFTP, Wake-on-LAN, the stand-in installer's busybox, Debian's signed shim and GRUB for
          # Secure Boot PCs. dnsmasq-base, not dnsmasq: no
          # dnsmasq service on the host.
          iproute2 qemu-system-x86 ipxe ipxe-qemu seabios ovmf dnsmasq-base wakeonlan busybox-static
          shim-signed grub-efi-amd64-signed
          # systemd-analyze checks the pxe_server role's unit (tests/roles/test_pxe_server.py)
          systemd
          # the real Debian 12 netboot installer (about 40 MB), for the opt-in --slow-installer test
          debian-installer-12-netboot-amd64
          # the fleet report's browser test (tests/report): headless Chromium opens the HTML file
          chromium chromium-headless-shell)
CONF=${SCHOOLTECH_CONTAINERS_CONF:-/etc/containers/containers.conf}

die() {
    echo "setup-host: $*" >&2
    exit 1
}

[[ $(id -u) -eq 0 ]] || die "must run as root (try: sudo $0)"
command -v apt-get >/dev/null || die "apt-get not found: this script supports Debian 12 only"

missing=()
for pkg in "${PACKAGES[@]}"; do
    status=$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)
    [[ $status == "install ok installed" ]] || missing+=("$pkg")
done

if ((${#missing[@]})); then
    log=$(mktemp)
    trap 'rm -f "$log"' EXIT
    export DEBIAN_FRONTEND=noninteractive
    if ! { apt-get update -q && apt-get install -y -q --no-install-recommends "${missing[@]}"; } >"$log" 2>&1; then
        tail -n 20 "$log" >&2
        die "apt-get install ${missing[*]} failed (see output above)"
    fi
fi

mkdir -p "$(dirname "$CONF")"
[[ -e $CONF ]] || : >"$CONF"

# Set key=value inside [section], replacing an existing (possibly multi-line array) value,
# adding the key under an existing section header, or appending the section.
python3 - "$CONF" <<'PY' || die "could not update $CONF"
import re
import sys

path = sys.argv[1]
wanted = {
    "engine": ("runtime", '"runc"'),
    "containers": ("default_ulimits", '["nofile=4096:4096", "nproc=4096:4096"]'),
}
with open(path, encoding="utf-8") as fh:
    lines = fh.read().splitlines()

def section_of(line: str) -> str | None:
    match = re.match(r"^\s*\[\s*([A-Za-z0-9_.-]+)\s*\]\s*(#.*)?$", line)
    return match.group(1) if match else None

out: list[str] = []
current: str | None = None
done: set[str] = set()
skipping_array = False
for line in lines:
    if skipping_array:
        if "]" in line.split("#", 1)[0]:
            skipping_array = False
        continue
    section = section_of(line)
    if section is not None:
        current = section
        out.append(line)
        if section in wanted:
            key, value = wanted[section]
            out.append(f"{key} = {value}")
            done.add(section)
        continue
    if current in wanted:
        key, _ = wanted[current]
        match = re.match(rf"^\s*{key}\s*=(.*)$", line)
        if match:
            rest = match.group(1).split("#", 1)[0]
            if rest.count("[") > rest.count("]"):
                skipping_array = True
            continue
    out.append(line)

for section, (key, value) in wanted.items():
    if section not in done:
        if out and out[-1].strip():
            out.append("")
        out += [f"[{section}]", f"{key} = {value}"]

new = "\n".join(out) + "\n"
with open(path, encoding="utf-8") as fh:
    old = fh.read()
if new != old:
    with open(path + ".tmp", "w", encoding="utf-8") as fh:
        fh.write(new)
    import os
    os.replace(path + ".tmp", path)
PY

podman info >/dev/null 2>&1 || die "podman is installed but 'podman info' fails; check $CONF"

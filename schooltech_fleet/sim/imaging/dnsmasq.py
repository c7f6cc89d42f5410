"""The two dnsmasq configurations of the lab: the school router (plain DHCP) and the boot server.

The boot server is dnsmasq in proxy-DHCP mode beside the router, as on a school network
whose DHCP it may not change. It answers PXE clients only, never leases an address, and:

* a PXE ROM that is not iPXE gets iPXE over TFTP: ``undionly.kpxe`` for BIOS (client
  architecture 0), ``ipxe.efi`` for x86-64 UEFI (architectures 7 and 9);
* a Secure Boot PC (its MAC in ``secure_boot_macs``, the role's ``pxe_server_secure_boot_macs``)
  gets Debian's signed shim as ``bootx64.efi``; shim loads Debian's signed network GRUB
  (``grubx64.efi``) from the same TFTP directory, which reads ``grub/grub.cfg`` (the role's
  ``grub.cfg.j2``) and the PC's ``grub/<mac>.cfg`` from the DHCP ACK's next-server: the
  router names the boot server there for those PCs (see :func:`router_conf`);
* iPXE (DHCP user class ``iPXE``) gets an absolute HTTP URL naming its own MAC
  (``http://<boot server>:<port>/boot/${mac:hexhyp}.ipxe``): no next-server guessing. The
  boot server's address is also put in ``siaddr``: iPXE ignores a proxy offer that names a
  boot file without a next server.

The boot server's configuration is not written here: it is the ``pxe_server`` role's template
(``roles/pxe_server/templates/dnsmasq.conf.j2``) rendered with the lab's values, so the lab
boots its PCs with exactly what a school's boot server gets. Both configurations are checked
with ``dnsmasq --test`` before they run.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from ipaddress import IPv4Address
from pathlib import Path

import jinja2

from schooltech_fleet.errors import SimulationError
from schooltech_fleet.sim.imaging.network import Addressing
from schooltech_fleet.sim.prereqs import run_host_command

#: Debian's iPXE builds (package ipxe) served over TFTP, by client architecture
BIOS_LOADER = Path("/usr/lib/ipxe/undionly.kpxe")
UEFI_LOADER = Path("/usr/lib/ipxe/ipxe.efi")
#: Debian's signed Secure Boot loaders (shim-signed, grub-efi-amd64-signed), served over TFTP by these names
SECURE_BOOT_LOADERS = {
    "bootx64.efi": Path("/usr/lib/shim/shimx64.efi.signed"),
    "grubx64.efi": Path("/usr/lib/grub/x86_64-efi-signed/grubnetx64.efi.signed"),
}
#: where iPXE fetches its per-MAC script (``${mac:hexhyp}`` is expanded by iPXE: 52-54-00-...)
SCRIPT_PATH = "/boot/${mac:hexhyp}.ipxe"
#: the boot server's dnsmasq configuration: the pxe_server role's template, in the checkout
ROLE_TEMPLATES = Path(__file__).resolve().parents[3] / "roles" / "pxe_server" / "templates"
ROLE_TEMPLATE = ROLE_TEMPLATES / "dnsmasq.conf.j2"
#: GRUB's configuration for Secure Boot PCs (grub/grub.cfg on the TFTP root): the role's template
GRUB_TEMPLATE = ROLE_TEMPLATES / "grub.cfg.j2"


@dataclass(frozen=True)
class BootServer:
    """What the boot server's dnsmasq needs: its address, the HTTP port, TFTP root and log."""

    address: IPv4Address
    http_port: int
    tftp_root: Path
    log_file: Path

    @property
    def script_url(self) -> str:
        return f"http://{self.address}:{self.http_port}{SCRIPT_PATH}"


def router_conf(addressing: Addressing, leases: Path, log_file: Path, secure_boot_macs: Sequence[str] = ()) -> str:
    """The school router: DHCP from the pool, the router as gateway and name server, IPv6 router advertisements.

    Like a school's router it hands out a name server (itself: the segment's names only, no
    upstream): Debian's installer stops to ask for one when DHCP names none, before it fetches
    its preseed.

    For the PCs of *secure_boot_macs* it names the boot server as next-server (siaddr) and
    ``bootx64.efi`` as boot file, as a technician sets on a school router for Secure Boot PCs:
    Debian 12's signed GRUB (2.06) takes its TFTP server from the DHCP ACK's siaddr and ignores
    the proxy-DHCP offer, so without it GRUB asks the router for ``grub/grub.cfg``. (dnsmasq,
    like many routers, otherwise puts its own address in siaddr.)
    """
    lines = [
        "# schooltech imaging lab: the school router (plain DHCP, no PXE options; DNS for the segment only)",
        "interface=eth0",
        "bind-interfaces",
        "no-resolv",
        "no-hosts",
        f"dhcp-range={addressing.pool_start},{addressing.pool_end},{addressing.subnet.netmask},1h",
        f"dhcp-option=option:router,{addressing.router}",
        f"dhcp-option=option:dns-server,{addressing.router}",
        "dhcp-authoritative",
        # a lab address is never in use: no 3 s ping before each offer
        "no-ping",
        *(f"dhcp-mac=set:secureboot,{mac.lower()}" for mac in secure_boot_macs),
        *([f"dhcp-boot=tag:secureboot,bootx64.efi,,{addressing.boot_server}"] if secure_boot_macs else []),
        f"dhcp-leasefile={leases}",
        "log-dhcp",
        f"log-facility={log_file}",
    ]
    if addressing.ipv6_prefix is not None:
        lines += ["enable-ra", "dhcp-range=::,constructor:eth0,ra-only"]
    return "\n".join(lines) + "\n"


def boot_server_conf(addressing: Addressing, server: BootServer, secure_boot_macs: Sequence[str] = ()) -> str:
    """The boot server: the pxe_server role's configuration for the lab's one subnet on ``eth0``,
    shim for the PCs of *secure_boot_macs*."""
    return render_role_template(
        {
            "pxe_server_address": str(server.address),
            "pxe_server_http_port": server.http_port,
            "pxe_server_interfaces": ["eth0"],
            "__pxe_server_ranges": [(str(addressing.subnet.network_address), str(addressing.subnet.netmask))],
            "pxe_server_tftp_root": str(server.tftp_root),
            "pxe_server_log_dhcp": True,
            "pxe_server_log_file": str(server.log_file),
            "pxe_server_uefi_loader": "ipxe",
            "pxe_server_secure_boot_macs": list(secure_boot_macs),
        }
    )


def render_role_template(variables: Mapping[str, object], template: Path = ROLE_TEMPLATE) -> str:
    """Render the role's template as Ansible's ``template`` module does (trim_blocks, strict variables).

    *variables* are the template's variables as the role computes them: for the dnsmasq template
    the ``pxe_server_*`` ones it reads plus ``__pxe_server_ranges``, a ``(network, netmask)`` pair
    per served subnet.
    """
    try:
        source = template.read_text(encoding="utf-8")
    except OSError as exc:
        raise SimulationError(
            f"cannot read the pxe_server role's template {template}: {exc.strerror}",
            hint="run the imaging lab from a checkout of schooltech-fleet (it holds roles/)",
        ) from exc
    environment = jinja2.Environment(trim_blocks=True, keep_trailing_newline=True, undefined=jinja2.StrictUndefined)
    try:
        return environment.from_string(source).render(variables)
    except jinja2.TemplateError as exc:
        raise SimulationError(f"cannot render {template}: {exc}") from exc


def check(conf: Path) -> None:
    """``dnsmasq --test`` on *conf*: a SimulationError names dnsmasq's complaint."""
    run_host_command(["dnsmasq", "--test", f"--conf-file={conf}"], what=f"check the dnsmasq configuration {conf}")


def argv(conf: Path, pid_file: Path) -> list[str]:
    """dnsmasq in the foreground on *conf* (as root: the lab's files are private to this user)."""
    return ["dnsmasq", "--keep-in-foreground", f"--conf-file={conf}", f"--pid-file={pid_file}", "--user=root"]

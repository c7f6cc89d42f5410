"""The two dnsmasq configurations of the lab: the school router (plain DHCP) and the boot server.

The boot server is dnsmasq in proxy-DHCP mode beside the router, as on a school network
whose DHCP it may not change. It answers PXE clients only, never leases an address, and:

* a PXE ROM that is not iPXE gets iPXE over TFTP: ``undionly.kpxe`` for BIOS (client
  architecture 0), ``ipxe.efi`` for x86-64 UEFI (architectures 7 and 9);
* iPXE (DHCP user class ``iPXE``) gets an absolute HTTP URL naming its own MAC
  (``http://<boot server>:<port>/boot/${mac:hexhyp}.ipxe``): no next-server guessing. The
  boot server's address is also put in ``siaddr``: iPXE ignores a proxy offer that names a
  boot file without a next server.

Both configurations are checked with ``dnsmasq --test`` before they run.
"""

from __future__ import annotations

from dataclasses import dataclass
from ipaddress import IPv4Address
from pathlib import Path

from schooltech_fleet.sim.imaging.network import Addressing
from schooltech_fleet.sim.prereqs import run_host_command

#: Debian's iPXE builds (package ipxe) served over TFTP, by client architecture
BIOS_LOADER = Path("/usr/lib/ipxe/undionly.kpxe")
UEFI_LOADER = Path("/usr/lib/ipxe/ipxe.efi")
#: where iPXE fetches its per-MAC script (``${mac:hexhyp}`` is expanded by iPXE: 52-54-00-...)
SCRIPT_PATH = "/boot/${mac:hexhyp}.ipxe"


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


def router_conf(addressing: Addressing, leases: Path, log_file: Path) -> str:
    """The school router: DHCP from the pool, the router as gateway, IPv6 router advertisements."""
    lines = [
        "# schooltech imaging lab: the school router (plain DHCP, no PXE options)",
        "port=0",
        "interface=eth0",
        "bind-interfaces",
        f"dhcp-range={addressing.pool_start},{addressing.pool_end},{addressing.subnet.netmask},1h",
        f"dhcp-option=option:router,{addressing.router}",
        "dhcp-authoritative",
        # a lab address is never in use: no 3 s ping before each offer
        "no-ping",
        f"dhcp-leasefile={leases}",
        "log-dhcp",
        f"log-facility={log_file}",
    ]
    if addressing.ipv6_prefix is not None:
        lines += ["enable-ra", "dhcp-range=::,constructor:eth0,ra-only"]
    return "\n".join(lines) + "\n"


def boot_server_conf(addressing: Addressing, server: BootServer) -> str:
    """The boot server: proxy-DHCP, TFTP of iPXE by client architecture, iPXE chained to HTTP."""
    return "\n".join(
        [
            "# schooltech imaging lab: the boot server (proxy-DHCP beside the school router)",
            "port=0",
            "interface=eth0",
            "bind-interfaces",
            f"dhcp-range={addressing.subnet.network_address},proxy,{addressing.subnet.netmask}",
            "log-dhcp",
            f"log-facility={server.log_file}",
            "enable-tftp",
            f"tftp-root={server.tftp_root}",
            "dhcp-userclass=set:ipxe,iPXE",
            f'pxe-service=tag:!ipxe,x86PC,"schooltech: iPXE for BIOS",{BIOS_LOADER.name}',
            f'pxe-service=tag:!ipxe,X86-64_EFI,"schooltech: iPXE for UEFI",{UEFI_LOADER.name}',
            f'pxe-service=tag:!ipxe,BC_EFI,"schooltech: iPXE for UEFI",{UEFI_LOADER.name}',
            f"dhcp-boot=tag:ipxe,{server.script_url},,{server.address}",
        ]
    ) + "\n"


def check(conf: Path) -> None:
    """``dnsmasq --test`` on *conf*: a SimulationError names dnsmasq's complaint."""
    run_host_command(["dnsmasq", "--test", f"--conf-file={conf}"], what=f"check the dnsmasq configuration {conf}")


def argv(conf: Path, pid_file: Path) -> list[str]:
    """dnsmasq in the foreground on *conf* (as root: the lab's files are private to this user)."""
    return ["dnsmasq", "--keep-in-foreground", f"--conf-file={conf}", f"--pid-file={pid_file}", "--user=root"]

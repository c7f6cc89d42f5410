"""The lab's two dnsmasq configurations pass ``dnsmasq --test``; a broken one fails with dnsmasq's words."""

from __future__ import annotations

from ipaddress import IPv4Address
from pathlib import Path

import pytest

from schooltech_fleet.errors import SimulationError
from schooltech_fleet.sim.imaging import dnsmasq
from schooltech_fleet.sim.imaging.network import Addressing

pytestmark = pytest.mark.imaging


def _server(tmp_path: Path) -> dnsmasq.BootServer:
    return dnsmasq.BootServer(
        address=IPv4Address("10.77.0.2"), http_port=8080, tftp_root=tmp_path, log_file=tmp_path / "boot.log"
    )


def test_the_boot_server_config_passes_dnsmasq_test(tmp_path: Path) -> None:
    conf = tmp_path / "boot.conf"
    conf.write_text(dnsmasq.boot_server_conf(Addressing(), _server(tmp_path)), encoding="utf-8")
    dnsmasq.check(conf)


@pytest.mark.parametrize("addressing", [Addressing(), Addressing(ipv6_prefix=None)], ids=["ipv6-ra", "ipv4-only"])
def test_the_router_config_passes_dnsmasq_test(tmp_path: Path, addressing: Addressing) -> None:
    conf = tmp_path / "router.conf"
    conf.write_text(dnsmasq.router_conf(addressing, tmp_path / "leases", tmp_path / "router.log"), encoding="utf-8")
    dnsmasq.check(conf)


def test_a_broken_config_fails_naming_the_line(tmp_path: Path) -> None:
    conf = tmp_path / "boot.conf"
    text = dnsmasq.boot_server_conf(Addressing(), _server(tmp_path))
    conf.write_text(text + "dhcp-range=10.77.0.0,proxy,255.255.255.300\n", encoding="utf-8")
    bad_line = len(text.splitlines()) + 1
    with pytest.raises(SimulationError, match=rf"dnsmasq: .* at line {bad_line} of .*boot\.conf"):
        dnsmasq.check(conf)


def test_ipxe_is_chained_to_an_absolute_url_naming_the_boot_server(tmp_path: Path) -> None:
    server = _server(tmp_path)
    assert server.script_url == "http://10.77.0.2:8080/boot/${mac:hexhyp}.ipxe"
    assert f"dhcp-boot=tag:ipxe,{server.script_url},,10.77.0.2" in dnsmasq.boot_server_conf(Addressing(), server)


def test_secure_boot_pcs_get_shim_from_the_boot_server_and_the_boot_server_as_next_server(tmp_path: Path) -> None:
    macs = ["52:54:00:77:00:0b"]
    boot = dnsmasq.boot_server_conf(Addressing(), _server(tmp_path), macs)
    router = dnsmasq.router_conf(Addressing(), tmp_path / "leases", tmp_path / "router.log", macs)
    assert "dhcp-mac=set:secureboot,52:54:00:77:00:0b" in boot
    shim = '"schooltech: shim and GRUB for Secure Boot",bootx64.efi'
    assert f"pxe-service=tag:!ipxe,tag:secureboot,X86-64_EFI,{shim}" in boot
    # Debian's GRUB reads grub/grub.cfg from the ACK's siaddr, never from the proxy offer
    assert "dhcp-boot=tag:secureboot,bootx64.efi,,10.77.0.2" in router
    assert "dhcp-boot" not in dnsmasq.router_conf(Addressing(), tmp_path / "leases", tmp_path / "router.log")
    for name, text in (("boot.conf", boot), ("router.conf", router)):
        (tmp_path / name).write_text(text, encoding="utf-8")
        dnsmasq.check(tmp_path / name)


def test_the_lab_serves_the_role_s_grub_cfg() -> None:
    text = dnsmasq.render_role_template({}, dnsmasq.GRUB_TEMPLATE)
    assert "source $prefix/${net_default_mac}.cfg\n" in text
    assert text.rstrip().endswith("exit")

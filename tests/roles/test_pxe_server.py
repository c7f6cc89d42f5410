"""The pxe_server role's dnsmasq template and input checks, without a container.

The template is rendered by the same function the imaging lab uses
(:func:`schooltech_fleet.sim.imaging.dnsmasq.render_role_template`) and checked with the
real ``dnsmasq --test``: what the role's ``validate:`` runs. What ``dnsmasq --test`` cannot
catch (a value that adds a line) is refused by the role's own checks, run here by
``ansible-playbook`` on localhost.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

import jinja2
import pytest
import yaml

from schooltech_fleet.imaging import pxe_service
from schooltech_fleet.imaging.pxe_service import LOCAL_BOOT_SCRIPT
from schooltech_fleet.sim.imaging.dnsmasq import render_role_template

from .molecule_env import ROOT
from .test_molecule import VENV_BIN, _lint_env

ROLE = ROOT / "roles" / "pxe_server"
TWO_VLANS = [("10.20.0.0", "255.255.255.0"), ("10.30.0.0", "255.255.254.0")]


def _variables(**overrides: Any) -> dict[str, Any]:
    variables: dict[str, Any] = {
        "pxe_server_address": "10.20.0.5",
        "pxe_server_http_port": 8080,
        "pxe_server_interfaces": ["eth0.20", "eth0.30"],
        "__pxe_server_ranges": TWO_VLANS,
        "pxe_server_tftp_root": "/srv/schooltech-pxe/tftp",
        "pxe_server_log_dhcp": True,
        "pxe_server_log_file": "",
        "pxe_server_uefi_loader": "ipxe",
        "pxe_server_secure_boot_macs": [],
    }
    return variables | overrides


def _dnsmasq_test(tmp_path: Path, text: str) -> subprocess.CompletedProcess[str]:
    conf = tmp_path / "schooltech-pxe.conf"
    conf.write_text(text, encoding="utf-8")
    return subprocess.run(["dnsmasq", "--test", f"--conf-file={conf}"], capture_output=True, text=True, check=False)


def test_two_vlans_give_two_proxy_ranges_and_pass_dnsmasq_test(tmp_path: Path) -> None:
    text = render_role_template(_variables())
    result = _dnsmasq_test(tmp_path, text)
    assert result.returncode == 0, result.stderr
    lines = text.splitlines()
    assert [line for line in lines if line.startswith("dhcp-range=")] == [
        "dhcp-range=10.20.0.0,proxy,255.255.255.0",
        "dhcp-range=10.30.0.0,proxy,255.255.254.0",
    ]
    assert [line for line in lines if line.startswith(("interface=", "bind-interfaces"))] == [
        "interface=eth0.20", "interface=eth0.30", "bind-interfaces"
    ]  # fmt: skip
    assert "port=0" in lines
    assert "dhcp-boot=tag:ipxe,http://10.20.0.5:8080/boot/${mac:hexhyp}.ipxe,,10.20.0.5" in lines


@pytest.mark.parametrize(
    ("overrides", "uefi_lines"),
    [
        (
            {},
            ['pxe-service=tag:!ipxe,X86-64_EFI,"schooltech: iPXE for UEFI",ipxe.efi',
             'pxe-service=tag:!ipxe,BC_EFI,"schooltech: iPXE for UEFI",ipxe.efi'],
        ),
        (
            {"pxe_server_uefi_loader": "shim"},
            ['pxe-service=tag:!ipxe,X86-64_EFI,"schooltech: shim and GRUB for Secure Boot",bootx64.efi',
             'pxe-service=tag:!ipxe,BC_EFI,"schooltech: shim and GRUB for Secure Boot",bootx64.efi'],
        ),
        (
            {"pxe_server_secure_boot_macs": ["52:54:00:AA:00:01"]},
            ['pxe-service=tag:!ipxe,tag:secureboot,X86-64_EFI,"schooltech: shim and GRUB for Secure Boot",bootx64.efi',
             'pxe-service=tag:!ipxe,tag:!secureboot,X86-64_EFI,"schooltech: iPXE for UEFI",ipxe.efi',
             'pxe-service=tag:!ipxe,tag:secureboot,BC_EFI,"schooltech: shim and GRUB for Secure Boot",bootx64.efi',
             'pxe-service=tag:!ipxe,tag:!secureboot,BC_EFI,"schooltech: iPXE for UEFI",ipxe.efi'],
        ),
    ],
    ids=["ipxe", "shim-for-all", "shim-for-listed-macs"],
)  # fmt: skip
def test_uefi_clients_get_ipxe_or_the_signed_shim(
    tmp_path: Path, overrides: dict[str, Any], uefi_lines: list[str]
) -> None:
    text = render_role_template(_variables(**overrides))
    assert _dnsmasq_test(tmp_path, text).returncode == 0
    services = [line for line in text.splitlines() if line.startswith("pxe-service=")]
    assert services == ['pxe-service=tag:!ipxe,x86PC,"schooltech: iPXE for BIOS",undionly.kpxe', *uefi_lines]
    if overrides.get("pxe_server_secure_boot_macs"):
        assert "dhcp-mac=set:secureboot,52:54:00:aa:00:01" in text.splitlines()


@pytest.mark.parametrize(
    "ranges",
    [[("10.20.0.300", "255.255.255.0")], [("10.20.0", "255.255.255.0")], [("10.20.0.0", "255.255.255.300")]],
    ids=["octet-over-255", "three-octets", "netmask-octet-over-255"],
)
def test_a_bad_subnet_that_slips_through_fails_dnsmasq_test(tmp_path: Path, ranges: list[tuple[str, str]]) -> None:
    """The role's ``validate:`` is the second line: dnsmasq refuses the file, naming the line."""
    text = render_role_template(_variables(__pxe_server_ranges=[TWO_VLANS[0], *ranges]))
    result = _dnsmasq_test(tmp_path, text)
    assert result.returncode != 0
    bad = "dhcp-range={},proxy,{}".format(*ranges[0])
    bad_line = next(number for number, line in enumerate(text.splitlines(), 1) if line == bad)
    assert f"at line {bad_line} of" in result.stderr


@pytest.mark.parametrize(
    "overrides",
    [{"pxe_server_interfaces": ["eth0\ndhcp-script=/tmp/evil"]},
     {"__pxe_server_ranges": [("10.20.0.0", "255.255.0.255")]},
     {"__pxe_server_ranges": [("10.20.0.0", "")]}],
    ids=["interface-adding-a-line", "non-contiguous-netmask", "empty-netmask"],
)  # fmt: skip
def test_what_dnsmasq_test_lets_through(tmp_path: Path, overrides: dict[str, Any]) -> None:
    """Why the role checks its inputs first (and takes subnets as CIDR): these pass ``dnsmasq --test``."""
    assert _dnsmasq_test(tmp_path, render_role_template(_variables(**overrides))).returncode == 0


@pytest.mark.parametrize(
    ("variables", "message"),
    [
        ({"pxe_server_subnets": ["10.20.0.0/24", "10.20.0.300/24", "10.30.0.9/24"]},
         'not valid: ["10.20.0.300/24", "10.30.0.9/24"]'),
        ({"pxe_server_subnets": ["10.20.0.0/24", "10.20.0.0/24"]}, "each served VLAN subnet once"),
        ({"pxe_server_subnets": []}, "each served VLAN subnet once"),
        ({"pxe_server_address": "10.20.0"}, 'not "10.20.0"'),
        ({"pxe_server_interfaces": ["eth0\ndhcp-script=/tmp/evil"]}, "must be interface names"),
        ({"pxe_server_secure_boot_macs": ["52-54-00-aa-00-01"]}, "MACs written 52:54:00:12:34:56"),
        ({"pxe_server_http_port": 70000}, "a port"),
        ({"pxe_server_tftp_root": "/srv/tftp\nenable-ra"}, "pxe_server_tftp_root must be an absolute path"),
        ({"pxe_server_token_port": 8080}, "a port other than pxe_server_http_port"),
        ({"pxe_server_wake_broadcasts": ["10.20.0.255", "10.20.0.255/24"]}, "IPv4 addresses"),
        ({"pxe_server_wake_port": 0}, "IPv4 addresses"),
    ],
    ids=["bad-subnets", "duplicate-subnet", "no-subnet", "bad-address", "interface-with-newline",
         "mac-with-hyphens", "port-out-of-range", "path-with-newline", "token-port-is-http-port",
         "wake-broadcast-not-an-address", "wake-port-zero"],
)  # fmt: skip
def test_the_role_refuses_hostile_inputs_before_writing_anything(
    tmp_path: Path, variables: dict[str, Any], message: str
) -> None:
    result = _run_role_checks(tmp_path, variables)
    output = result.stdout + result.stderr
    assert result.returncode == 2, output
    assert message in output.replace("\\n", "\n").replace('\\"', '"'), output


def test_two_vlans_and_a_secure_boot_mac_pass_the_role_checks(tmp_path: Path) -> None:
    result = _run_role_checks(tmp_path, {"pxe_server_secure_boot_macs": ["52:54:00:AA:00:01"]})
    assert result.returncode == 0, result.stdout + result.stderr


def _run_role_checks(tmp_path: Path, variables: dict[str, Any]) -> subprocess.CompletedProcess[str]:
    """The role's ``tasks/validate.yml`` on localhost with two good VLANs and *variables* on top."""
    good = {"pxe_server_address": "10.20.0.5", "pxe_server_subnets": ["10.20.0.0/24", "10.30.0.0/23"]}
    playbook = tmp_path / "validate.yml"
    playbook.write_text(yaml.safe_dump([{
        "name": "Check pxe_server's inputs", "hosts": "localhost", "gather_facts": False,
        "tasks": [{"name": "Validate", "ansible.builtin.include_role": {"name": "pxe_server",
                                                                          "tasks_from": "validate.yml"}}],
    }]))  # fmt: skip
    extra = tmp_path / "vars.json"
    extra.write_text(json.dumps(good | variables))
    env = _lint_env() | {"ANSIBLE_ROLES_PATH": str(ROOT / "roles"), "ANSIBLE_NOCOLOR": "1"}
    return subprocess.run(
        [str(VENV_BIN / "ansible-playbook"), "-i", "localhost,", "-c", "local", "-e", f"@{extra}", str(playbook)],
        capture_output=True, text=True, env=env, cwd=tmp_path, timeout=120, check=False,
    )  # fmt: skip


def test_the_fallback_script_is_the_labs_local_boot_script() -> None:
    """A PC without an entry boots from its disk, on a school's boot server as in the lab."""
    assert (ROLE / "files" / "local.ipxe").read_text(encoding="utf-8") == LOCAL_BOOT_SCRIPT


def test_the_token_service_the_role_installs_is_the_packages_module() -> None:
    """One token logic: the role ships the very file the imaging lab runs, not a copy."""
    assert (ROLE / "files" / "schooltech-pxe").resolve() == Path(pxe_service.__file__).resolve()


def test_the_token_services_systemd_unit_passes_systemd_analyze(tmp_path: Path) -> None:
    internals = yaml.safe_load((ROLE / "vars" / "main.yml").read_text(encoding="utf-8"))
    environment = jinja2.Environment(undefined=jinja2.StrictUndefined)
    environment.filters["dirname"] = os.path.dirname
    source = (ROLE / "templates" / "schooltech-pxe.service.j2").read_text(encoding="utf-8")
    unit = tmp_path / "schooltech-pxe.service"
    unit.write_text(environment.from_string(source).render(
        pxe_server_http_root="/srv/schooltech-pxe/http", pxe_server_tftp_root="/srv/schooltech-pxe/tftp",
        __pxe_server_token_program=internals["__pxe_server_token_program"],
        __pxe_server_token_config=internals["__pxe_server_token_config"],
        __pxe_server_token_log=internals["__pxe_server_token_log"],
    ))  # fmt: skip
    result = subprocess.run(["systemd-analyze", "verify", str(unit)], capture_output=True, text=True, check=False)
    assert result.returncode == 0 and "schooltech-pxe" not in result.stderr, result.stderr
    assert "ExecStart=/usr/bin/python3 /usr/local/sbin/schooltech-pxe --config /etc/schooltech-pxe.json serve" in (
        unit.read_text().splitlines()
    )


def test_the_loaders_copied_are_the_ones_the_template_names() -> None:
    internals = yaml.safe_load((ROLE / "vars" / "main.yml").read_text(encoding="utf-8"))
    copied = {loader["name"] for key in ("__pxe_server_ipxe_loaders", "__pxe_server_secure_boot_loaders")
              for loader in internals[key]}  # fmt: skip
    template = (ROLE / "templates" / "dnsmasq.conf.j2").read_text(encoding="utf-8")
    named = {line.rsplit(",", 1)[1] for line in template.splitlines() if line.startswith("pxe-service=")}
    assert named == copied - {"grubx64.efi"}  # shim loads grubx64.efi from beside itself

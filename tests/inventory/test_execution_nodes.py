"""A site's execution node: validated by check at its line, carried by the site's devices, explained."""

from __future__ import annotations

import contextlib
import io
from pathlib import Path

import pytest

from schooltech_fleet.cli import main
from schooltech_fleet.inventory import explain_host, load_fleet
from schooltech_fleet.inventory.findings import display_path

from .helpers import TODAY, located, only, pos, run_check, write_school, write_simulation_layer

HOST_KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIKawLEFDaHEWQYM8RXaUGgFc1CmOi5IUhA9BQs329iZv node"
RSA_BLOB = "AAAAB3NzaC1yc2EAAAADAQABAAAAgQDRpmi+x4KiX1icgW1HQbos"


def sites(node: str) -> str:
    return f"- name: main\n  execution_node: {node}\n"


def test_a_node_with_its_host_key_passes_check_and_every_device_of_the_site_carries_it(tmp_path: Path) -> None:
    node = f'{{host: 10.9.99.5, port: 2222, user: schooltech, host_key: "{HOST_KEY}"}}'
    path, _ = write_school(tmp_path, sites=sites(node))
    assert not run_check(path).findings
    fleet = load_fleet(path, TODAY)
    assert fleet.host_vars("TST-C1-PC01")["execution_node"] == {
        "host": "10.9.99.5", "port": 2222, "user": "schooltech", "host_key": HOST_KEY}  # fmt: skip


def test_a_site_without_a_node_gives_its_devices_no_node_variable(tmp_path: Path) -> None:
    path, _ = write_school(tmp_path, sites="- name: main\n")
    assert "execution_node" not in load_fleet(path, TODAY).host_vars("TST-C1-PC01")


def test_a_node_without_a_host_key_is_a_warning_that_names_node_setup(tmp_path: Path) -> None:
    path, text = write_school(tmp_path, sites=sites("{host: 10.9.99.5, user: schooltech}"))
    finding = only(run_check(path), "warning")
    assert located(finding) == (finding.file, *pos(text, "execution_node"), "node")
    assert "schooltech node setup --school TST" in finding.hint
    assert "ssh-keyscan -p 22 10.9.99.5" in finding.hint


@pytest.mark.parametrize(
    ("host", "why"),
    [("192.0.2.10", "is outside the networks school TST declares"),
     ("10.9.99.1", "is the network, broadcast or gateway address of VLAN 'management'"),
     ("10.9.99.255", "is the network, broadcast or gateway address")],
)  # fmt: skip
def test_the_node_address_is_held_to_the_network_guards_default(tmp_path: Path, host: str, why: str) -> None:
    path, text = write_school(tmp_path, sites=sites(f'{{host: {host}, user: schooltech, host_key: "{HOST_KEY}"}}'))
    finding = only(run_check(path))
    assert located(finding) == (finding.file, *pos(text, "execution_node", host), "address")
    assert why in finding.message


@pytest.mark.parametrize(
    ("key", "why"),
    [(f"@cert-authority * {HOST_KEY}", "must start with one of ssh-ed25519"),
     (f"10.9.99.5 {HOST_KEY}", "must start with one of"),
     ("ssh-ed25519 not*base64", "its key data is not base64"),
     (f"ssh-ed25519 {RSA_BLOB}", "is not a ssh-ed25519 key"),
     ("ssh-ed25519", "must start with one of")],
)  # fmt: skip
def test_a_host_key_is_one_public_key_line_of_the_type_it_names(tmp_path: Path, key: str, why: str) -> None:
    path, text = write_school(tmp_path, sites=sites(f'{{host: 10.9.99.5, user: schooltech, host_key: "{key}"}}'))
    finding = only(run_check(path))
    assert located(finding) == (finding.file, *pos(text, "host_key", f'"{key}'), "schema")
    assert why in finding.message
    assert "ssh-keyscan" in finding.hint


@pytest.mark.parametrize(
    ("field", "value"),
    [("user", '"-oProxyCommand=sh"'), ("user", "root@10.9.99.6"), ("port", '"22"'), ("port", "0"),
     ("host", "node.school.example"), ("host", '"10.9.99.5 -p 23"')],
)  # fmt: skip
def test_user_port_and_host_take_nothing_ssh_would_read_as_more(tmp_path: Path, field: str, value: str) -> None:
    node = {"host": "10.9.99.5", "user": "schooltech", "host_key": f'"{HOST_KEY}"', field: value}
    written = "{" + ", ".join(f"{k}: {v}" for k, v in node.items()) + "}"
    path, text = write_school(tmp_path, sites=sites(written))
    finding = only(run_check(path))
    line, column = pos(text, "execution_node", f"{field}: {value}")
    assert located(finding) == (finding.file, line, column + len(f"{field}: "), "schema")


def test_explain_shows_each_node_field_and_the_line_that_set_it(tmp_path: Path) -> None:
    path, text = write_school(tmp_path, sites=sites("{host: 10.9.99.5, user: schooltech}"))
    explained = {v.name: v for v in explain_host(path, "TST-C1-PC01", TODAY).variables}
    host = explained["execution_node.host"]
    assert (host.value, host.source and (host.source.line, host.source.column)) == (
        "10.9.99.5", pos(text, "execution_node", "10.9.99.5"))  # fmt: skip
    assert "jobs of site main run on this node" in host.note
    assert explained["execution_node.host_key"].value is None
    assert explained["execution_node.host_key"].note == "not recorded yet"
    assert explained["execution_node.port"].note == "default"


def test_inventory_show_explain_prints_the_node_with_its_file_and_line(tmp_path: Path) -> None:
    path, text = write_school(tmp_path, sites=sites("{host: 10.9.99.5, user: schooltech}"))
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = main(["inventory", "show", "TST-C1-PC01", "--explain", "-i", str(path)])
    line, column = pos(text, "execution_node", "10.9.99.5")
    assert code == 0
    assert f"execution_node.host = 10.9.99.5\n    <- school: {display_path(path)}:{line}:{column}" in out.getvalue()


SWITCH = """
- name: TST-SW1
  platform: cisco_ios
  mgmt_ip: 10.9.99.11
  access_ports: 24
  uplinks:
    - {port: 25, description: to the router}
"""


def test_a_node_with_switches_via_node_gives_the_sites_switches_the_jump_variable(tmp_path: Path) -> None:
    node = f'{{host: 10.9.99.5, user: schooltech, host_key: "{HOST_KEY}", switches_via_node: true}}'
    path, _ = write_school(tmp_path, sites=sites(node), switches=SWITCH)
    assert not run_check(path).findings
    fleet = load_fleet(path, TODAY)
    assert fleet.host_vars("TST-SW1")["switch_jump_node"] == {
        "host": "10.9.99.5", "port": 22, "user": "schooltech", "host_key": HOST_KEY}  # fmt: skip
    assert "switch_jump_node" not in fleet.host_vars("TST-C1-PC01")  # PCs keep execution_node only


def test_a_node_without_switches_via_node_leaves_switch_sessions_direct(tmp_path: Path) -> None:
    path, _ = write_school(tmp_path, sites=sites(f'{{host: 10.9.99.5, user: schooltech, host_key: "{HOST_KEY}"}}'),
                           switches=SWITCH)  # fmt: skip
    assert "switch_jump_node" not in load_fleet(path, TODAY).host_vars("TST-SW1")


def test_switches_via_node_without_a_host_key_is_an_error(tmp_path: Path) -> None:
    path, text = write_school(tmp_path, sites=sites("{host: 10.9.99.5, user: schooltech, switches_via_node: true}"),
                              switches=SWITCH)  # fmt: skip
    finding = only(run_check(path))
    assert located(finding) == (finding.file, *pos(text, "execution_node", "true"), "node")
    assert "switch password would go through a node nobody verified" in finding.message


def test_switches_via_node_is_a_boolean_not_text(tmp_path: Path) -> None:
    node = f'{{host: 10.9.99.5, user: schooltech, host_key: "{HOST_KEY}", switches_via_node: "yes"}}'
    path, text = write_school(tmp_path, sites=sites(node), switches=SWITCH)
    finding = only(run_check(path))
    assert located(finding) == (finding.file, *pos(text, "execution_node", '"yes"'), "schema")


def test_explain_shows_a_switch_reaches_through_the_node_at_the_line_that_says_so(tmp_path: Path) -> None:
    node = f'{{host: 10.9.99.5, user: schooltech, host_key: "{HOST_KEY}", switches_via_node: true}}'
    path, text = write_school(tmp_path, sites=sites(node), switches=SWITCH)
    explained = {v.name: v for v in explain_host(path, "TST-SW1", TODAY).variables}
    jump = explained["switch_jump_node"]
    assert jump.source is not None and (jump.source.line, jump.source.column) == pos(text, "switches_via_node", "true")
    assert jump.note == "sessions with this switch go through the execution node of site main"


def test_a_simulated_school_runs_on_its_simulated_node_with_the_simulations_key_and_passes_check(
    tmp_path: Path,
) -> None:
    real = f'{{host: 10.9.99.5, user: schooltech, host_key: "{HOST_KEY}"}}'
    path, _ = write_school(tmp_path, sites=sites(real))
    write_simulation_layer(tmp_path, f'{{host: 127.0.0.1, port: 22002, user: fleetadmin, host_key: "{HOST_KEY}"}}')

    assert not run_check(path).findings
    assert load_fleet(path, TODAY).host_vars("TST-C1-PC01")["execution_node"] == {
        "host": "127.0.0.1", "port": 22002, "user": "fleetadmin", "host_key": HOST_KEY, "identity_file": "/sim/id"}
    explained = {v.name: v for v in explain_host(path, "TST-C1-PC01", TODAY).variables}
    assert explained["execution_node.identity_file"].note == "while 'schooltech sim up --execution-node' runs"


def test_a_simulated_school_without_its_node_in_the_layer_never_sends_a_job_to_the_real_node(tmp_path: Path) -> None:
    path, _ = write_school(tmp_path, sites=sites(f'{{host: 10.9.99.5, user: schooltech, host_key: "{HOST_KEY}"}}'))
    write_simulation_layer(tmp_path, None)

    assert "execution_node" not in load_fleet(path, TODAY).host_vars("TST-C1-PC01")


def test_a_simulated_node_off_loopback_or_without_its_host_key_is_refused(tmp_path: Path) -> None:
    path, _ = write_school(tmp_path, sites="- name: main\n")
    write_simulation_layer(tmp_path, f'{{host: 10.9.99.5, port: 22002, user: fleetadmin, host_key: "{HOST_KEY}"}}')
    assert "not a loopback address" in only(run_check(path)).message
    write_simulation_layer(tmp_path, "{host: 127.0.0.1, port: 22002, user: fleetadmin}")
    assert "host_key" in only(run_check(path)).message

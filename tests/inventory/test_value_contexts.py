"""Values that land in a quoted or structured context are refused by check where they cannot be data there.

Each case writes a school whose one hostile value would break out of its context (apt.conf's
quotes, /etc/environment, a comma- or ';'-separated list, winget's command line, a licence
file line, a file copied to every PC) and expects the finding at that value. The consumers'
own parsers read what the roles render from accepted values in ``tests/roles/test_quoted_contexts.py``;
the SSH arguments of the simulation layer are read here by Ansible's split and ``ssh -G``.
"""

from __future__ import annotations

import shlex
import subprocess
from pathlib import Path

import pytest
from ansible.plugins.connection import ConnectionBase

from schooltech_fleet.inventory import explain_host
from schooltech_fleet.inventory.resolve import ssh_common_args, ssh_config_word

from .helpers import DEFAULT_ROOMS, located, only, pos, run_check, write, write_school

PEM = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"
KEY = "-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----\n"


def refused(tmp_path: Path, line_with: str, at: str, **sections: str) -> tuple[str, str]:
    """The one finding of a school of these *sections*, at *at* on the line with *line_with*: (message, hint)."""
    path, text = write_school(tmp_path, **sections)
    finding = only(run_check(path))
    assert located(finding) == (str(path), *pos(text, line_with, at), "schema"), finding.text()
    return finding.message, finding.hint


# --- web filter: apt.conf, /etc/environment, Windows' proxy settings ------------------------

APT_BREAKOUT = '"http://x/\\"; APT::Update::Pre-Invoke {\\"touch /tmp/PWNED\\";}; X \\""'


@pytest.mark.parametrize(
    ("written", "contains"),
    [
        (APT_BREAKOUT, '"'),
        ('"http://10.20.99.3:3128/$(touch /tmp/PWNED)"', "$"),
        ('"http://10.20.99.3:3128/`id`"', "`"),
        ('"http://10.20.99.3:3128/#"', "#"),
        ('"http://10.20.99.3:3128\\\\"', "\\"),
        ('"http://user:secret@10.20.99.3:3128"', "@"),
        ("http://10.20.99.3:3128/path", None),
        ("http://10.20.99.3:99999", None),
        ("ftp://10.20.99.3", None),
        ("10.20.99.3:3128", None),
    ],
)
def test_a_proxy_url_that_is_not_scheme_host_and_port_is_refused(tmp_path: Path, written: str, contains: str) -> None:
    settings = f"web_filter: {{proxy_url: {written}}}"
    message, hint = refused(tmp_path, "proxy_url", written, settings=settings)
    assert message.startswith("settings.web_filter.proxy_url: ")
    assert "is not a proxy URL http://HOST:PORT" in message
    assert "apt.conf and /etc/environment take it between double quotes" in message
    assert (f"(it contains {contains!r})" in message) == (contains is not None)
    assert hint == "write a proxy URL http://HOST:PORT only, e.g. http://10.20.99.3:3128"


@pytest.mark.parametrize("url", ["http://10.20.99.3:3128", "https://filter.school.example:8080/", "http://proxy"])
def test_a_proxy_url_of_scheme_host_and_port_passes(tmp_path: Path, url: str) -> None:
    path, _ = write_school(tmp_path, settings=f"web_filter: {{proxy_url: {url}}}")
    assert run_check(path).findings == ()


@pytest.mark.parametrize(
    ("written", "contains"),
    [("'*'", "*"), ('"a.example,b.example"', ","), ('"a.example;b.example"', ";"), ('"*.example.org"', "*"),
     ('"x\\" y"', '"'), ('"$(id)"', "$"), ('"a b"', " ")],
)  # fmt: skip
def test_a_proxy_exception_that_would_split_or_widen_the_list_is_refused(
    tmp_path: Path, written: str, contains: str
) -> None:
    settings = f"web_filter: {{no_proxy: [localhost, {written}]}}"
    message, _ = refused(tmp_path, "no_proxy", written, settings=settings)
    assert message.startswith("settings.web_filter.no_proxy[1]: ")
    assert f"(it contains {contains!r})" in message
    assert "a '*' would take every site past the filter" in message


def test_hosts_domains_addresses_and_subnets_are_proxy_exceptions(tmp_path: Path) -> None:
    settings = "web_filter: {no_proxy: [localhost, 127.0.0.1, .school.example.org, 10.0.0.0/8, intranet]}"
    path, _ = write_school(tmp_path, settings=settings)
    assert run_check(path).findings == ()


# --- packages: apt's NAME=VERSION, winget's --id ID and --version VERSION, the source line ------


@pytest.mark.parametrize(
    ("written", "what"),
    [("--override=/S", "a winget package id"), ('"Vendor.App --force"', "a winget package id"),
     ("Vendor.App=1.0", "a winget package id")],
)  # fmt: skip
def test_a_winget_id_that_would_be_an_option_or_a_pin_is_refused(tmp_path: Path, written: str, what: str) -> None:
    software = f"extra: {{windows_packages: [Mozilla.Firefox.ESR, {written}]}}"
    message, hint = refused(tmp_path, "windows_packages", written, software_sets=software)
    assert message.startswith(f"software_sets.extra.windows_packages[1]: {written.strip(chr(34))!r} is not {what}")
    assert "winget takes it after --id" in message
    assert hint == "write a winget package id only, e.g. Mozilla.Firefox.ESR"


@pytest.mark.parametrize("written", ['"1.0 --allow-unauthenticated"', '"=1.0"', '"1.0,evil=2"', '"latest"'])
def test_a_package_version_that_is_not_a_version_is_refused(tmp_path: Path, written: str) -> None:
    software = f"extra: {{packages: [{{name: thonny, version: {written}}}]}}"
    message, _ = refused(tmp_path, "version", written, software_sets=software)
    assert message.startswith("software_sets.extra.packages[0].version: ")
    assert "apt takes it in NAME=VERSION and winget after --version" in message


@pytest.mark.parametrize(
    "written",
    [
        '"deb http://10.20.99.10/apt"',
        '"rpm http://x y z"',
        '"deb [a] [b] http://x y"',
        '"deb http://x bookworm \\u00a0"',
    ],
)
def test_a_software_repository_that_is_not_one_source_line_is_refused(tmp_path: Path, written: str) -> None:
    message, _ = refused(tmp_path, "software_repository", written, settings=f"software_repository: {written}")
    assert message.startswith("settings.software_repository: ")
    assert "is not an APT source line: it becomes the one line of a sources.list.d file" in message


# --- the licence file: server=HOST:PORT ----------------------------------------------------


@pytest.mark.parametrize("written", ['"lic:27000 key=stolen"', '"10.20.99.10"', '"10.20.99.10:0"', '"=x:1"'])
def test_a_licence_server_that_is_not_host_and_port_is_refused(tmp_path: Path, written: str) -> None:
    licences = f"""
    - id: daw
      product: StudioScore Network
      type: concurrent
      seats: 10
      rooms: [C1]
      server: {written}
    """
    message, hint = refused(tmp_path, "server:", written, licences=licences)
    assert message.startswith("licences[0].server: ")
    assert hint == "write HOST:PORT only, e.g. 10.20.99.10:27000"


# --- the filter's CA certificate: a file a job copies from the controller to every PC ---------


@pytest.mark.parametrize("written", ["/etc/ssl/private/server.pem", "../../etc/ssl/private/server.pem",
                                     "files/../../x.pem", ".hidden/ca.pem"])  # fmt: skip
def test_a_ca_certificate_outside_the_school_folder_is_refused_by_its_path(tmp_path: Path, written: str) -> None:
    message, hint = refused(tmp_path, "ca_cert", written, settings=f"web_filter: {{ca_cert: {written}}}")
    assert message.startswith(f"settings.web_filter.ca_cert: {written!r} is not a path below the school file's folder")
    assert "a job copies this file from the controller to every lab PC" in message
    assert hint == "write a path below the school file's folder only, e.g. files/rvs-filter-ca.pem"


def test_a_ca_certificate_that_links_outside_the_school_folder_is_refused(tmp_path: Path) -> None:
    outside = tmp_path / "controller" / "server.pem"
    outside.parent.mkdir()
    outside.write_text(PEM, encoding="utf-8")
    school = tmp_path / "school"
    (school / "files").mkdir(parents=True)
    (school / "files" / "ca.pem").symlink_to(outside)
    path, text = write_school(school, settings="web_filter: {ca_cert: files/ca.pem}")
    finding = only(run_check(path))
    assert located(finding) == (str(path), *pos(text, "ca_cert", "files/ca.pem"), "file")
    assert finding.message == (
        f"files/ca.pem is a link to {outside}, outside the school file's folder: a job would copy that file "
        "from the controller to every lab PC"
    )


def test_a_ca_certificate_file_holding_a_private_key_is_refused(tmp_path: Path) -> None:
    write(tmp_path, PEM + KEY, "files/ca.pem")
    path, text = write_school(tmp_path, settings="web_filter: {ca_cert: files/ca.pem}")
    finding = only(run_check(path))
    assert located(finding) == (str(path), *pos(text, "ca_cert", "files/ca.pem"), "file")
    assert finding.message.startswith("files/ca.pem holds more than certificates (a private key?)")


def test_a_ca_certificate_below_the_school_folder_passes(tmp_path: Path) -> None:
    write(tmp_path, PEM, "files/ca.pem")
    path, _ = write_school(tmp_path, settings="web_filter: {ca_cert: files/ca.pem}")
    assert run_check(path).findings == ()


# --- the simulation layer: paths that reach ssh's command line --------------------------------

LAYER = """\
schooltech_sim: 1
simulation: sim-test
started: "2026-10-01T08:00:00Z"
connection:
  ssh_user: fleetadmin
  ssh_private_key: KEY
  ssh_known_hosts: KNOWN_HOSTS
  switch_username: schooltech
  switch_password_file: /var/lib/schooltech/sim/switch-password
schools:
  TST:
    devices:
      TST-C1-PC01: {host: 127.0.0.1, port: 2222}
"""


def simulated(tmp_path: Path, known_hosts: str, key: str = "/var/lib/schooltech/sim/id_ed25519") -> tuple[Path, str]:
    """A school with one simulated lab PC; the layer's path and text."""
    write_school(tmp_path, rooms=DEFAULT_ROOMS)
    layer = LAYER.replace("KNOWN_HOSTS", known_hosts).replace("KEY", key)
    return write(tmp_path, layer, ".schooltech-sim.yml"), layer


@pytest.mark.parametrize(
    ("field", "written", "contains"),
    [("ssh_known_hosts", '"/var/lib/x/%d/known_hosts"', "%"), ("ssh_known_hosts", '"/var/lib/${HOME}/kh"', "$"),
     ("ssh_private_key", '"/var/lib/x\\" -o ProxyCommand=\\"touch /tmp/PWNED"', '"'),
     ("ssh_known_hosts", "var/lib/kh", None)],
)  # fmt: skip
def test_a_simulation_path_ssh_would_expand_or_misquote_is_refused(
    tmp_path: Path, field: str, written: str, contains: str | None
) -> None:
    if field == "ssh_known_hosts":
        layer_path, layer = simulated(tmp_path, written)
    else:
        layer_path, layer = simulated(tmp_path, "/var/lib/schooltech/sim/known_hosts", key=written)
    finding = only(run_check(tmp_path / "tst.school.yml"))
    assert located(finding) == (str(layer_path), *pos(layer, field, written), "schema")
    assert finding.message.startswith(f"connection.{field}: ")
    assert (f"(it contains {contains!r})" in finding.message) == (contains is not None)


HOSTILE_KNOWN_HOSTS = [
    "/tmp/kh -o ProxyCommand=touch /tmp/PWNED",  # would be two more options after Ansible's split
    "none -o ProxyCommand=touch /tmp/PWNED",  # ssh refuses 'none' beside other words: passing proves it is one
    "/tmp/a \"b\" 'c' \\d #e %f",  # ssh's own quoting, comments and % tokens
]


def ssh_config(args: list[str]) -> dict[str, str]:
    """What ssh makes of *args* (``ssh -G``: the configuration it would use, without connecting)."""
    argv = ["ssh", "-G", "-F", "none", *args, "-p", "2222", "127.0.0.1"]
    done = subprocess.run(argv, capture_output=True, text=True, timeout=30, check=False, stdin=subprocess.DEVNULL)
    assert done.returncode == 0, done.stderr
    return dict(line.split(" ", 1) for line in done.stdout.splitlines() if " " in line)


@pytest.mark.parametrize("known_hosts", HOSTILE_KNOWN_HOSTS)
def test_the_known_hosts_path_reaches_ssh_as_one_file_never_as_an_option(known_hosts: str) -> None:
    args = ConnectionBase._split_ssh_args(ssh_common_args(known_hosts))  # how Ansible's ssh connection splits them
    assert args == ["-o", f"UserKnownHostsFile={ssh_config_word(known_hosts)}", "-o", "StrictHostKeyChecking=yes"]
    config = ssh_config(args)
    assert config["userknownhostsfile"] == known_hosts
    assert config["stricthostkeychecking"] == "true"
    assert "proxycommand" not in config


def test_pasted_unquoted_the_same_path_would_have_added_a_proxy_command() -> None:
    # what simulation_vars did before: the test above would catch a return to it
    naive = f"-o UserKnownHostsFile={HOSTILE_KNOWN_HOSTS[0]} -o StrictHostKeyChecking=yes"
    assert ssh_config(ConnectionBase._split_ssh_args(naive))["proxycommand"] == "touch"


def test_inventory_show_gives_the_quoted_ssh_arguments_of_a_simulated_pc(tmp_path: Path) -> None:
    known_hosts = "/var/lib/school tech/sim/known_hosts"
    simulated(tmp_path, known_hosts)
    explanation = explain_host(tmp_path, "TST-C1-PC01")
    values = {var.name: var.value for var in explanation.variables}
    assert shlex.split(values["ansible_ssh_common_args"]) == [
        "-o", f'UserKnownHostsFile="{known_hosts}"', "-o", "StrictHostKeyChecking=yes"
    ]  # fmt: skip

"""What the roles write between quotes or into structured files comes out as data, read by the consumer's parser.

Each context renders values through Ansible's own templating (as the template action calls it)
and hands the result to the program that reads it on a lab PC: ``apt-config`` for apt.conf,
``sh`` for /etc/environment, ``apt-get indextargets`` for the school's source line, ``dconf
compile`` for the login-screen banner, Python's configparser for the licence file. Values are
the ones ``schooltech check`` accepts (generated from its patterns, or its text types), the
hostile ones are refused by check and by the role's own assert: both are proved here.
"""

from __future__ import annotations

import ast
import configparser
import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml
from ansible.parsing.dataloader import DataLoader
from ansible.template import Templar, trust_as_template
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import TypeAdapter, ValidationError

from schooltech_fleet.inventory import safety

from .molecule_env import ROOT

ROLES = ROOT / "roles"
EXAMPLES = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def render(template: str, **variables: Any) -> str:
    """*template* rendered by Ansible's templar, as the template action renders a role's template file."""
    templar = Templar(loader=DataLoader(), variables={"ansible_managed": "Ansible managed", **variables})
    overrides = {"trim_blocks": True, "lstrip_blocks": False, "newline_sequence": "\n"}
    rendered: str = templar.template(trust_as_template(template), escape_backslashes=False, overrides=overrides)
    return rendered


def template_file(role: str, name: str) -> str:
    return (ROLES / role / "templates" / name).read_text(encoding="utf-8")


@cache
def _yaml(path: Path) -> Any:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def task_arg(role: str, tasks: str, name: str, module: str, arg: str) -> str:
    """The argument *arg* of the task *name* (its template text, as the role writes it)."""
    for task in _yaml(ROLES / role / "tasks" / tasks):
        if task["name"] == name:
            value: str = task[module][arg]
            return value
    raise AssertionError(f"no task {name!r} in roles/{role}/tasks/{tasks}")


def role_var(role: str, name: str, file: str = "main.yml") -> Any:
    return _yaml(ROLES / role / "vars" / file)[name]


def accepted(kind: Any) -> Callable[[str], bool]:
    """Whether ``schooltech check`` accepts a value of the inventory type *kind*."""
    adapter = TypeAdapter(kind)

    def accepts(value: str) -> bool:
        try:
            adapter.validate_python(value)
        except ValidationError:
            return False
        return True

    return accepts


def generated(pattern: str, kind: Any) -> st.SearchStrategy[str]:
    """Values of *kind* generated from the inventory's own *pattern* (those it accepts)."""
    printable = st.characters(blacklist_categories=("Cc", "Cs"))  # check refuses control characters anyway
    return st.from_regex(pattern, fullmatch=True, alphabet=printable).filter(accepted(kind))


PROXY_URLS = generated(safety.PROXY_URL, safety.ProxyUrl)
PROXY_EXCEPTIONS = st.lists(generated(safety.PROXY_EXCEPTION, safety.ProxyException), max_size=4)
SINGLE_LINE = st.text(st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=60)

HOSTILE_PROXY_URLS = [
    'http://x/"; APT::Update::Pre-Invoke {"touch /tmp/PWNED";}; X "',
    "http://x:3128/$(touch /tmp/PWNED)",
    "http://x:3128/`touch /tmp/PWNED`",
    'http://x:3128" ; Dir::Etc "/tmp',
    "http://x:3128\\",
]
HOSTILE_PROXY_EXCEPTIONS = ["*", "a,b", "a;b", 'x" y', "$(id)", "a b"]


# --- the role refuses what check refuses, and takes everything check accepts --------------------


@pytest.mark.parametrize(
    ("role", "var", "pattern", "kind", "hostile"),
    [
        ("lab_baseline", "__lab_baseline_proxy_url_pattern", safety.PROXY_URL, safety.ProxyUrl, HOSTILE_PROXY_URLS),
        ("lab_baseline", "__lab_baseline_no_proxy_pattern", safety.PROXY_EXCEPTION, safety.ProxyException,
         HOSTILE_PROXY_EXCEPTIONS),
        ("lab_baseline", "__lab_baseline_winget_id_pattern", safety.WINGET_ID, safety.WingetId,
         ["--override", "-h", "Vendor.App=1.0", "a b"]),
        ("lab_software", "__lab_software_winget_id_pattern", safety.WINGET_ID, safety.WingetId,
         ["--override", "-h", "Vendor.App=1.0", "a b"]),
        ("lab_software", "__lab_software_version_pattern", safety.PACKAGE_VERSION, safety.PackageVersion,
         ["1.0 --force", "=1", "1.0,x=2", "latest"]),
        ("licensing", "__licensing_server_pattern", safety.HOST_PORT, safety.HostPort,
         ["lic:27000 key=x", "lic", "=x:1"]),
    ],
)  # fmt: skip
def test_a_role_pattern_takes_what_check_accepts_and_refuses_the_breakouts(
    role: str, var: str, pattern: str, kind: Any, hostile: list[str]
) -> None:
    role_pattern = re.compile(role_var(role, var))  # the role's `is match(...)`: Python's re.match

    @EXAMPLES
    @given(generated(pattern, kind))
    def check_accepts_means_role_accepts(value: str) -> None:
        assert role_pattern.match(value), value

    check_accepts_means_role_accepts()
    for value in hostile:
        assert not accepted(kind)(value), value
        assert role_pattern.match(value) is None, value


def test_the_role_takes_the_same_apt_source_lines_as_check() -> None:
    role_pattern = re.compile(role_var("lab_software", "__lab_software_source_pattern", "Debian.yml"))

    @EXAMPLES
    @given(generated(safety.APT_SOURCE, safety.AptSource))
    def same(line: str) -> None:
        assert role_pattern.match(line), line

    same()


# --- apt.conf: Acquire::http::Proxy "URL"; ----------------------------------------------------


@pytest.fixture(scope="module")
def apt_defaults() -> set[str]:
    return set(_apt_config_dump())


def _apt_config_dump(*args: str) -> list[str]:
    done = subprocess.run(["apt-config", *args, "dump"], capture_output=True, text=True, timeout=30, check=False)
    assert done.returncode == 0, done.stderr
    return done.stdout.splitlines()


def apt_statements(text: str, tmp_path: Path, defaults: set[str]) -> set[str]:
    """The statements apt reads from *text* as an apt.conf file, beyond its defaults (and its own command line)."""
    path = tmp_path / "95schooltech-proxy"
    path.write_text(text, encoding="utf-8")
    return {line for line in _apt_config_dump("-c", str(path)) if not line.startswith("CommandLine::")} - defaults


@EXAMPLES
@given(url=PROXY_URLS, exceptions=PROXY_EXCEPTIONS)
def test_apt_reads_the_proxy_and_its_exceptions_as_exactly_what_check_accepted(
    url: str, exceptions: list[str], tmp_path: Path, apt_defaults: set[str]
) -> None:
    text = render(template_file("lab_baseline", "apt-proxy.conf.j2"),
                  lab_baseline_proxy_url=url, lab_baseline_no_proxy=exceptions)  # fmt: skip
    direct = [host for host in exceptions if re.fullmatch(r"[A-Za-z0-9.-]+", host) and not host.startswith(".")]
    expected = {'Acquire::http "";', 'Acquire::https "";'}  # the parents apt makes for the new keys
    expected |= {f'Acquire::{scheme}::Proxy "{url}";' for scheme in ("http", "https")}
    expected |= {f'Acquire::{scheme}::Proxy::{host} "DIRECT";' for scheme in ("http", "https") for host in direct}
    assert apt_statements(text, tmp_path, apt_defaults) == expected


def test_the_breakout_rendered_unchecked_would_have_been_a_statement(tmp_path: Path, apt_defaults: set[str]) -> None:
    # what check and the role's assert stand in front of: apt has no escape for '"' in a value
    text = render(template_file("lab_baseline", "apt-proxy.conf.j2"),
                  lab_baseline_proxy_url=HOSTILE_PROXY_URLS[0], lab_baseline_no_proxy=[])  # fmt: skip
    assert 'APT::Update::Pre-Invoke:: "touch /tmp/PWNED";' in apt_statements(text, tmp_path, apt_defaults)


# --- /etc/environment: http_proxy="URL", no_proxy="a,b" ---------------------------------------


@EXAMPLES
@given(url=PROXY_URLS, exceptions=PROXY_EXCEPTIONS.filter(bool))
def test_a_shell_reading_etc_environment_gets_the_values_and_runs_nothing(
    url: str, exceptions: list[str], tmp_path: Path
) -> None:
    line = task_arg("lab_baseline", "linux.yml", "Set the proxy and its exceptions for every login session"
                    " (/etc/environment)", "ansible.builtin.lineinfile", "line")  # fmt: skip
    proxy_variables = role_var("lab_baseline", "__lab_baseline_proxy_variables", "Debian.yml")
    no_proxy_variables = role_var("lab_baseline", "__lab_baseline_no_proxy_variables", "Debian.yml")
    lines = [render(line, item=item, lab_baseline_proxy_url=url, lab_baseline_no_proxy=exceptions,
                    __lab_baseline_proxy_variables=proxy_variables)
             for item in proxy_variables + no_proxy_variables]  # fmt: skip
    environment = tmp_path / "environment"
    environment.write_text("\n".join(lines) + "\n", encoding="utf-8")
    done = subprocess.run(["env", "-i", "/bin/sh", "-c", 'set -a; . "$1"; exec env -0', "sh", str(environment)],
                          capture_output=True, text=True, timeout=30, check=False, cwd=tmp_path)  # fmt: skip
    assert done.returncode == 0 and done.stderr == "", done.stderr
    read = dict(entry.split("=", 1) for entry in done.stdout.split("\0") if "=" in entry)
    for name in ("http_proxy", "https_proxy", "ftp_proxy", "HTTP_PROXY", "HTTPS_PROXY", "FTP_PROXY"):
        assert read[name] == url
    assert read["no_proxy"] == read["NO_PROXY"] == ",".join(exceptions)
    assert list(tmp_path.iterdir()) == [environment]


# --- the school's package repository: one sources.list.d line ---------------------------------

SOURCE_LINES = [
    "deb [trusted=yes] file:/srv/schooltech-repo ./",
    "deb [signed-by=/usr/share/keyrings/school.gpg arch=amd64,arm64] http://10.20.99.10/apt bookworm main contrib",
    "deb http://10.20.99.10/apt bookworm main # deb http://attacker.example/ evil main",
    "deb-src https://deb.example.org/debian bookworm-updates main",
]


@pytest.mark.parametrize("line", SOURCE_LINES)
def test_apt_reads_the_repository_line_as_one_source(line: str, tmp_path: Path) -> None:
    assert accepted(safety.AptSource)(line)
    content = task_arg("lab_software", "linux.yml", "Add the school's package repository", "ansible.builtin.copy",
                       "content")  # fmt: skip
    sources = tmp_path / "schooltech.list"
    sources.write_text(render(content, lab_software_repository=line), encoding="utf-8")
    argv = ["apt-get", "-o", f"Dir::Etc::SourceList={sources}", "-o", "Dir::Etc::SourceParts=/nonexistent",
            "-o", f"Dir::State::Lists={tmp_path}", "indextargets", "--no-release-info",
            "--format", "$(REPO_URI) $(RELEASE) $(TARGET_OF)"]  # fmt: skip
    done = subprocess.run(argv, capture_output=True, text=True, timeout=30, check=False)
    assert done.returncode == 0, done.stderr
    kind, options_uri = line.split(" ", 1)
    uri, suite = re.sub(r"^\[[^\]]*\] ", "", options_uri).split(" ")[:2]
    assert set(done.stdout.splitlines()) == {f"{uri.rstrip('/')}/ {suite} {kind}"}


# --- the login-screen banner: a GVariant string in a dconf key file ---------------------------


@pytest.fixture(scope="module")
def dconf() -> str:
    found = shutil.which("dconf")
    if found is None:
        pytest.fail("dconf (Debian's dconf-cli) is missing: scripts/setup-host.sh installs it")
    return found


BANNERS = [
    'Use it "nicely"\n[org/gnome/desktop/lockdown]\ndisable-lock-screen=true',  # a new section, if it broke out
    "Quotes ' \" and a backslash \\ and \\n written out",
    "Ünïcödé, emoji 😀 and a CJK 学校: beyond the BMP too",
    "100% ${HOME} $(id) `id` %s {x} [y]",
]
BANNER_TEXT = st.text(st.characters(blacklist_categories=("Cs",)), max_size=80).filter(accepted(safety.SafeText))


def dconf_banner(banner: str, tmp_path: Path, dconf: str) -> dict[str, str]:
    """The login-screen keys dconf compiles from the rendered banner file: key -> GVariant text."""
    keyfiles = tmp_path / "gdm.d"
    keyfiles.mkdir(exist_ok=True)
    (keyfiles / "01-schooltech-banner").write_text(
        render(template_file("lab_baseline", "dconf-login-banner.j2"), lab_baseline_aup_banner=banner),
        encoding="utf-8",
    )
    database = tmp_path / "gdm"
    compiled = subprocess.run([dconf, "compile", str(database), str(keyfiles)], capture_output=True, text=True,
                              timeout=30, check=False)  # fmt: skip
    assert compiled.returncode == 0, compiled.stdout + compiled.stderr
    profile = tmp_path / "profile"
    profile.write_text(f"file-db:{database}\n", encoding="utf-8")
    dumped = subprocess.run([dconf, "dump", "/"], capture_output=True, text=True, timeout=30, check=False,
                            env={"DCONF_PROFILE": str(profile), "HOME": str(tmp_path)})  # fmt: skip
    assert dumped.returncode == 0, dumped.stderr
    parser = configparser.ConfigParser(interpolation=None, delimiters=("=",))
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    parser.read_string(dumped.stdout)
    assert parser.sections() == ["org/gnome/login-screen"], dumped.stdout
    return dict(parser["org/gnome/login-screen"])


def gvariant_string(printed: str) -> str:
    """A string as dconf prints it ('...' with C escapes): Python's literal syntax is a superset of it."""
    value = ast.literal_eval(printed)
    assert isinstance(value, str)
    return value


@pytest.mark.parametrize("banner", BANNERS)
def test_dconf_reads_the_banner_as_one_string(banner: str, tmp_path: Path, dconf: str) -> None:
    assert accepted(safety.SafeText)(banner)
    keys = dconf_banner(banner, tmp_path, dconf)
    assert set(keys) == {"banner-message-enable", "banner-message-text"}
    assert keys["banner-message-enable"] == "true"
    assert gvariant_string(keys["banner-message-text"]) == banner.strip()


@EXAMPLES
@given(banner=BANNER_TEXT)
def test_dconf_reads_any_banner_check_accepts_as_one_string(banner: str, tmp_path: Path, dconf: str) -> None:
    keys = dconf_banner(banner, tmp_path, dconf)
    assert gvariant_string(keys["banner-message-text"]) == banner.strip()


# --- the licence file: one key=value per line ------------------------------------------------

LICENCE_TEMPLATE = template_file("licensing", "licence.lic.j2")
PRODUCTS = SINGLE_LINE.filter(accepted(safety.SafeStr))
KEYS = SINGLE_LINE.filter(lambda key: re.match(role_var("licensing", "__licensing_key_pattern"), key) is not None)


def licence_fields(text: str) -> dict[str, str]:
    """The licence file as an INI reader sees it (configparser: duplicate keys are an error)."""
    parser = configparser.ConfigParser(interpolation=None, delimiters=("=",), comment_prefixes=("#",), strict=True)
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    parser.read_string("[licence]\n" + text)
    return dict(parser["licence"])


@EXAMPLES
@given(product=PRODUCTS, server=generated(safety.HOST_PORT, safety.HostPort), key=KEYS)
def test_a_licence_file_holds_exactly_its_fields_whatever_the_product_and_key(product: str, server: str,
                                                                                key: str) -> None:  # fmt: skip
    item = {"id": "daw", "product": product, "type": "concurrent", "seats": 10, "server": server,
            "software_set": "music"}  # fmt: skip
    text = render(LICENCE_TEMPLATE, item=item, licensing_keys={"daw": key})
    assert licence_fields(text) == {
        "id": "daw", "product": product.strip(), "type": "concurrent", "seats": "10", "server": server,
        "software_set": "music", "key": key.strip(),
    }  # fmt: skip


@pytest.mark.parametrize("key", ["ABCD-1234\nseats=9999", "ABCD\rseats=9999", "ABCD\x85seats=1", ""])
def test_a_licence_key_that_would_add_a_line_is_refused_by_the_role(key: str) -> None:
    assert re.match(role_var("licensing", "__licensing_key_pattern"), key) is None


# --- the roles' own asserts, evaluated by Ansible ---------------------------------------------

VALID_BASELINE = {"lab_baseline_proxy_url": "http://10.20.99.3:3128", "lab_baseline_no_proxy": ["localhost"]}
VALID_LICENCE = {"id": "daw", "product": "StudioScore", "type": "concurrent", "seats": 10,
                 "server": "10.20.99.10:27000"}  # fmt: skip
CHECKS: list[tuple[str, str, str, str, str, dict[str, Any], bool]] = [
    # (case, role, tasks file, last task run, OS vars file, values, passes)
    *[(f"baseline-{os}-valid", "lab_baseline", f"{os}.yml", "Check the baseline settings", vars_file,
       VALID_BASELINE, True) for os, vars_file in (("linux", "Debian.yml"), ("windows", "Windows.yml"))],
    *[(f"baseline-{os}-proxy-{n}", "lab_baseline", f"{os}.yml", "Check the baseline settings", vars_file,
       {**VALID_BASELINE, "lab_baseline_proxy_url": url}, False)
      for os, vars_file in (("linux", "Debian.yml"), ("windows", "Windows.yml"))
      for n, url in enumerate(HOSTILE_PROXY_URLS)],
    *[(f"baseline-linux-no-proxy-{n}", "lab_baseline", "linux.yml", "Check the baseline settings", "Debian.yml",
       {**VALID_BASELINE, "lab_baseline_no_proxy": ["localhost", entry]}, False)
      for n, entry in enumerate(HOSTILE_PROXY_EXCEPTIONS)],
    ("baseline-windows-winget-option", "lab_baseline", "windows.yml", "Check the baseline settings", "Windows.yml",
     {**VALID_BASELINE, "lab_baseline_approved_windows_packages": [{"name": "--override"}]}, False),
    ("software-linux-valid", "lab_software", "linux.yml", "Check the repository and the package list", "Debian.yml",
     {"lab_software_packages": ["thonny", {"name": "geany", "version": "1.38-1"}]}, True),
    ("software-linux-version", "lab_software", "linux.yml", "Check the repository and the package list",
     "Debian.yml", {"lab_software_packages": [{"name": "geany", "version": "1.38 --force-yes"}]}, False),
    ("software-windows-valid", "lab_software", "windows.yml", "Check the package list", "Windows.yml",
     {"lab_software_windows_packages": ["Mozilla.Firefox.ESR", {"name": "Thonny.Thonny", "version": "4.1.4"}]},
     True),
    ("software-windows-option", "lab_software", "windows.yml", "Check the package list", "Windows.yml",
     {"lab_software_windows_packages": ["--override=/S"]}, False),
    ("licensing-valid", "licensing", "validate.yml", "Check the assigned licences", "Debian.yml",
     {"licensing_licences": [VALID_LICENCE], "licensing_keys": {"daw": "ABCD-1234"}}, True),
    ("licensing-server", "licensing", "validate.yml", "Check the assigned licences", "Debian.yml",
     {"licensing_licences": [{**VALID_LICENCE, "server": "lic:27000 key=x"}], "licensing_keys": {"daw": "A"}},
     False),
    ("licensing-key-newline", "licensing", "validate.yml", "Check the assigned licences", "Debian.yml",
     {"licensing_licences": [VALID_LICENCE], "licensing_keys": {"daw": "ABCD\nseats=9999"}}, False),
    ("licensing-product-newline", "licensing", "validate.yml", "Check the assigned licences", "Debian.yml",
     {"licensing_licences": [{**VALID_LICENCE, "product": "x\nseats=9999"}], "licensing_keys": {"daw": "A"}},
     False),
]  # fmt: skip
SAFE_MODULES = {"ansible.builtin.set_fact", "ansible.builtin.assert"}


def checking_play(case: str, role: str, tasks_file: str, last: str, os_vars: str, values: dict[str, Any]) -> Any:
    """A play on localhost that runs *role*'s tasks up to its check *last* (only set_fact before it)."""
    tasks = []
    for task in _yaml(ROLES / role / "tasks" / tasks_file):
        module = next(key for key in task if key.startswith("ansible."))
        assert module in SAFE_MODULES, f"{role}/{tasks_file}: {task['name']} would act on this machine"
        tasks.append(task)
        if task["name"] == last:
            break
    assert tasks[-1]["name"] == last and "ansible.builtin.assert" in tasks[-1]
    tasks[-1] = {**tasks[-1], "ignore_errors": True, "register": "verdict"}
    tasks.append({"name": "Report", "ansible.builtin.debug": {"msg": f"VERDICT {case} {{{{ verdict is failed }}}}"}})
    variables = {**_yaml(ROLES / role / "defaults" / "main.yml"), **_yaml(ROLES / role / "vars" / os_vars),
                 **_yaml(ROLES / role / "vars" / "main.yml"), **values}  # fmt: skip
    return {"name": case, "hosts": "localhost", "connection": "local", "gather_facts": False, "vars": variables,
            "tasks": tasks}  # fmt: skip


def test_the_roles_refuse_breakouts_themselves_and_take_valid_values(tmp_path: Path) -> None:
    """Each role checks its own values too (it may run without schooltech's check): run by Ansible itself."""
    plays = [checking_play(*case[:-1]) for case in CHECKS]
    playbook = tmp_path / "checks.yml"
    playbook.write_text(yaml.safe_dump(plays, sort_keys=False), encoding="utf-8")
    config = tmp_path / "ansible.cfg"
    config.write_text("[defaults]\n", encoding="utf-8")  # Ansible's defaults, not the project's inventory
    env = {"PATH": f"{Path(sys.executable).parent}:/usr/bin:/bin", "HOME": str(tmp_path), "ANSIBLE_CONFIG": str(config),
           "ANSIBLE_NOCOLOR": "1", "ANSIBLE_LOCALHOST_WARNING": "0"}  # fmt: skip
    done = subprocess.run([str(Path(sys.executable).parent / "ansible-playbook"), "-i", "localhost,", str(playbook)],
                          capture_output=True, text=True, timeout=300, check=False, env=env, cwd=tmp_path)  # fmt: skip
    verdicts = dict(re.findall(r'"msg": "VERDICT (\S+) (True|False)"', done.stdout))
    assert len(verdicts) == len(CHECKS), done.stdout[-4000:] + done.stderr[-2000:]
    wrong = [case for case, *_, passes in CHECKS if verdicts[case] != str(not passes)]
    assert wrong == [], done.stdout[-6000:]

"""The roles: their molecule scenarios, lint gates and the lab-PC roles' Windows task files.

The molecule scenarios run real containers of the lab-PC image (``molecule/<role>/``); the
other tests are static and fast.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest
import yaml

from .molecule_env import READ_ONLY_ROLES, ROLES, ROOT, SERVER_ROLES, subprocess_env

VENV_BIN = ROOT / ".venv" / "bin"
#: task keywords; the one other key of a task is its module
TASK_KEYWORDS = {
    "name", "when", "loop", "loop_control", "register", "notify", "vars", "no_log", "changed_when",
    "failed_when", "check_mode", "become", "delegate_to", "run_once", "tags", "environment",
    "any_errors_fatal", "block", "rescue", "always", "ignore_errors", "until", "retries", "delay", "args",
}  # fmt: skip


def _run(argv: list[str], env: dict[str, str] | None = None, timeout: float = 600) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        argv, cwd=ROOT, env=env or subprocess_env(), capture_output=True, text=True, timeout=timeout, check=False
    )


@pytest.fixture(scope="module")
def molecule_env() -> dict[str, str]:
    """The image, repositories, key pair and roles path the scenarios need (built once, cached)."""
    return subprocess_env()


#: every scenario under molecule/ (a new one is picked up without editing this file)
SCENARIOS = sorted(path.parent.name for path in (ROOT / "molecule").glob("*/molecule.yml"))


@pytest.mark.molecule
@pytest.mark.parametrize("role", SCENARIOS)
def test_molecule_scenario_passes(role: str, molecule_env: dict[str, str]) -> None:
    """create, prepare, check, converge, idempotence (changed=0), verify, destroy."""
    start = time.monotonic()
    result = _run([str(VENV_BIN / "molecule"), "test", "-s", role], env=molecule_env, timeout=900)
    took = time.monotonic() - start
    output = result.stdout + result.stderr
    assert result.returncode == 0, f"molecule test -s {role} failed after {took:.0f} s:\n{output[-6000:]}"
    assert f"{role}" in output and "idempotence" in output


def test_scenarios_share_no_container_name_or_port() -> None:
    """The scenarios' lab PCs may run at the same time (scripts/test runs them beside other tests)."""
    names: dict[str, str] = {}
    ports: dict[int, str] = {}
    for scenario in SCENARIOS:
        config = yaml.safe_load((ROOT / "molecule" / scenario / "molecule.yml").read_text())
        for platform in config["platforms"]:
            assert platform["name"] not in names, f"{platform['name']}: {scenario} and {names[platform['name']]}"
            names[platform["name"]] = scenario
            if platform.get("network") != "host":  # its sshd listens in a network namespace of its own
                continue
            port = int(platform["command"].split()[-1])
            host_vars = config["provisioner"]["inventory"]["host_vars"][platform["name"]]
            assert host_vars["ansible_port"] == port, f"{scenario}: {platform['name']}"
            assert port not in ports, f"port {port}: {scenario} and {ports[port]}"
            ports[port] = scenario
    assert set(ROLES + SERVER_ROLES + READ_ONLY_ROLES) <= set(SCENARIOS)


def test_roles_and_scenarios_pass_yamllint_strict() -> None:
    result = _run([str(VENV_BIN / "yamllint"), "-s", "roles", "molecule", "tests/roles"], env=_lint_env())
    assert result.returncode == 0, result.stdout + result.stderr


def test_windows_task_files_pass_the_syntax_check() -> None:
    env = _lint_env() | {"ANSIBLE_ROLES_PATH": str(ROOT / "roles")}
    playbook = Path(__file__).with_name("windows-syntax.yml")
    result = _run([str(VENV_BIN / "ansible-playbook"), "-i", "win-lab-pc01,", "--syntax-check", str(playbook)],
                  env=env)  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    listed = _run([str(VENV_BIN / "ansible-playbook"), "-i", "win-lab-pc01,", "--list-tasks", str(playbook)],
                  env=env)  # fmt: skip
    for role in ROLES:
        assert f"{role} : " in listed.stdout


def test_windows_tasks_use_only_documented_module_options() -> None:
    """What a syntax check cannot see: every option (and literal choice) exists in the module's docs."""
    uses = [
        (f"{path.relative_to(ROOT)}: {task['name']}", module, args)
        for path in sorted((ROOT / "roles").glob("*/tasks/windows*.yml"))
        for task, module, args in _tasks(path)
        if module.startswith(("ansible.windows.", "community.windows."))
    ]
    assert len(uses) > 30
    docs = json.loads(_run([str(VENV_BIN / "ansible-doc"), "-j", *sorted({m for _, m, _ in uses})],
                           env=_lint_env()).stdout)  # fmt: skip
    problems = []
    for where, module, args in uses:
        options = docs[module]["doc"].get("options", {})
        allowed = set(options) | {alias for option in options.values() for alias in option.get("aliases", [])}
        if module.endswith(("win_command", "win_shell")):
            allowed |= {"_raw_params", "cmd", "argv"}
        problems += [f"{where}: {module} has no option {name!r}" for name in sorted(set(args) - allowed)]
        for name, value in args.items():
            choices = options.get(name, {}).get("choices")
            values = value if isinstance(value, list) else [value]
            for item in values:
                if choices and isinstance(item, str) and "{{" not in item and item not in choices:
                    problems.append(f"{where}: {module} {name}={item!r} not in {choices}")
    assert problems == []


@pytest.mark.parametrize("role", ROLES + SERVER_ROLES + READ_ONLY_ROLES)
def test_every_public_variable_is_prefixed_and_documented(role: str) -> None:
    defaults = yaml.safe_load((ROOT / "roles" / role / "defaults" / "main.yml").read_text())
    readme = (ROOT / "roles" / role / "README.md").read_text()
    assert defaults
    for name in defaults:
        assert name.startswith(f"{role}_"), name
        assert f"`{name}`" in readme, f"{name} is missing from roles/{role}/README.md"


@pytest.mark.parametrize("role", ROLES)
def test_main_only_dispatches_by_os_family(role: str) -> None:
    """Each include picks the Linux or the Windows file by OS family in one task: a PC meets no skipped twin."""
    tasks = yaml.safe_load((ROOT / "roles" / role / "tasks" / "main.yml").read_text())
    includes = [task["ansible.builtin.include_tasks"] for task in tasks if "ansible.builtin.include_tasks" in task]
    files = [str(include["file"] if isinstance(include, dict) else include) for include in includes]
    assert files
    for name in files:  # licensing's seat count is OS-neutral: imported, not an include
        chosen = re.fullmatch(r"\{\{ '(windows\w*)\.yml' if ansible_facts\['os_family'\] == 'Windows'"
                              r" else '(linux\w*)\.yml' \}\}", name)  # fmt: skip
        assert chosen and chosen[1].removeprefix("windows") == chosen[2].removeprefix("linux"), name


def _tasks(path: Path) -> list[tuple[dict[str, Any], str, dict[str, Any]]]:
    found = []
    for task in yaml.safe_load(path.read_text()) or []:
        modules = [key for key in task if key not in TASK_KEYWORDS]
        assert len(modules) == 1, f"{path}: {task.get('name')}: {modules}"
        args = task[modules[0]]
        found.append((task, modules[0], args if isinstance(args, dict) else {}))
    return found


def _lint_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ANSIBLE_")}
    env["PATH"] = f"{VENV_BIN}{os.pathsep}{env.get('PATH', '')}"
    return env

"""Rules the network package provides to ``check``: the model imports no engine, yet ``check``,
``load_fleet`` and the Ansible plugin apply the same rules, and a cached fleet is read without them."""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from schooltech_fleet import rulebook
from schooltech_fleet.errors import InventoryError
from schooltech_fleet.inventory import load_fleet

from .helpers import DEFAULT_ROOMS, REPO, TODAY, ansible_inventory, located, only, pos, run_check, school_text, write

PACKAGE = REPO / "schooltech_fleet"
ENGINES = ("network", "jobs", "sim", "review", "cli")

JUNOS_SWITCH = """
- name: TST-SW1
  platform: junos
  mgmt_ip: 10.9.99.11
  access_ports: 24
  ports:
    - {ports: 1-10, room: C1}
  uplinks:
    - {port: 25, description: to the router}
"""


def _imports(path: Path) -> list[str]:
    """Every module *path* imports, anywhere in the file, as an absolute name."""
    package = ".".join(path.relative_to(REPO).with_suffix("").parts[:-1])
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = package.rsplit(".", node.level - 1)[0] if node.level else ""
            module = ".".join(part for part in (base, node.module or "") if part)
            found += [module] + [f"{module}.{alias.name}" for alias in node.names]
    return found


def test_nothing_under_inventory_imports_an_engine() -> None:
    engines = tuple(f"schooltech_fleet.{engine}" for engine in ENGINES)
    offending = {
        str(path.relative_to(REPO)): name
        for path in sorted((PACKAGE / "inventory").rglob("*.py"))
        for name in _imports(path)
        if name.startswith(engines)
    }
    assert offending == {}


def test_the_import_scan_sees_relative_imports() -> None:
    # the scan above would pass vacuously if it could not see what the network package imports
    assert "schooltech_fleet.inventory.problems" in _imports(PACKAGE / "network" / "school_rules.py")
    assert "schooltech_fleet.network.platforms" in _imports(PACKAGE / "network" / "school_rules.py")


def test_check_load_fleet_and_the_plugin_apply_the_network_packages_rules(tmp_path: Path) -> None:
    text = school_text(rooms=DEFAULT_ROOMS, switches=JUNOS_SWITCH)
    path = write(tmp_path, text)
    where = (str(path), *pos(text, "platform: junos", at="junos"), "platform")

    finding = only(run_check(path))
    assert located(finding) == where
    assert finding.message == "switch TST-SW1: unknown platform 'junos'"
    with pytest.raises(InventoryError) as refused:
        load_fleet(path, TODAY)
    assert [located(f) for f in refused.value.findings] == [where]  # type: ignore[arg-type]
    listed = ansible_inventory("-i", path, "--list")
    assert listed.returncode != 0
    assert f"{path}:{where[1]}:{where[2]}: error[platform]: switch TST-SW1: unknown platform 'junos'" in " ".join(
        listed.stderr.split()
    )


def _load_in_a_new_process(path: Path, cache: Path) -> dict[str, bool]:
    script = (
        "import json, sys\n"
        "from pathlib import Path\n"
        "from schooltech_fleet.inventory import load_fleet\n"
        f"load_fleet(Path({str(path)!r}))\n"
        "print(json.dumps({'network': any(m.startswith('schooltech_fleet.network') for m in sys.modules),\n"
        "                  'pydantic': 'pydantic' in sys.modules}))\n"
    )
    env = {**os.environ, "SCHOOLTECH_CACHE_DIR": str(cache)}
    done = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, check=True)
    loaded: dict[str, bool] = json.loads(done.stdout)
    return loaded


def test_a_cached_fleet_is_read_without_the_network_package(tmp_path: Path) -> None:
    path = write(tmp_path, school_text(rooms=DEFAULT_ROOMS))
    cold = _load_in_a_new_process(path, tmp_path / "cache")
    warm = _load_in_a_new_process(path, tmp_path / "cache")

    assert cold == {"network": True, "pydantic": True}  # validated: the provided rules ran
    assert warm == {"network": False, "pydantic": False}


def test_the_fleet_cache_is_keyed_by_the_provided_rules_and_the_platform_data_they_read() -> None:
    sources = {path.relative_to(PACKAGE).as_posix() for path in rulebook.sources()}
    assert {
        "network/school_rules.py",
        "network/cli_values.py",
        "network/platforms/__init__.py",
        "network/platforms/cisco_ios/__init__.py",
        "network/platforms/hp_procurve/scope.yml",
    } <= sources

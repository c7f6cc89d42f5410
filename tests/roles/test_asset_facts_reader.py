"""The asset_facts role's file reader (``plugins/modules/asset_facts_read_files.py``) and the
report the role composes from it, on a directory tree the test builds: real ``ansible-playbook`` with
a local connection, no PC and no container needed.

One playbook run (Ansible starts slowly) reads the tree in every way the tests below look at.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from .molecule_env import ROOT

MAX_BYTES = 64

PLAYBOOK = """\
- name: Read the tree with the module
  hosts: localhost
  connection: local
  gather_facts: false
  vars:
    sources:
      - {name: dmi, path: "{{ tree }}/dmi", patterns: [product_serial, sys_vendor, product_name, bios_date]}
      - {name: net, path: "{{ tree }}/net", patterns: ["*/address"]}
      - {name: missing, path: "{{ tree }}/nowhere", patterns: ["*"]}
      - {name: sized, path: "{{ tree }}/sized", patterns: ["*"]}
  tasks:
    - name: Read
      schooltech.fleet.asset_facts_read_files: {sources: "{{ sources }}", max_bytes: MAX_BYTES}
      register: read
    - name: Read in check mode
      schooltech.fleet.asset_facts_read_files: {sources: "{{ sources }}", max_bytes: MAX_BYTES}
      check_mode: true
      register: checked
    - name: Read outside the directory
      schooltech.fleet.asset_facts_read_files:
        sources: [{name: escape, path: "{{ tree }}/dmi", patterns: [../secret]}]
      register: refused
      ignore_errors: true
    - name: Keep the results
      ansible.builtin.copy:
        content: "{{ {'read': read, 'checked': checked, 'refused': refused} | to_json }}"
        dest: "{{ out }}/module.json"
        mode: "0644"

- name: Run the role on the tree
  hosts: localhost
  connection: local
  gather_facts: false
  vars:
    asset_facts_dmi_dir: "{{ tree }}/dmi"
    asset_facts_net_dir: "{{ tree }}/net"
  roles:
    - role: asset_facts
  post_tasks:
    - name: Keep the report
      ansible.builtin.copy:
        content: "{{ asset_facts_report | to_json }}"
        dest: "{{ out }}/report.json"
        mode: "0644"
""".replace("MAX_BYTES", str(MAX_BYTES))


def _build_tree(tree: Path) -> None:
    """DMI tables and NIC directories laid out as sysfs does: the interfaces are links to directories."""
    (tree / "dmi").mkdir(parents=True)
    (tree / "dmi" / "product_serial").write_text("PF3KX9ZA\n")
    (tree / "vendor").write_text("LENOVO\n")
    (tree / "dmi" / "sys_vendor").symlink_to(tree / "vendor")
    (tree / "dmi" / "product_name").write_bytes(b"Caf\xe9 11DT003QUK\n")  # firmware that is not UTF-8
    (tree / "dmi" / "bios_date").symlink_to(tree / "gone")  # a dangling link
    (tree / "dmi" / "modalias").write_text("dmi:not-asked-for\n")
    (tree / "secret").write_text("outside the directory\n")
    for name, mac in {"eth0": "3C:52:82:1A:2B:3C", "lo": "00:00:00:00:00:00", "wlan0": "8c:c6:81:aa:bb:cc"}.items():
        (tree / "devices" / name).mkdir(parents=True)
        (tree / "devices" / name / "address").write_text(f"{mac}\n")
    (tree / "net").mkdir()
    for name in ("eth0", "lo", "wlan0"):
        (tree / "net" / name).symlink_to(Path("..") / "devices" / name, target_is_directory=True)
    (tree / "net" / "docker0").mkdir()  # an interface without an address file
    (tree / "sized").mkdir()
    (tree / "sized" / "just-fits").write_text("x" * MAX_BYTES)
    (tree / "sized" / "too-big").write_text("x" * (MAX_BYTES + 1))


@pytest.fixture(scope="module")
def results(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The module's results and the role's report, from one ansible-playbook run."""
    base = tmp_path_factory.mktemp("asset-facts-reader")
    tree, out = base / "tree", base / "out"
    _build_tree(tree)
    out.mkdir()
    (base / "playbook.yml").write_text(PLAYBOOK)
    env = {k: v for k, v in os.environ.items() if not k.startswith("ANSIBLE_")}
    env |= {
        "PATH": f"{ROOT / '.venv' / 'bin'}{os.pathsep}{env.get('PATH', '')}",
        "ANSIBLE_ROLES_PATH": str(ROOT / "roles"),
        "ANSIBLE_COLLECTIONS_PATH": str(ROOT / ".collections"),  # this checkout as schooltech.fleet
        "ANSIBLE_HOME": str(base / "ansible-home"),
        "ANSIBLE_LOCALHOST_WARNING": "false",
    }
    argv = ["ansible-playbook", "-i", "localhost,", "-e", f"tree={tree}", "-e", f"out={out}",
            "-e", f"ansible_python_interpreter={sys.executable}", "playbook.yml"]  # fmt: skip
    run = subprocess.run(argv, cwd=base, env=env, capture_output=True, text=True, timeout=600, check=False)
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-2000:]
    module = json.loads((out / "module.json").read_text())
    return module | {"report": json.loads((out / "report.json").read_text()), "stdout": run.stdout}


def test_reads_the_named_files_following_links_and_leaves_out_what_is_not_there(results: dict[str, Any]) -> None:
    dmi = results["read"]["files"]["dmi"]
    assert dmi == {"product_name": "Caf\ufffd 11DT003QUK\n", "product_serial": "PF3KX9ZA\n", "sys_vendor": "LENOVO\n"}
    assert list(dmi) == sorted(dmi)  # sorted, like the find + slurp it replaces


def test_reads_a_file_in_every_linked_subdirectory(results: dict[str, Any]) -> None:
    assert results["read"]["files"]["net"] == {
        "eth0/address": "3C:52:82:1A:2B:3C\n",
        "lo/address": "00:00:00:00:00:00\n",
        "wlan0/address": "8c:c6:81:aa:bb:cc\n",
    }


def test_a_missing_directory_gives_no_files(results: dict[str, Any]) -> None:
    assert results["read"]["files"]["missing"] == {}


def test_a_file_larger_than_max_bytes_is_left_out_with_a_warning(results: dict[str, Any]) -> None:
    read = results["read"]
    assert read["files"]["sized"] == {"just-fits": "x" * MAX_BYTES}
    assert [Path(path).name for path in read["too_big"]] == ["too-big"]
    assert any("too-big" in warning and str(MAX_BYTES) in warning for warning in read["warnings"])


def test_changes_nothing_and_reads_the_same_in_check_mode(results: dict[str, Any]) -> None:
    assert results["read"]["changed"] is False and results["checked"]["changed"] is False
    assert results["checked"]["files"] == results["read"]["files"]


def test_refuses_a_pattern_that_leaves_its_directory(results: dict[str, Any]) -> None:
    refused = results["refused"]
    assert refused["failed"] is True and "'../secret'" in refused["msg"]
    assert "outside the directory" not in json.dumps(refused)


def test_the_role_reports_the_tables_trimmed_and_the_network_cards_in_lower_case(results: dict[str, Any]) -> None:
    report = results["report"]
    assert report["dmi"] == {
        "product_name": "Caf\ufffd 11DT003QUK",
        "product_serial": "PF3KX9ZA",
        "sys_vendor": "LENOVO",
    }
    assert report["interfaces"] == {"eth0": "3c:52:82:1a:2b:3c", "wlan0": "8c:c6:81:aa:bb:cc"}
    assert report["packages"] == [] and report["ram_mb"] > 0 and report["hostname"]

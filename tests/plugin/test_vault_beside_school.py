"""The school's vault file lives beside its school file: Ansible must take it as no inventory at all."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path

import pytest
from inventory.helpers import REPO, ansible_inventory, schooltech, write, write_school

from schooltech_fleet.inventory.files import SCHOOL_SUFFIXES
from schooltech_fleet.vault import VAULT_FILE

ANSIBLE_VAULT = Path(sys.executable).parent / "ansible-vault"
VAULT_TEXT = "become_password: CANARY-become-7b3e\nswitch_password: CANARY-switch-19d4\nansible_host: 203.0.113.9\n"


@pytest.fixture
def school_with_vault(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A directory holding a school file and its real, ansible-vault-encrypted secrets file."""
    write_school(tmp_path)
    password_file = tmp_path.parent / f"{tmp_path.name}-vault-password"
    password_file.write_text("vault password\n")
    vault = tmp_path / VAULT_FILE
    vault.write_text(VAULT_TEXT)
    subprocess.run([str(ANSIBLE_VAULT), "encrypt", "--vault-password-file", str(password_file), str(vault)],
                   check=True, capture_output=True)  # fmt: skip
    assert vault.read_text().startswith("$ANSIBLE_VAULT;")
    monkeypatch.delenv("ANSIBLE_VAULT_PASSWORD_FILE", raising=False)
    return tmp_path


def test_a_directory_holding_a_vault_file_is_the_school_and_nothing_from_the_vault(school_with_vault: Path) -> None:
    done = ansible_inventory("-i", school_with_vault, "--list")  # no vault password anywhere

    assert done.returncode == 0, done.stderr
    listing = json.loads(done.stdout)
    assert sorted(listing["_meta"]["hostvars"]) == ["TST-C1-PC01", "TST-C1-PC02"]
    assert "CANARY" not in done.stdout and "203.0.113.9" not in done.stdout
    assert "[WARNING]" not in done.stderr


def test_with_the_vault_password_at_hand_ansible_still_takes_nothing_from_the_vault(
    school_with_vault: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    password_file = school_with_vault.parent / f"{school_with_vault.name}-vault-password"
    monkeypatch.setenv("ANSIBLE_VAULT_PASSWORD_FILE", str(password_file))
    done = ansible_inventory("-i", school_with_vault, "--host", "TST-C1-PC01")
    assert done.returncode == 0, done.stderr
    assert "CANARY" not in done.stdout and "203.0.113.9" not in done.stdout


def test_the_vault_file_given_alone_is_an_empty_source(school_with_vault: Path) -> None:
    done = ansible_inventory("-i", school_with_vault / VAULT_FILE, "--list")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["_meta"]["hostvars"] == {}


def test_any_other_stray_file_beside_the_school_still_fails_the_source(school_with_vault: Path) -> None:
    stray = write(school_with_vault, "notes: not an inventory\n", "notes.yml")
    done = ansible_inventory("-i", school_with_vault, "--list")
    assert done.returncode != 0
    assert str(stray) in done.stderr


def test_schooltech_check_passes_on_the_directory(school_with_vault: Path) -> None:
    done = schooltech("check", school_with_vault)
    assert done.returncode == 0, done.stdout + done.stderr


def test_the_plugin_knows_the_file_names_the_package_uses() -> None:
    spec = importlib.util.spec_from_file_location("schooltech_plugin", REPO / "plugins" / "inventory" / "schooltech.py")
    assert spec is not None and spec.loader is not None
    plugin = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(plugin)
    assert plugin.VAULT_FILE == VAULT_FILE
    assert plugin.SCHOOL_SUFFIXES == SCHOOL_SUFFIXES

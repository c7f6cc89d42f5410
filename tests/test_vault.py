"""The school's vault file, decrypted with the password file taken as Ansible takes it: run if executable, else read."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from schooltech_fleet.errors import UsageError
from schooltech_fleet.vault import VAULT_FILE, read_vault

ANSIBLE_VAULT = Path(sys.executable).parent / "ansible-vault"
PASSWORD = "correct horse battery staple"


@pytest.fixture
def vault(tmp_path: Path) -> Path:
    """A real ansible-vault-encrypted ``secrets.vault.yml`` holding a switch password."""
    password_file = tmp_path / "encrypting-password"
    password_file.write_text(PASSWORD + "\n")
    path = tmp_path / VAULT_FILE
    path.write_text("switch_password: CANARY-from-the-vault\n")
    subprocess.run([str(ANSIBLE_VAULT), "encrypt", "--vault-password-file", str(password_file), str(path)],
                   check=True, capture_output=True)  # fmt: skip
    assert "CANARY" not in path.read_text()
    return path


def _password_file(tmp_path: Path, text: str, executable: bool) -> Path:
    path = tmp_path / ("vault-pass-script" if executable else "vault-pass")
    path.write_text(text)
    path.chmod(0o700 if executable else 0o600)
    return path


def test_a_plain_password_file_is_read(vault: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ANSIBLE_VAULT_PASSWORD_FILE", str(_password_file(tmp_path, PASSWORD + "\n", False)))
    assert read_vault(vault) == {"switch_password": "CANARY-from-the-vault"}


def test_an_executable_password_file_is_run_and_its_output_is_the_password(
    vault: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # what a password manager's helper looks like: its text is not the password, its output is
    script = _password_file(tmp_path, f"#!/bin/sh\nprintf '%s\\n' '{PASSWORD}'\n", True)
    monkeypatch.setenv("ANSIBLE_VAULT_PASSWORD_FILE", str(script))
    assert read_vault(vault) == {"switch_password": "CANARY-from-the-vault"}


def test_a_failing_password_script_is_a_usage_error_naming_it(
    vault: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    script = _password_file(tmp_path, "#!/bin/sh\necho 'locked' >&2\nexit 3\n", True)
    monkeypatch.setenv("ANSIBLE_VAULT_PASSWORD_FILE", str(script))
    with pytest.raises(UsageError, match=rf"cannot open the vault .*{script}.* returned non-zero \(3\)") as raised:
        read_vault(vault)
    assert raised.value.hint == "check ANSIBLE_VAULT_PASSWORD_FILE"


def test_a_wrong_password_is_a_usage_error(vault: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ANSIBLE_VAULT_PASSWORD_FILE", str(_password_file(tmp_path, "not it\n", False)))
    with pytest.raises(UsageError, match="cannot open the vault"):
        read_vault(vault)

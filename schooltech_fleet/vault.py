"""The school's ansible-vault file: secrets kept encrypted beside the school file.

``secrets.vault.yml`` (encrypted with ``ansible-vault``) maps variable names to
secrets: licence keys that a licence names with ``key: {vault: NAME}``, and
``switch_username`` / ``switch_password`` for the school's switches,
``become_password`` for PCs whose sudo asks for one. The password file is the one
Ansible uses (``ANSIBLE_VAULT_PASSWORD_FILE``), taken as Ansible takes it: an
executable file is run and its output is the password (a script asking a password
manager), any other file is read. Decrypted values live in memory only.

Ansible never reads this file as inventory: the inventory plugin takes it as part of the
school's source and adds nothing from it.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from .errors import UsageError

VAULT_FILE = "secrets.vault.yml"


def read_vault(path: Path) -> dict[str, Any]:
    """Decrypt the school's vault file in memory with the password file Ansible would use."""
    password_file = os.environ.get("ANSIBLE_VAULT_PASSWORD_FILE")
    if not path.is_file():
        raise UsageError(f"the school's vault {path} does not exist",
                         "create it with 'ansible-vault create' holding the variables the inventory names")  # fmt: skip
    if not password_file:
        raise UsageError("the vault's password file is not set", "export ANSIBLE_VAULT_PASSWORD_FILE=/path/to/file")
    from ansible.errors import AnsibleError  # noqa: PLC0415 - only when a school keeps a vault
    from ansible.parsing.dataloader import DataLoader  # noqa: PLC0415
    from ansible.parsing.vault import get_file_vault_secret  # noqa: PLC0415

    loader = DataLoader()
    try:
        secret = get_file_vault_secret(filename=password_file, vault_id="default", loader=loader)
        secret.load()  # runs the file if it is executable, as Ansible does
        loader.set_vault_secrets([("default", secret)])
        data = loader.load_from_file(str(path))
    except (AnsibleError, OSError) as exc:
        raise UsageError(f"cannot open the vault {path}: {exc}", "check ANSIBLE_VAULT_PASSWORD_FILE") from exc
    if not isinstance(data, dict):
        raise UsageError(f"{path} is not a mapping of variable names to values")
    return {str(k): v for k, v in data.items()}

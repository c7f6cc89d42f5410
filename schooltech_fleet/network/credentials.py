"""Switch login credentials: never in the inventory, never in logs.

Where they come from, first match wins:
  1. the simulation layer's password file, for a simulated switch;
  2. ``SCHOOLTECH_SWITCH_USERNAME_<CODE>`` / ``SCHOOLTECH_SWITCH_PASSWORD_<CODE>`` (one school);
  3. ``SCHOOLTECH_SWITCH_USERNAME`` / ``SCHOOLTECH_SWITCH_PASSWORD`` (every school);
  4. ``switch_username`` / ``switch_password`` in the school's vault file (``secrets.vault.yml``).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import UsageError
from ..vault import VAULT_FILE, read_vault


@dataclass(frozen=True)
class Credentials:
    username: str
    password: str = field(repr=False)


def credentials_for(switch: str, school: str, values: dict[str, Any], school_dir: Path) -> Credentials:
    """The credentials for *switch* of *school*, given its resolved variables."""
    if "switch_password_file" in values:
        path = Path(values["switch_password_file"])
        try:
            return Credentials(values["ansible_user"], path.read_text(encoding="utf-8").strip())
        except OSError as exc:
            raise UsageError(
                f"{switch}: cannot read the simulation's switch password ({exc.strerror})",
                "is the simulation still running? 'schooltech sim status'",
            ) from exc
    for suffix in (f"_{school}", ""):
        username = os.environ.get(f"SCHOOLTECH_SWITCH_USERNAME{suffix}")
        password = os.environ.get(f"SCHOOLTECH_SWITCH_PASSWORD{suffix}")
        if username and password:
            return Credentials(username, password)
    if (school_dir / VAULT_FILE).is_file():
        vault = read_vault(school_dir / VAULT_FILE)
        if vault.get("switch_username") and vault.get("switch_password"):
            return Credentials(str(vault["switch_username"]), str(vault["switch_password"]))
    raise UsageError(
        f"no switch credentials for {switch}",
        f"set SCHOOLTECH_SWITCH_USERNAME_{school} and SCHOOLTECH_SWITCH_PASSWORD_{school} "
        f"(or the same without _CODE for every school), or switch_username and switch_password in {VAULT_FILE}",
    )

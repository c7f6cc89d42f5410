"""The secrets a job hands to Ansible, and how they stay out of everything it keeps.

- **Licence keys** come from environment variables (``key: {env: NAME}``) or the
  school's vault file (``key: {vault: NAME}``).
- **The become password** (sudo's, for PCs whose admin account must give one) comes
  from ``ANSIBLE_BECOME_PASS`` (or ``ANSIBLE_SUDO_PASS``), the variables Ansible itself
  reads, else from ``become_password`` in the school's vault file. Without one, the PCs
  must not ask (the lab image's admin account has passwordless sudo).

Ansible reads them at start from files in the job's scratch directory (``scratch.py``):
``-e @licence-keys.json`` and ``--become-password-file``. Never from its environment
(``runner.passes_to_ansible`` lets no secret-looking variable through), never on its
command line; ansible-runner's files of the run are scrubbed of every secret value all
the same (:func:`scrub`).
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from .. import private
from ..errors import UsageError
from ..vault import VAULT_FILE, read_vault

BECOME_PASSWORD_VARIABLES = ("ANSIBLE_BECOME_PASS", "ANSIBLE_SUDO_PASS")
"""Where Ansible's sudo looks for the become password in the environment; schooltech reads them in its place."""

VAULT_BECOME_PASSWORD = "become_password"

SCRUBBED = "[secret removed]"
SHORTEST_SCRUBBED = 4
"""Shorter values are not searched for: replacing every "yes" would garble the records, not protect anything."""


@dataclass(frozen=True)
class JobSecrets:
    """What a job gives Ansible: options naming files in its scratch directory, and the values behind them."""

    arguments: tuple[str, ...] = ()
    values: tuple[str, ...] = field(default=(), repr=False)


def licence_key_sources(hosts_vars: Iterable[Mapping[str, Any]]) -> dict[str, dict[str, str]]:
    """licence id -> its key reference ({"env": NAME} or {"vault": NAME}) for the licences of these hosts."""
    sources: dict[str, dict[str, str]] = {}
    for values in hosts_vars:
        for licence in values.get("licences") or []:
            if licence.get("key"):
                sources[licence["id"]] = licence["key"]
    return sources


def job_secrets(sources: Mapping[str, Mapping[str, str]], school_dir: Path, scratch: Path) -> JobSecrets:
    """Collect the licence keys of *sources* and the become password; write what there is into *scratch*."""
    vault = _SchoolVault(school_dir / VAULT_FILE)
    keys = _licence_keys(sources, vault)
    become = _become_password(vault)
    arguments: list[str] = []
    if keys:
        keys_file = _write(scratch / "licence-keys.json", json.dumps({"schooltech_licence_keys": keys}))
        arguments += ["-e", f"@{keys_file}"]
    if become is not None:
        arguments += ["--become-password-file", str(_write(scratch / "become-password", become))]
    return JobSecrets(tuple(arguments), (*keys.values(), *([become] if become is not None else [])))


class _SchoolVault:
    """The school's vault file, decrypted once and only if a secret is asked of it."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def exists(self) -> bool:
        return self.path.is_file()

    @cached_property
    def values(self) -> dict[str, Any]:
        return read_vault(self.path)


def _licence_keys(sources: Mapping[str, Mapping[str, str]], vault: _SchoolVault) -> dict[str, str]:
    env_names = {ref["env"] for ref in sources.values() if "env" in ref}
    missing = sorted(name for name in env_names if not os.environ.get(name))
    if missing:
        raise UsageError(
            f"licence keys missing from the environment: {', '.join(missing)}",
            "export them before the job (they are never written to the inventory, logs or run records)",
        )
    keys = {licence: os.environ[ref["env"]] for licence, ref in sources.items() if "env" in ref}
    vault_refs = {licence: ref["vault"] for licence, ref in sources.items() if "vault" in ref}
    if vault_refs:
        absent = sorted(name for name in vault_refs.values() if name not in vault.values)
        if absent:
            raise UsageError(f"{vault.path} has no {', '.join(absent)}", "add them with 'ansible-vault edit'")
        keys |= {licence: str(vault.values[name]) for licence, name in vault_refs.items()}
    return keys


def _become_password(vault: _SchoolVault) -> str | None:
    for name in BECOME_PASSWORD_VARIABLES:
        if os.environ.get(name):
            return _usable_become_password(os.environ[name], name)
    if vault.exists() and vault.values.get(VAULT_BECOME_PASSWORD):
        origin = f"{VAULT_BECOME_PASSWORD} in {vault.path}"
        return _usable_become_password(str(vault.values[VAULT_BECOME_PASSWORD]), origin)
    return None


def _usable_become_password(password: str, origin: str) -> str:
    if password != password.strip():
        raise UsageError(f"the become password from {origin} begins or ends with white space, which Ansible "
                         "strips from a password file", "give the password without it")  # fmt: skip
    return password


def _write(path: Path, text: str) -> Path:
    with os.fdopen(private.open_file(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL), "w", encoding="utf-8") as handle:
        handle.write(text)
    return path


def scrub(root: Path, values: Iterable[str]) -> list[Path]:
    """Replace each of *values* in the files under *root*, as written and JSON-escaped; return the files changed.

    ansible-runner keeps what it gave ansible-playbook (``command``: the arguments and the
    environment; ``env/``) and what came back (``stdout``, ``job_events/``). Nothing secret
    is meant to reach them; this makes sure.
    """
    needles = sorted(
        {form.encode() for value in values if len(value) >= SHORTEST_SCRUBBED
         for form in (value, json.dumps(value)[1:-1], json.dumps(value, ensure_ascii=False)[1:-1])},
        key=len, reverse=True,
    )  # fmt: skip
    changed: list[Path] = []
    if not needles:
        return changed
    for directory, _subdirectories, files in os.walk(root):
        for name in files:
            path = Path(directory) / name
            if path.is_symlink():
                continue
            data = path.read_bytes()
            cleaned = data
            for needle in needles:
                cleaned = cleaned.replace(needle, SCRUBBED.encode())
            if cleaned != data:
                private.write_bytes(path, cleaned)
                changed.append(path)
    return changed

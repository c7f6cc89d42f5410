"""Licence keys for a job, handed to Ansible without touching logs or run records.

Keys come from environment variables or the school's vault file. Ansible gets them
in a vars file readable only by this user, outside the run's artifacts, deleted when
the job ends — never through its environment (see ``runner.ALLOWED_ENVIRONMENT``) or
its command line.
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import UsageError
from ..vault import VAULT_FILE, read_vault


@dataclass(frozen=True)
class JobSecrets:
    vars_file: Path | None  # -e @file: {"schooltech_licence_keys": {licence id: key}}


def licence_key_sources(hosts_vars: Iterable[Mapping[str, Any]]) -> dict[str, dict[str, str]]:
    """licence id -> its key reference ({"env": NAME} or {"vault": NAME}) for the licences of these hosts."""
    sources: dict[str, dict[str, str]] = {}
    for values in hosts_vars:
        for licence in values.get("licences") or []:
            if licence.get("key"):
                sources[licence["id"]] = licence["key"]
    return sources


@contextlib.contextmanager
def job_secrets(sources: Mapping[str, Mapping[str, str]], school_dir: Path) -> Iterator[JobSecrets]:
    """Collect the keys into a private vars file for the duration of the job."""
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
        vault = read_vault(school_dir / VAULT_FILE)
        absent = sorted(name for name in vault_refs.values() if name not in vault)
        if absent:
            raise UsageError(f"{school_dir / VAULT_FILE} has no {', '.join(absent)}",
                             "add them with 'ansible-vault edit'")  # fmt: skip
        keys |= {licence: str(vault[name]) for licence, name in vault_refs.items()}
    with tempfile.TemporaryDirectory(prefix="schooltech-secrets-") as private:
        os.chmod(private, 0o700)
        vars_file = None
        if keys:
            vars_file = Path(private) / "licence-keys.json"
            fd = os.open(vars_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w") as handle:
                json.dump({"schooltech_licence_keys": keys}, handle)
        yield JobSecrets(vars_file)

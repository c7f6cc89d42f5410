"""A cache of resolved fleets, keyed by the exact content of everything they came from.

Resolving a district takes about a second; reading the result back takes a tenth
of that. The fingerprint covers every school file's bytes and path, the profiles,
the code that resolves and validates them (the rules other packages provide, too:
:func:`schooltech_fleet.rulebook.sources`), the package version and the day (licence
expiry depends on it), so a cached fleet
is only ever used for inputs that would resolve to the same fleet. Only valid
inventories are cached. The cache is an optimisation: any problem with it
(unreadable, corrupt, read-only) falls back to resolving from scratch.
``SCHOOLTECH_NO_CACHE=1`` turns it off.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import json
import os
import threading
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from .. import __version__, rulebook
from ..paths import cache_dir
from .files import PROFILE_DIR
from .fleet import Fleet, Group, Host

FORMAT = 4
MAX_ENTRIES = 64  # one per inventory source path; the least recently written go first


def enabled() -> bool:
    return not os.environ.get("SCHOOLTECH_NO_CACHE")


@functools.cache
def _package_digest() -> bytes:
    """The resolving and validating code and the profiles (read once per process: the plugin loads many files)."""
    digest = hashlib.sha256(f"{FORMAT}:{__version__}".encode())
    own = (*sorted(Path(__file__).parent.glob("*.py")), *sorted(PROFILE_DIR.glob("*.yml")))
    for path in (*own, *rulebook.sources()):
        digest.update(path.read_bytes())
    return digest.digest()


def fingerprint(files: Iterable[Path], today: dt.date) -> str:
    """Identifies the inputs of a fleet: school files, profiles, the resolving code and the day."""
    digest = hashlib.sha256(_package_digest() + today.isoformat().encode())
    for path in files:
        digest.update(str(path.resolve()).encode())
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def _entry(source: Path) -> Path:
    name = hashlib.sha256(str(source.resolve()).encode()).hexdigest()[:32]
    return cache_dir() / "fleet" / f"{name}.json"


def get(source: Path, key: str) -> Fleet | None:
    """The cached fleet of *source* if it was resolved from inputs with fingerprint *key*."""
    try:
        with _entry(source).open(encoding="utf-8") as handle:
            data = json.load(handle)
        if data.get("fingerprint") != key:
            return None
        return _decode(data["fleet"])
    except (OSError, ValueError, KeyError, TypeError):
        return None


def put(source: Path, key: str, fleet: Fleet) -> None:
    entry = _entry(source)
    try:
        entry.parent.mkdir(parents=True, exist_ok=True)
        partial = entry.with_suffix(f".{os.getpid()}-{threading.get_ident()}.tmp")  # one per writer, threads too
        partial.write_text(json.dumps({"fingerprint": key, "fleet": _encode(fleet)}), encoding="utf-8")
        partial.replace(entry)
        entries = sorted(entry.parent.glob("*.json"), key=lambda p: p.stat().st_mtime, reverse=True)
        for stale in entries[MAX_ENTRIES:]:
            stale.unlink(missing_ok=True)
    except OSError:
        return


def _encode(fleet: Fleet) -> dict[str, Any]:
    return {
        "hosts": [[h.name, h.school, h.kind, h.groups, h.var_groups, h.vars] for h in fleet.hosts.values()],
        "groups": [[g.name, g.children, g.vars] for g in fleet.groups.values()],
        "schools": fleet.schools,
        "simulated": fleet.simulated,
        "networks": fleet.networks,
    }


def _decode(data: dict[str, Any]) -> Fleet:
    return Fleet(
        hosts={
            name: Host(name, school, kind, tuple(groups), tuple(var_groups), values)
            for name, school, kind, groups, var_groups, values in data["hosts"]
        },
        groups={name: Group(name, children, values) for name, children, values in data["groups"]},
        schools=data["schools"],
        simulated=data["simulated"],
        networks=data["networks"],
    )

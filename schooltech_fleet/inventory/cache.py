"""A cache of resolved schools, keyed by the exact content of everything they came from.

Resolving a district takes seconds; reading the result back takes a fraction of that.
There is one entry per school file: the school validated on its own (as the Ansible
plugin, given that file, validates it) and resolved, with its identities (code, host
names, MACs, serials) for the rules across schools (:mod:`.assemble` builds a directory's
fleet from its files' entries). The fingerprint covers the school file's bytes and path,
the simulation layer beside it, the profiles, the code that resolves and validates them
(the rules other packages provide, too: :func:`schooltech_fleet.rulebook.sources`), the
package version and the day (licence expiry depends on it). Files that validation reads
only because the school names them (a filtering CA certificate) are recorded in the
entry with their digests and checked on every read. So a cached school is only ever used
for inputs that would resolve to the same school. Only valid schools are cached.

The cache is an optimisation: any problem with it (unreadable, corrupt, read-only)
falls back to resolving from scratch. ``SCHOOLTECH_NO_CACHE=1`` turns it off.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import json
import os
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .. import __version__, rulebook
from ..paths import cache_dir
from .files import PROFILE_DIR, simulation_layers
from .fleet import Fleet, Group, Host

FORMAT = 6
MAX_ENTRIES = 1024  # one per school file: the least recently written go first


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


@dataclass(frozen=True)
class Entry:
    """What one school file resolved to, and what validating it read besides its fingerprinted files."""

    fleet: Fleet
    depends: tuple[Path, ...]  # files read because the school names them (CA certificates)
    identities: Mapping[str, list[str]]  # see :func:`.crossref.identities`


def school_key(file: Path, today: dt.date) -> str:
    """Identifies the inputs of one school file: its bytes, its simulation layer, the profiles, the code, the day."""
    digest = hashlib.sha256(_package_digest() + today.isoformat().encode())
    for path in (file, *simulation_layers([file])):
        digest.update(str(path.resolve()).encode())
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def _digest(path: Path) -> str | None:
    """What *path* holds and where it leads (a link moved elsewhere changes it); None if it cannot be read."""
    try:
        return hashlib.sha256(str(path.resolve(strict=True)).encode() + path.read_bytes()).hexdigest()
    except (OSError, RuntimeError):
        return None


def _entry(source: Path) -> Path:
    name = hashlib.sha256(str(source.resolve()).encode()).hexdigest()[:32]
    return cache_dir() / "fleet" / f"{name}.json"


def _header(handle: Any, key: str) -> dict[str, Any] | None:
    """The entry's first line if it holds fingerprint *key* and its dependencies are unchanged (the body unread)."""
    header = json.loads(handle.readline())
    if header.get("fingerprint") != key:
        return None
    if any(_digest(Path(path)) != digest for path, digest in header["depends"].items()):
        return None
    return dict(header)


def get(source: Path, key: str, *, only: str | None = None) -> Entry | None:
    """The cached entry of the school file *source* if it was resolved from inputs with
    fingerprint *key* (:func:`school_key`) and the files it depends on still hold what they held then.

    With *only* (a school code), the entry's resolved school is read only if it is that school's;
    another school's fleet is left empty: what the rules across schools need (the identities)
    costs a fraction of it.
    """
    try:
        with _entry(source).open(encoding="utf-8") as handle:
            if (header := _header(handle, key)) is None:
                return None
            identities = json.loads(handle.readline())
            wanted = only is None or identities["code"] == [only]
            resolved = _decode(json.loads(handle.readline())) if wanted else Fleet()
        return Entry(resolved, tuple(map(Path, header["depends"])), identities)
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None


def holds(source: Path, key: str) -> bool:
    """Whether :func:`get` would find *source*'s entry for *key* (without reading the fleet)."""
    try:
        with _entry(source).open(encoding="utf-8") as handle:
            return _header(handle, key) is not None
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return False


def put(source: Path, key: str, entry: Entry) -> None:
    """Store *entry* for *source* under fingerprint *key*; a failure to write is ignored (the cache is optional)."""
    header = {"fingerprint": key, "depends": {str(path.resolve()): _digest(path) for path in entry.depends}}
    file = _entry(source)
    try:
        file.parent.mkdir(parents=True, exist_ok=True)
        partial = file.with_suffix(f".{os.getpid()}-{threading.get_ident()}.tmp")  # one per writer, threads too
        # three lines: the header, the identities, the resolved school (read only when wanted)
        partial.write_text(f"{json.dumps(header)}\n{json.dumps(dict(entry.identities))}\n"
                           f"{json.dumps(_encode(entry.fleet))}\n", encoding="utf-8")  # fmt: skip
        partial.replace(file)
        entries = sorted(file.parent.glob("*.json"), key=lambda p: p.stat().st_mtime, reverse=True)
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

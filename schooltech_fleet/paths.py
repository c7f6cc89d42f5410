"""Where schooltech-fleet keeps files of its own outside the inventory."""

from __future__ import annotations

import os
from pathlib import Path

from . import private


def cache_dir() -> Path:
    """Rebuildable data: image build locks, the resolved-fleet cache (``SCHOOLTECH_CACHE_DIR`` overrides)."""
    explicit = os.environ.get("SCHOOLTECH_CACHE_DIR")
    base = Path(explicit) if explicit else Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache"))
    path = base if explicit else base / "schooltech-fleet"
    path.mkdir(parents=True, exist_ok=True)
    return path


def state_dir() -> Path:
    """Lasting state: locks, the journal, run records, backups, host keys, the simulation.

    ``SCHOOLTECH_STATE_DIR`` chooses it: a team (technicians and CI runners) shares one by
    pointing every member at a directory an administrator made setgid for their group, e.g.
    ``/var/lib/schooltech`` (``install -d -m 2770 -g schooltech``); see :mod:`.private`.
    Unset, each user has their own, private (``0700``): ``$XDG_STATE_HOME/schooltech-fleet``,
    else ``~/.local/state/schooltech-fleet``. One that cannot be made or written is a usage error.
    """
    explicit = os.environ.get("SCHOOLTECH_STATE_DIR")
    base = Path(explicit) if explicit else Path(os.environ.get("XDG_STATE_HOME", Path.home() / ".local" / "state"))
    return private.directory(base if explicit else base / "schooltech-fleet")


def locks_dir() -> Path:
    """Lock files (one job per school, one change per switch, the backup store, the journal), in the state directory."""
    return private.directory(state_dir() / "locks")


def simulation_record() -> Path:
    """Where ``schooltech sim up`` records the running simulation (absent: none runs)."""
    return state_dir() / "sim" / "state.json"

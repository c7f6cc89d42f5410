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
    """Lasting state: the simulation, run records, the audit log, locks (``SCHOOLTECH_STATE_DIR`` overrides).

    Private (``0700``, tightened if it was looser): it holds switch configs, keys and logs.
    """
    explicit = os.environ.get("SCHOOLTECH_STATE_DIR")
    base = Path(explicit) if explicit else Path(os.environ.get("XDG_STATE_HOME", Path.home() / ".local" / "state"))
    return private.directory(base if explicit else base / "schooltech-fleet")


def locks_dir() -> Path:
    """Lock files (one job per school, one change per switch, the backup store): private, in the state directory."""
    return private.directory(state_dir() / "locks")


def simulation_record() -> Path:
    """Where ``schooltech sim up`` records the running simulation (absent: none runs)."""
    return state_dir() / "sim" / "state.json"

"""Where schooltech-fleet keeps files of its own outside the inventory."""

from __future__ import annotations

import os
from pathlib import Path


def cache_dir() -> Path:
    """Rebuildable data: image build locks, the resolved-fleet cache (``SCHOOLTECH_CACHE_DIR`` overrides)."""
    explicit = os.environ.get("SCHOOLTECH_CACHE_DIR")
    base = Path(explicit) if explicit else Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache"))
    path = base if explicit else base / "schooltech-fleet"
    path.mkdir(parents=True, exist_ok=True)
    return path


def state_dir() -> Path:
    """Lasting state: the simulation, run records, the audit log, locks (``SCHOOLTECH_STATE_DIR`` overrides)."""
    explicit = os.environ.get("SCHOOLTECH_STATE_DIR")
    base = Path(explicit) if explicit else Path(os.environ.get("XDG_STATE_HOME", Path.home() / ".local" / "state"))
    path = base if explicit else base / "schooltech-fleet"
    path.mkdir(parents=True, exist_ok=True)
    return path


def simulation_record() -> Path:
    """Where ``schooltech sim up`` records the running simulation (absent: none runs)."""
    return state_dir() / "sim" / "state.json"

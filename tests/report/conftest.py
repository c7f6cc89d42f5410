"""What the report tests share: a copy of the demo school with a state and cache directory of the test's own."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

DEMO = Path(__file__).resolve().parents[2] / "inventories" / "demo"


@pytest.fixture
def demo_copy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The demo school copied (without the simulation's record) beside an empty state directory."""
    monkeypatch.setenv("SCHOOLTECH_STATE_DIR", str(tmp_path / "state"))
    monkeypatch.setenv("SCHOOLTECH_CACHE_DIR", str(tmp_path / "cache"))
    target = tmp_path / "demo"
    shutil.copytree(DEMO, target, ignore=shutil.ignore_patterns(".schooltech-sim.yml"))
    return target

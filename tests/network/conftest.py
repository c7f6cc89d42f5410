"""Fixtures of the network engine's tests: the example schools' switches, rendered once."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from schooltech_fleet.network.operations import Rendered, Selection, intended

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = ("demo", "primary", "secondary", "specialist")


def copy_example(name: str, target: Path) -> Path:
    """A private copy of ``inventories/<name>`` in *target*, without a simulation layer someone left beside it."""
    destination = target / name
    shutil.copytree(REPO / "inventories" / name, destination, ignore=shutil.ignore_patterns(".schooltech-sim.yml"))
    return destination


@pytest.fixture(scope="session")
def examples(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Rendered, ...]]:
    """Every switch of every example inventory, rendered for its platform: inventory name -> configs."""
    scratch = tmp_path_factory.mktemp("examples")
    return {name: tuple(intended(Selection(copy_example(name, scratch)))) for name in EXAMPLES}

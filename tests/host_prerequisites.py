"""What the tests that start simulations need of the host: missing is a failure, never a skip."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

import pytest

from schooltech_fleet.errors import PrerequisiteError

T = TypeVar("T")


def required(check: Callable[[], T]) -> T:
    """What *check* returns; if the host lacks a prerequisite, the test fails naming it (scripts/test installs them)."""
    try:
        return check()
    except PrerequisiteError as exc:
        pytest.fail(f"{exc.message} ({exc.hint})")

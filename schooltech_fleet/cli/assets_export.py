"""Placeholder: the assets_export actions of ``schooltech assets`` are being built on their own branch."""

from __future__ import annotations

from typing import Any


def register(actions: Any) -> None:
    """Add this module's actions to ``schooltech assets``."""

"""The switch platforms schooltech-fleet can configure, one folder each."""

from __future__ import annotations

SUPPORTED_PLATFORMS: tuple[str, ...] = ("cisco_ios", "hp_procurve")
"""Platform names accepted in a school file's ``switches[].platform``."""

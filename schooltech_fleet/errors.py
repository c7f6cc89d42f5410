"""The one exception tree of schooltech-fleet.

Library code raises these; only the CLI turns them into messages and exit codes.
"""

from __future__ import annotations


class FleetError(Exception):
    """Root of every error schooltech-fleet raises on purpose."""

    exit_code = 2

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint


class UsageError(FleetError):
    """The command was asked for something that cannot be done as asked."""


class PrerequisiteError(FleetError):
    """Something the host machine needs (a package, a config file) is missing."""


class InventoryError(FleetError):
    """The inventory could not be loaded; carries every finding."""

    def __init__(self, findings: list[object], what: str = "the inventory") -> None:
        count = len(findings)
        super().__init__(f"{what} has {count} problem{'s' if count != 1 else ''}")
        self.findings = findings


class NodeSetupError(FleetError):
    """An execution node could not be made ready (its wheels could not be downloaded, say)."""

    exit_code = 1


class SimulationError(FleetError):
    """The simulated school could not be started, inspected or stopped."""


class ImagingError(FleetError):
    """An answer file or boot script cannot be made from what was asked (a value its format cannot carry)."""

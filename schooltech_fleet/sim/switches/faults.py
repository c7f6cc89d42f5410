"""Failures injected into an emulated switch through the control channel."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any


@dataclass
class FaultState:
    """Failures injected through the control channel."""

    rejected: list[re.Pattern[str]] = field(default_factory=list)
    drop_after: int | None = None
    hold: re.Pattern[str] | None = None  # the next line matching it (after hold_skip others) waits for release
    hold_skip: int = 0
    held: tuple[Any, str] | None = None  # (the session, the line) waiting for release

    def holds(self, line: str) -> bool:
        """True when ``line`` is the one to hold (the hold is then spent)."""
        if self.hold is None or not self.hold.search(line.strip()):
            return False
        if self.hold_skip:
            self.hold_skip -= 1
            return False
        self.hold = None
        return True

    def drop_now(self) -> bool:
        """Count one configuration command; True when the connection must drop instead of running it."""
        if self.drop_after is None:
            return False
        if self.drop_after == 0:
            self.drop_after = None
            return True
        self.drop_after -= 1
        return False

    def rejects(self, line: str) -> bool:
        """True if ``line`` matches a ``reject`` pattern."""
        return any(pattern.search(line.strip()) for pattern in self.rejected)

"""Failures injected into an emulated switch through the control channel."""

from __future__ import annotations

import re
from dataclasses import dataclass, field


@dataclass
class FaultState:
    """Failures injected through the control channel."""

    rejected: list[re.Pattern[str]] = field(default_factory=list)
    drop_after: int | None = None

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

"""Is a switch at its intended config? Checked twice, by two readers that do not share blind spots.

1. As text: every line of the intended config (the owned lines of a backup a rollback restores)
   must be in the running config, under the same parents, exactly as rendered (blanks
   collapsed). This reader is ``config_text``, not the planner: a line hier_config would drop
   or rewrite cannot hide here.
2. As the planner sees it: the remediation from running to intended must be empty.

A push is verified this way over a fresh session; ``net drift`` reports the same findings.
"""

from __future__ import annotations

from dataclasses import dataclass

from .config_text import lineages
from .management import ManagementContext
from .platforms import Platform
from .remediation import Remediation, blocks_of, remediate, views


@dataclass(frozen=True)
class Verification:
    missing: tuple[str, ...]  # intended lines not found under their parents, as "parent / line"
    remediation: Remediation  # what the planner would still send

    @property
    def ok(self) -> bool:
        return not self.missing and not self.remediation.changes

    def summary(self, limit: int = 3) -> str:
        parts = []
        if self.missing:
            parts.append(f"{len(self.missing)} intended lines missing: " + "; ".join(self.missing[:limit]))
        if self.remediation.changes:
            parts.append(f"{len(self.remediation.commands)} lines still to send: "
                         + "; ".join(line.strip() for line in self.remediation.commands[:limit]))  # fmt: skip
        return ", ".join(parts) or "in sync"


def missing_lines(platform: Platform, running: str, wanted: str, context: ManagementContext, *,
                  whole: bool = True) -> tuple[str, ...]:  # fmt: skip
    """The lines of *wanted* (only its owned lines unless *whole*) that *running* does not show under their parents.

    A rendered intended config is checked *whole*: every line it holds must show. A backup
    restored by a rollback is checked for its owned lines only (the others were never changed).
    """
    shown = set(lineages(blocks_of(platform, running)))
    checked = blocks_of(platform, wanted) if whole else views(platform, running, wanted, context).wanted.owned
    return tuple(" / ".join(lineage) for lineage in lineages(checked) if lineage not in shown)


def verify(platform: Platform, running: str, wanted: str, context: ManagementContext, *,
           whole: bool = True) -> Verification:  # fmt: skip
    """Whether *running* holds *wanted* (as text, see :func:`missing_lines`, and as the planner reads it)."""
    return Verification(missing_lines(platform, running, wanted, context, whole=whole),
                        remediate(platform, running, wanted, context))  # fmt: skip

"""An audit result as text (per-finding lines, wrapped to the terminal), markdown (a ticket or PR) or JSON."""

from __future__ import annotations

import json
import textwrap

from .audit import AuditFinding, AuditResult, FindingClass
from .records import AuditRecord

_LABEL_WIDTH = 12  # "  expected: "


def summary(result: AuditResult) -> str:
    """``8 devices declared, 7 seen; 3 findings: 1 missing, 1 unknown, 1 moved``."""
    counts = [f"{result.count(kind)} {kind}" for kind in FindingClass if result.count(kind)]
    head = f"{result.declared} devices declared, {result.seen} seen"
    if not result.findings:
        return f"{head}; no findings"
    total = len(result.findings)
    return f"{head}; {total} finding{'s' if total != 1 else ''}: {', '.join(counts)}"


def _scope(result: AuditResult) -> str:
    return "all rooms" if result.all_rooms else f"room{'s' if len(result.rooms) > 1 else ''} {', '.join(result.rooms)}"


def _where(finding: AuditFinding) -> str:
    return f" · room {finding.room}" if finding.room else ""


def as_text(record: AuditRecord, width: int = 80) -> str:
    """One block per finding (class, device and room; expected, found, hint), wrapped to *width* columns."""
    result = record.result
    title = f"Asset audit of {result.school} ({_scope(result)}), collected {result.collected}"
    out = [_wrap(title, width, "", "  "), _wrap(summary(result), width, "", "  ")]
    for finding in result.findings:
        out.append("")
        out.append(f"{finding.kind.upper():9}{finding.device}{_where(finding)}")
        for label, value in (("expected", finding.expected), ("found", finding.found), ("hint", finding.hint)):
            out.append(_wrap(value, width, f"  {label + ':':{_LABEL_WIDTH - 2}}", " " * _LABEL_WIDTH))
    if result.not_checked:
        out += ["", "NOT CHECKED"]
        for item in result.not_checked:
            room = f" (room {item.room})" if item.room else ""
            out.append(_wrap(f"{item.name}{room}: {item.reason}", width, "  ", "    "))
    return "\n".join(out) + "\n"


def _wrap(text: str, width: int, first: str, rest: str) -> str:
    """*text* in lines of at most *width* columns (a MAC or a name longer than that is never cut)."""
    return textwrap.fill(text, width, initial_indent=first, subsequent_indent=rest, break_on_hyphens=False,
                         break_long_words=False)  # fmt: skip


def _cell(text: str | None) -> str:
    return (text or "").replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")


def as_markdown(record: AuditRecord) -> str:
    """A heading, the summary, a table of the findings and a list of what was not checked."""
    result = record.result
    out = [f"### Asset audit of {result.school} ({_scope(result)})", "",
           f"Collected {result.collected}. {summary(result)}."]  # fmt: skip
    if result.findings:
        out += ["", "| Class | Device | Room | Expected | Found | Hint |", "|---|---|---|---|---|---|"]
        out += [f"| {f.kind} | `{_cell(f.device)}` | {_cell(f.room)} | {_cell(f.expected)} | {_cell(f.found)} "
                f"| {_cell(f.hint)} |" for f in result.findings]  # fmt: skip
    if result.not_checked:
        out += ["", "**Not checked**", ""]
        out += [f"- `{_cell(n.name)}`{f' (room {n.room})' if n.room else ''}: {_cell(n.reason)}"
                for n in result.not_checked]  # fmt: skip
    return "\n".join(out) + "\n"


def as_json(record: AuditRecord) -> str:
    """The audit record (discovery and result): what ``--from`` reads back."""
    return json.dumps(record.to_json(), indent=2, ensure_ascii=False) + "\n"

"""A change report as Markdown, for a pull- or merge-request comment (GitHub and GitLab flavours).

Jobs and their commands first, then per school what changes; variables and switch
diffs are folded in ``<details>`` (a short switch diff is shown open).
"""

from __future__ import annotations

import re

from .changes import ChangeReport, LicenceChange, SwitchChange
from .implied import JOB_OF_VARIABLE
from .wording import describe, device_lines, job_where, licence_terms, school_summary, seats, variable_groups

OPEN_DIFF_LINES = 20  # a switch diff this short is shown unfolded


def code(text: str) -> str:
    """*text* as an inline code span, whatever backticks it holds."""
    fence = "`" * (max((len(run) for run in re.findall(r"`+", text)), default=0) + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def as_markdown(report: ChangeReport) -> str:
    """The report as a Markdown comment."""
    title = f"### schooltech diff: {code(report.base.label)} -> {code(report.head.label)}"
    if not report.changed:
        return f"{title}\n\nNo change: the same devices, variables, switch configs and licence seats.\n"
    out = [title, "", *(f"- **{school}**: {school_summary(report, school)}" for school in report.schools), ""]
    out += ["#### Jobs this change implies", ""]
    if report.jobs:
        out += ["| job | school | where | because |", "|---|---|---|---|"]
        out += [f"| {job.job} | {job.school} | {_cell(job_where(job))} | {', '.join(_reason(r) for r in job.reasons)} |"
                for job in report.jobs]  # fmt: skip
        out += ["", "```sh", *(job.command for job in report.jobs), "```", ""]
    else:
        out += ["None: nothing needs to run.", ""]
    for school in report.schools:
        out += [f"#### {school}", ""]
        rooms = [f"{r.renamed_from} renamed **{r.name}**" if r.renamed_from else f"{r.name} {r.status}"
                 for r in report.rooms if r.school == school]  # fmt: skip
        devices = [d for d in report.devices if d.school == school]
        out += _list("Rooms", rooms) + _list("Devices", device_lines(devices))
        out += _licences([c for c in report.licences if c.school == school])
        groups = variable_groups(devices)
        if groups:
            count = sum(1 for d in devices if d.vars)
            out += [f"<details><summary><b>Variables</b> of {count} device{'s' if count != 1 else ''}</summary>", ""]
            for names, changes in groups:
                out += [f"- {names}", *(f"  - {describe(change, code)}" for change in changes)]
            out += ["", "</details>", ""]
        for switch in (s for s in report.switches if s.school == school):
            out += _switch(switch)
    return "\n".join(out).rstrip("\n") + "\n"


def _licences(changes: list[LicenceChange]) -> list[str]:
    if not changes:
        return []
    terms = [licence_terms(c) for c in changes]
    also = any(terms)
    out = ["**Licence seats**", "", "| licence | before | after |" + (" also |" if also else ""),
           "|---|---|---|" + ("---|" if also else "")]  # fmt: skip
    for change, term in zip(changes, terms, strict=True):
        row = f"| {code(change.licence)} | {seats(change.before)} | {seats(change.after)} |"
        out.append(row + (f" {_cell(term)} |" if also else ""))
    return [*out, ""]


def _reason(reason: str) -> str:
    """A variable as code; "new PC", "host name", "rendered config" as words."""
    return code(reason) if reason in JOB_OF_VARIABLE else reason


def _list(title: str, items: list[str]) -> list[str]:
    return [f"**{title}**", "", *(f"- {item}" for item in items), ""] if items else []


def _switch(switch: SwitchChange) -> list[str]:
    variables = [f"- {describe(change, code)}" for change in switch.vars]
    if switch.status == "removed":
        return [f"**{switch.name}**: removed; nothing is sent", ""]
    if not switch.diff:
        return [f"**{switch.name}**: same intended config", "", *variables, ""]
    added, removed = switch.lines
    what = "new switch, intended config" if switch.status == "added" else "intended config"
    fence = "```" + "`" * max((len(run) - 2 for run in re.findall(r"`{3,}", switch.diff)), default=0)
    state = " open" if len(switch.diff.splitlines()) <= OPEN_DIFF_LINES else ""
    summary = f"<details{state}><summary><b>{switch.name}</b>: {what} +{added} -{removed} lines</summary>"
    return [
        summary,
        "",
        *variables,
        *([""] if variables else []),
        f"{fence}diff",
        switch.diff,
        fence,
        "",
        "</details>",
        "",
    ]

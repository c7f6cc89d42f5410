"""Render :class:`ReportData` as one self-contained HTML file, and write it atomically.

No JavaScript, no external reference: inline CSS, inline SVG charts, and a Content-Security-Policy
(``default-src 'none'``) that would block anything else a browser might be tempted to load.
Every value from the inventory or the run records goes through Jinja2's autoescaping.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from ..errors import UsageError
from . import charts
from .data import PatchState, ReportData

CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"


def _environment() -> Environment:
    return Environment(loader=PackageLoader("schooltech_fleet.report", "templates"),
                       autoescape=select_autoescape(default=True, default_for_string=True),
                       undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)  # fmt: skip


def _charts(data: ReportData) -> dict[str, Markup]:
    """The inline SVG of each chart that has something to show (matplotlib escapes its text)."""
    found: dict[str, Markup] = {}
    per_school = data.patch.per_school()
    if per_school:
        series = {s.value: [per_school[c][s] for c in per_school] for s in PatchState}
        found["patch"] = Markup(charts.stacked_bars(list(per_school), series, "patch", "lab and teacher PCs"))
    counted = [lic for lic in data.licences.licences if lic.seats is not None]
    if counted:
        found["licences"] = Markup(charts.seats([f"{lic.school} {lic.product}" for lic in counted],
                                                [lic.seats or 0 for lic in counted],
                                                [lic.used for lic in counted], "licences"))  # fmt: skip
    if data.warranty.by_year:
        found["warranty"] = Markup(charts.bars([str(y.year) for y in data.warranty.by_year],
                                               [y.devices for y in data.warranty.by_year], "warranty",
                                               "warranties ending"))  # fmt: skip
    if data.refresh.years:
        found["refresh"] = Markup(charts.bars([y.year for y in data.refresh.years],
                                              [y.cost for y in data.refresh.years], "refresh",
                                              f"cost ({data.refresh.currency})"))  # fmt: skip
    return found


def render_html(data: ReportData) -> str:
    """The report as one HTML document."""
    template = _environment().get_template("report.html.j2")
    return template.render(data=data, charts=_charts(data), csp=CSP, states=list(PatchState))


def write(path: Path, text: str) -> None:
    """Write *text* to *path* atomically: a reader sees the old file or the new one, whole.

    The report is a document to share, not state: its mode follows the umask like any file the user saves.
    """
    try:
        fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    except OSError as exc:
        hint = "check that its directory exists and is writable"
        raise UsageError(f"cannot write {path}: {exc.strerror}", hint) from exc
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as stream:
            stream.write(text)
            stream.flush()
            os.fsync(stream.fileno())
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(temporary, 0o666 & ~umask)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise

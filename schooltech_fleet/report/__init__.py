"""The fleet report a head teacher can read: gather (:mod:`.gather`) into :class:`ReportData`,
render as one self-contained HTML file (:mod:`.render`), compare two reports (:mod:`.trend`)."""

from __future__ import annotations

from .data import ReportData
from .gather import ReportRequest, gather
from .render import render_html, write
from .trend import Change, Direction, compare, read

__all__ = ["Change", "Direction", "ReportData", "ReportRequest", "compare", "gather", "read", "render_html", "write"]

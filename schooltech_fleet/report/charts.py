"""The report's charts: matplotlib figures drawn by its SVG backend, ready to inline in HTML.

Text stays text (``svg.fonttype: none``): no glyph outlines, no fonts embedded or fetched; the
browser draws it with a local sans-serif. Labels are never read as mathtext, so a ``$`` in a
school name is just a dollar sign; matplotlib's SVG writer escapes ``<`` and ``&``. The XML
prolog and the namespace declarations are dropped: inside HTML the parser puts ``<svg>`` in the
SVG namespace, and the file then holds no URL at all.
"""

from __future__ import annotations

import io
import re
from collections.abc import Mapping, Sequence
from typing import Any

import matplotlib as mpl
from matplotlib.backends.backend_svg import FigureCanvasSVG
from matplotlib.figure import Figure

PALETTE = {"current": "#1b9e77", "pending": "#e6ab02", "stale": "#d95f02", "never": "#7570b3"}
BAR = "#1f6fb4"
OVER = "#c0392b"

_STYLE: Any = {  # rcParams (typed by matplotlib as a Literal of every key)
    "svg.fonttype": "none",
    "font.family": "sans-serif",
    "font.sans-serif": ["DejaVu Sans"],
    "font.size": 9,
    "axes.spines.top": False,
    "axes.spines.right": False,
}
_PROLOG = re.compile(r"\A.*?(?=<svg\b)", re.DOTALL)
_NAMESPACES = re.compile(r'\s+xmlns(?::xlink)?="[^"]*"')
_NO_METADATA = {"Date": None, "Creator": None, "Format": None, "Type": None}


def _svg(figure: Figure, name: str) -> str:
    """The figure as an inline ``<svg>`` element, with ids unique to *name*."""
    buffer = io.StringIO()
    with mpl.rc_context({**_STYLE, "svg.hashsalt": name}):
        FigureCanvasSVG(figure).print_svg(buffer, metadata=_NO_METADATA)  # type: ignore[no-untyped-call]
    svg = _NAMESPACES.sub("", _PROLOG.sub("", buffer.getvalue()), count=2)
    return svg.replace("<svg ", f'<svg role="img" aria-label="{name} chart" ', 1)


def _figure(rows: int) -> Figure:
    with mpl.rc_context(_STYLE):
        return Figure(figsize=(7.5, max(1.6, 0.9 + 0.24 * rows)), layout="constrained")


def stacked_bars(labels: Sequence[str], series: Mapping[str, Sequence[int]], name: str, xlabel: str) -> str:
    """Horizontal stacked bars, one per label (e.g. PCs per patch state per school)."""
    with mpl.rc_context(_STYLE):
        figure = _figure(len(labels))
        axes = figure.add_subplot()
        left = [0] * len(labels)
        positions = list(range(len(labels)))
        for state, values in series.items():
            axes.barh(positions, values, left=left, color=PALETTE.get(state, BAR), label=state)
            left = [a + b for a, b in zip(left, values, strict=True)]
        axes.set_yticks(positions, labels=list(labels), parse_math=False)
        axes.invert_yaxis()
        axes.set_xlabel(xlabel)
        axes.legend(ncols=len(series), loc="lower center", bbox_to_anchor=(0.5, 1.0), frameon=False)
        return _svg(figure, name)


def bars(labels: Sequence[str], values: Sequence[float], name: str, ylabel: str,
         highlight: Sequence[bool] = ()) -> str:  # fmt: skip
    """Vertical bars (e.g. warranties ending per year, refresh cost per financial year)."""
    with mpl.rc_context(_STYLE):
        figure = Figure(figsize=(7.5, 2.6), layout="constrained")
        axes = figure.add_subplot()
        colours = [OVER if flag else BAR for flag in (highlight or [False] * len(values))]
        positions = list(range(len(labels)))
        axes.bar(positions, values, color=colours)
        axes.set_xticks(positions, labels=list(labels), parse_math=False)
        axes.set_ylabel(ylabel)
        return _svg(figure, name)


def seats(labels: Sequence[str], owned: Sequence[int], used: Sequence[int], name: str) -> str:
    """Seats owned (outline) against seats used (filled, red when over) per licence."""
    with mpl.rc_context(_STYLE):
        figure = _figure(len(labels))
        axes = figure.add_subplot()
        positions = list(range(len(labels)))
        axes.barh(positions, owned, color="none", edgecolor="#444444", label="owned", height=0.8)
        axes.barh(positions, used, height=0.5, label="used",
                  color=[OVER if u > o else BAR for u, o in zip(used, owned, strict=True)])  # fmt: skip
        axes.set_yticks(positions, labels=list(labels), parse_math=False)
        axes.invert_yaxis()
        axes.set_xlabel("seats")
        axes.legend(ncols=2, loc="lower center", bbox_to_anchor=(0.5, 1.0), frameon=False)
        return _svg(figure, name)

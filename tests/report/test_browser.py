"""The report in a real browser: headless Chromium draws its charts and fetches nothing.

Needs Chromium (scripts/setup-host.sh installs it); a host without it fails these tests, never skips them.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from headless_chromium import binary, visit
from host_prerequisites import required
from PIL import Image

from schooltech_fleet.report import render_html, write
from schooltech_fleet.report.charts import BAR, PALETTE

from .sample import report

pytestmark = pytest.mark.chromium

PROBE = "http://127.0.0.1:9/probe.png"  # a closed loopback port: Chromium's proxy flags keep every request local


@pytest.fixture(scope="module", autouse=True)
def chromium() -> str:
    return required(binary)


def _rgb(colour: str) -> tuple[int, int, int]:
    return int(colour[1:3], 16), int(colour[3:5], 16), int(colour[5:7], 16)


def _near(counts: Counter[tuple[int, int, int]], colour: str) -> int:
    want = _rgb(colour)
    return sum(n for rgb, n in counts.items() if max(abs(a - b) for a, b in zip(rgb, want, strict=True)) <= 8)


def test_chromium_draws_the_charts_and_the_network_log_shows_no_request(tmp_path: Path) -> None:
    page = tmp_path / "report.html"
    write(page, render_html(report()))
    seen = visit(page, tmp_path)
    assert [url for url in seen.urls if not url.startswith("file:")] == []
    with Image.open(seen.screenshot) as image:
        rgb = image.convert("RGB").tobytes()
    pixels = Counter(zip(rgb[0::3], rgb[1::3], rgb[2::3], strict=True))
    assert sum(n for rgb, n in pixels.items() if rgb != (255, 255, 255)) > 50_000  # not blank
    assert len(pixels) > 100  # text, tables and charts, not one flat colour
    assert _near(pixels, PALETTE["current"]) > 500  # the patch chart's bars
    assert _near(pixels, PALETTE["never"]) > 100
    assert _near(pixels, BAR) > 500  # licence and warranty bars


def test_the_network_log_does_show_a_request_when_a_page_makes_one(tmp_path: Path) -> None:
    """The check above can fail: a page that loads an image shows it in the log."""
    page = tmp_path / "leaky.html"
    page.write_text(f'<!DOCTYPE html><html><body><img src="{PROBE}" alt="x"><p>leaky</p></body></html>')
    assert PROBE in visit(page, tmp_path).urls


def test_the_reports_content_security_policy_blocks_a_request_slipped_into_it(tmp_path: Path) -> None:
    html = render_html(report())
    page = tmp_path / "report.html"
    page.write_text(html.replace("</header>", f'<img src="{PROBE}" alt="x"></header>', 1), encoding="utf-8")
    assert PROBE not in visit(page, tmp_path).urls

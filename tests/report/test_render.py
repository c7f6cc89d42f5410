"""The HTML report: every section, escaped user strings, the CSP, no script and no URL to load."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest

from schooltech_fleet.report import ReportData, render_html
from schooltech_fleet.report.data import AuditSection, LicenceSection, RefreshSection
from schooltech_fleet.report.render import CSP

from .sample import HOSTILE_NAME, HOSTILE_PRODUCT, report


class Page(HTMLParser):
    """What a browser would see: tags, attributes, text, and the contents of <style>."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []
        self.styles: list[str] = []
        self._in_style = False
        self.feed(html)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        self._in_style = tag == "style"

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_endtag(self, tag: str) -> None:
        self._in_style = False

    def handle_data(self, data: str) -> None:
        (self.styles if self._in_style else self.text).append(data)

    def names(self) -> set[str]:
        return {tag for tag, _ in self.tags}

    def visible(self) -> str:
        return " ".join(" ".join(self.text).split())


@pytest.fixture(scope="module")
def html() -> str:
    return render_html(report())


def test_every_section_is_there_with_its_figures(html: str) -> None:
    text = Page(html).visible()
    for heading in ("Patch compliance", "Recent runs", "Switch drift", "Licence seats", "Warranty",
                    "Refresh budget", "Audit findings"):  # fmt: skip
        assert f"{heading}" in text
    assert "C101 30 24 3 2 1 11 2026-11-20" in text  # a room's patch states, upgrades pending, last patch
    assert "patch-20261120T1730Z patch RVS" in text and "did not succeed" in text
    assert "RVS-SW-A1 drifted 4" in text and "RVS-SW-CORE in sync" in text and "no backup yet" in text
    assert "per_seat 10 14 (over)" in text and "Office for schools site site 140" in text
    assert "7 expired 12 ending within 90 days 3 no warranty date" in text
    assert "Ending soonest (1 of 142)" in text
    assert "2027/28 2027-09-01 40 26,000 2" in text
    assert "RVS-C101-PC03 serial SN123 declared, SN999 found" in text


def test_each_chart_is_a_matplotlib_svg_inline(html: str) -> None:
    svgs = re.findall(r"<svg\b[^>]*>", html)
    assert len(svgs) == 4  # patch states per school, licence seats, warranties per year, refresh cost
    assert all('aria-label="' in s for s in svgs)
    assert "<image" not in html  # text stays text: no rasterised glyphs, no embedded images
    assert "@font-face" not in html


def test_user_strings_are_text_never_markup(html: str) -> None:
    page = Page(html)
    assert not [tag for tag, attrs in page.tags if tag in ("script", "img", "iframe", "object", "embed", "link")]
    assert HOSTILE_NAME in page.visible()  # shown as written, in the header and the chart
    assert HOSTILE_PRODUCT in page.visible()
    assert "&lt;script&gt;alert(&#34;pwned&#34;)&lt;/script&gt;" in html
    assert not [attrs for _, attrs in page.tags if any(k.startswith("on") for k in attrs)]


def test_a_dollar_in_a_chart_label_is_not_mathtext(html: str) -> None:
    # matplotlib would typeset $\frac{1}{0}$ (or fail on it); the licence chart shows the product as written
    licence_chart = re.search(r'<svg [^>]*aria-label="licences chart".*?</svg>', html, re.DOTALL)
    assert licence_chart is not None
    label = "EVL Maths &lt;b&gt;Pro&lt;/b&gt; $\\frac{1}{0}$ https://evil.example/track.png</text>"
    assert label in licence_chart.group()


def test_the_content_security_policy_allows_nothing_but_inline_styles_and_data_images(html: str) -> None:
    metas = [attrs for tag, attrs in Page(html).tags if tag == "meta" and attrs.get("http-equiv")]
    assert metas == [{"http-equiv": "Content-Security-Policy", "content": CSP}]
    assert CSP == "default-src 'none'; style-src 'unsafe-inline'; img-src data:"


def test_no_script_and_no_url_outside_escaped_text(html: str) -> None:
    page = Page(html)
    assert "<script" not in html.lower()
    for _, attrs in page.tags:
        for name, value in attrs.items():
            assert not re.search(r"(https?:|//|javascript:)", value or ""), (name, value)
            if name in ("href", "xlink:href"):
                assert (value or "").startswith("#"), value  # only references inside the file
    for style in page.styles:
        assert "url(" not in style and "@import" not in style
    markup = re.sub(r">[^<]*<", "><", html)  # drop every text node
    assert "http:" not in markup and "https:" not in markup


def test_printing_puts_each_section_on_its_own_page(html: str) -> None:
    assert re.search(r"@media print \{[^@]*section \{ break-before: page; page-break-before: always; \}", html)
    assert "@page { size: A4" in html
    assert Page(html).names() >= {"section", "table", "svg"}


def test_a_section_without_data_says_why() -> None:
    empty = report(licences=LicenceSection(note="no licences declared"),
                   refresh=RefreshSection(note="no refresh plan: lifecycle and prices per model class are not set up"),
                   audit=AuditSection(note="no audit has been run (schooltech assets audit)"))  # fmt: skip
    text = Page(render_html(empty)).visible()
    assert "no licences declared" in text and "no audit has been run" in text and "no refresh plan" in text
    assert len(re.findall(r"<svg\b", render_html(empty))) == 2  # patch and warranty only


def test_json_round_trip_keeps_every_field() -> None:
    data = report()
    again = ReportData.from_json(data.to_json())
    assert again == data
    assert render_html(again) == render_html(data)

"""The inventory fields for lifecycle planning: each mistake is reported at its line with a hint."""

from __future__ import annotations

from pathlib import Path

import pytest
from inventory.helpers import located, only, pos, run_check, write_school

ROOMS = """
- name: C1
  kind: ict_suite
  devices:
    - count: 2
      role: lab_pc
      os: debian12
      ip_start: 10.9.16.11
      model: OptiPlex 7010
      purchased: 2020-09-01
      warranty_end: 2026-11-25
      warranty_acknowledged: "no renewal, refresh 2027"
"""


def test_lifecycle_fields_are_valid(tmp_path: Path) -> None:
    path, _ = write_school(tmp_path, rooms=ROOMS, models="OptiPlex 7010: {lifecycle_class: desktop}",
                           model_classes="desktop: {lifecycle_years: 7, price: 600}",
                           finance='{currency: EUR, financial_year_start: "01-01"}')  # fmt: skip
    assert run_check(path).findings == ()


def test_a_model_naming_an_unknown_class_is_reported_at_the_class(tmp_path: Path) -> None:
    path, text = write_school(tmp_path, rooms=ROOMS, models="OptiPlex 7010: {lifecycle_class: destkop}")
    finding = only(run_check(path))
    assert located(finding) == (str(path), *pos(text, "lifecycle_class", "destkop"), "unknown-ref")
    assert "desktop" in finding.hint


@pytest.mark.parametrize(("section", "value", "at"), [
    ("model_classes", "desktop: {lifecycle_years: 6, price: -1}", "-1"),
    ("model_classes", "desktop: {lifecycle_years: 0, price: 650}", "0"),
    ("model_classes", 'desktop: {lifecycle_years: 6, price: "650"}', '"650"'),
    ("model_classes", "desktop: {lifecycle_years: true, price: 650}", "true"),
    ("finance", 'financial_year_start: "13-01"', '"13-01"'),
    ("finance", 'financial_year_start: "4-1"', '"4-1"'),
    ("finance", "financial_year_start: 0401", "0401"),
    ("finance", "currency: pounds", "pounds"),
])  # fmt: skip
def test_a_bad_class_or_finance_value_is_reported_at_the_value(
    tmp_path: Path, section: str, value: str, at: str
) -> None:
    path, text = write_school(tmp_path, **{section: value})
    finding = only(run_check(path))
    assert (finding.file, finding.line, finding.column) == (str(path), *pos(text, value, at))
    assert finding.hint


def test_an_acknowledgement_is_a_reason_not_a_flag(tmp_path: Path) -> None:
    path, text = write_school(tmp_path, rooms=ROOMS.replace('"no renewal, refresh 2027"', "true"))
    finding = only(run_check(path))
    assert (finding.line, finding.column) == pos(text, "warranty_acknowledged", "true")


def test_a_bad_purchase_date_is_reported_at_the_date(tmp_path: Path) -> None:
    path, text = write_school(tmp_path, rooms=ROOMS.replace("2020-09-01", "2020-13-01"))
    finding = only(run_check(path))
    assert (finding.line, finding.column) == pos(text, "purchased", "2020-13-01")

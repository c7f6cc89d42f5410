"""``schooltech report diff``: what got better or worse between two JSON reports, and its exit codes."""

from __future__ import annotations

from pathlib import Path

import pytest
from cli.screen import rows

from schooltech_fleet.cli import main
from schooltech_fleet.report import Direction, compare
from schooltech_fleet.report.data import DriftSection, DriftState, PatchSection, RoomPatch, SwitchDrift

from .sample import report


def _patch(current: int, never: int) -> PatchSection:
    return PatchSection(window_days=30, rooms=[RoomPatch(school="RVS", room="C101", pcs=current + never,
                                                         current=current, never=never)])  # fmt: skip


def test_identical_reports_have_no_change() -> None:
    assert compare(report(), report()) == []


def test_more_current_pcs_is_better_and_more_never_patched_is_worse() -> None:
    changes = compare(report(patch=_patch(current=20, never=10)), report(patch=_patch(current=28, never=2)))
    found = {(c.subject, c.measure): (c.old, c.new, c.direction) for c in changes}
    assert found["RVS", "PCs current %"] == (66.7, 93.3, Direction.BETTER)
    assert found["RVS", "PCs never patched"] == (10, 2, Direction.BETTER)
    worse = compare(report(patch=_patch(current=28, never=2)), report(patch=_patch(current=20, never=10)))
    assert {c.direction for c in worse if c.section == "patch"} == {Direction.WORSE}


def test_a_switch_that_drifts_is_worse_and_a_new_one_is_a_change() -> None:
    old = report(drift=DriftSection(switches=[SwitchDrift(school="RVS", switch="SW1", state=DriftState.IN_SYNC)]))
    new = report(drift=DriftSection(switches=[
        SwitchDrift(school="RVS", switch="SW1", state=DriftState.DRIFTED, changes=3),
        SwitchDrift(school="RVS", switch="SW2", state=DriftState.IN_SYNC),
    ]))  # fmt: skip
    found = {(c.subject, c.measure): c for c in compare(old, new)}
    assert found["RVS SW1", "changes"].direction is Direction.WORSE
    assert found["all", "switches drifted"].direction is Direction.WORSE
    assert (found["RVS SW2", "changes"].old, found["RVS SW2", "changes"].direction) == (None, Direction.CHANGED)


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_report_diff_exits_1_when_something_got_worse_and_fits_80_columns(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    old = _write(tmp_path / "old.json", report(patch=_patch(current=28, never=2)).to_json())
    new = _write(tmp_path / "new.json", report(patch=_patch(current=20, never=10)).to_json())
    assert main(["report", "diff", str(old), str(new)]) == 1
    text = capsys.readouterr().out
    out = text.splitlines()
    assert "patch" in out
    assert {"change": "worse", "subject": "RVS", "measure": "PCs never patched", "was": "2", "now": "10"} in rows(text)
    assert out[-1] == "0 better, 2 worse, 0 changed"
    assert max(len(line) for line in out[1:]) <= 80


def test_report_diff_exits_0_when_nothing_got_worse(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    old = _write(tmp_path / "old.json", report(patch=_patch(current=20, never=10)).to_json())
    new = _write(tmp_path / "new.json", report(patch=_patch(current=28, never=2)).to_json())
    assert main(["report", "diff", str(old), str(new)]) == 0
    assert capsys.readouterr().out.splitlines()[-1] == "2 better, 0 worse, 0 changed"
    assert main(["report", "diff", str(new), str(new)]) == 0
    assert capsys.readouterr().out.splitlines()[-1] == "no change"


def test_report_diff_refuses_a_file_that_is_not_a_report(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    good = _write(tmp_path / "good.json", report().to_json())
    bad = _write(tmp_path / "bad.json", '{"format": 1, "schools": "<script>"}')
    assert main(["report", "diff", str(good), str(bad)]) == 2
    assert "bad.json is not a schooltech report" in capsys.readouterr().err
    assert main(["report", "diff", str(good), str(tmp_path / "absent.json")]) == 2
    assert "cannot read" in capsys.readouterr().err

"""``schooltech check``: exit codes 0 valid / 1 problems / 2 usage, and its three output formats."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from inventory.helpers import EXAMPLE, LICENCE_SECTION, pos, schooltech, write, write_school

from schooltech_fleet.cli import main


def test_a_valid_inventory_exits_0_with_a_summary() -> None:
    done = schooltech("check", EXAMPLE.parent, "--as-of", "2026-10-01")
    assert done.returncode == 0, done.stdout
    assert "checked 1 file: 1 schools, 148 devices, 4 switches; 0 errors, 0 warnings" in done.stdout
    assert done.stderr == ""


def test_the_shipped_inventories_are_valid() -> None:
    done = schooltech("check", "--as-of", "2026-10-01")  # default path: inventories/
    assert done.returncode == 0, done.stdout
    assert " 0 errors" in done.stdout


def test_problems_exit_1_with_one_line_per_finding(tmp_path: Path) -> None:
    path, text = write_school(tmp_path, rooms="- {name: C1, kind: ict_suit, title: " + "A" * 90 + "}")
    done = schooltech("check", path)
    assert done.returncode == 1
    line, column = pos(text, "kind: ict_suit", at="ict_suit")
    lines = done.stdout.splitlines()
    # one line per finding, however long the message: file:line:column stays greppable
    assert lines[0] == f"{path}:{line}:{column}: error[unknown-ref]: room C1: unknown room kind 'ict_suit'"
    assert lines[1] == "    hint: did you mean 'ict_suite'?"
    assert "1 errors" in lines[-1]


def test_a_finding_on_line_100_is_printed_as_100_not_as_an_emoji(tmp_path: Path) -> None:
    text = "schooltech: 1\n" + "# padding\n" * 98 + "school: {name: X, code: TST, type: college}\n"
    path = write(tmp_path, text)
    done = schooltech("check", path)
    assert done.returncode == 1
    assert f"{path}:100:" in done.stdout


def test_a_yaml_syntax_error_exits_1_with_its_line(tmp_path: Path) -> None:
    path = write(tmp_path, "schooltech: 1\nschool:\n  name: [Test\n  code: TST\n")
    done = schooltech("check", path)
    assert done.returncode == 1
    assert re.search(rf"^{re.escape(str(path))}:\d+:\d+: error\[yaml\]: YAML syntax error", done.stdout, re.M)


def test_a_missing_path_exits_2_with_a_message(tmp_path: Path) -> None:
    done = schooltech("check", tmp_path / "missing")
    assert done.returncode == 2
    assert f"error: {tmp_path / 'missing'}: no such file or directory" in done.stderr
    assert done.stdout == ""


def test_a_directory_without_school_files_exits_2(tmp_path: Path) -> None:
    (tmp_path / "notes.yml").write_text("a: 1\n")
    done = schooltech("check", tmp_path)
    assert done.returncode == 2
    assert "no school files found" in done.stderr


def test_a_file_that_is_not_a_school_file_exits_2(tmp_path: Path) -> None:
    other = write(tmp_path, "a: 1\n", "hosts.yml")
    done = schooltech("check", other)
    assert done.returncode == 2
    assert "not a school file" in done.stderr


@pytest.mark.parametrize(
    "args",
    [["--bogus"], ["--format", "xml"], ["--as-of", "2026-13-01"], ["--as-of", "tomorrow"], ["a", "b"]],
    ids=["unknown-option", "unknown-format", "impossible-date", "not-a-date", "two-paths"],
)
def test_a_bad_option_exits_2(args: list[str]) -> None:
    done = schooltech("check", *args)
    assert done.returncode == 2
    assert "error:" in done.stderr


def test_bad_option_exits_2_when_called_in_process(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["check", "--format", "xml"])
    assert exited.value.code == 2
    assert "invalid choice: 'xml'" in capsys.readouterr().err


def test_json_format_lists_every_finding_with_its_location(tmp_path: Path) -> None:
    path, text = write_school(tmp_path, rooms="- {name: C1, kind: ict_suit}\n- {name: C1, kind: office}")
    done = schooltech("check", path, "--format", "json")
    assert done.returncode == 1
    report = json.loads(done.stdout)
    assert report["files"] == [str(path)]
    assert report["summary"] == {"schools": 1, "devices": 0, "switches": 0, "errors": 2, "warnings": 0}
    assert report["findings"] == [
        {
            "file": str(path),
            "line": pos(text, "kind: ict_suit")[0],
            "column": pos(text, "kind: ict_suit", at="ict_suit")[1],
            "code": "unknown-ref",
            "message": "room C1: unknown room kind 'ict_suit'",
            "hint": "did you mean 'ict_suite'?",
            "severity": "error",
        },
        {
            "file": str(path),
            "line": pos(text, "{name: C1, kind: office}")[0],
            "column": pos(text, "{name: C1, kind: office}", at="C1")[1],
            "code": "duplicate",
            "message": "room 'C1' is declared twice",
            "hint": "the first is rooms[0]; rename or merge them",
            "severity": "error",
        },
    ]


def test_json_format_of_a_valid_inventory_parses_with_no_findings() -> None:
    done = schooltech("check", EXAMPLE, "--format", "json", "--as-of", "2026-10-01")
    assert done.returncode == 0
    report = json.loads(done.stdout)
    assert report["findings"] == []
    assert report["summary"]["devices"] == 148


def test_github_format_annotates_the_line_of_each_finding(tmp_path: Path) -> None:
    path, text = write_school(tmp_path, rooms="- {name: C1, kind: ict_suit}")
    done = schooltech("check", path, "--format", "github", cwd=tmp_path)
    assert done.returncode == 1
    line, column = pos(text, "kind: ict_suit", at="ict_suit")
    lines = done.stdout.splitlines()
    assert lines[0] == (
        f"::error file=tst.school.yml,line={line},col={column},title=schooltech unknown-ref::"
        "room C1: unknown room kind 'ict_suit' (hint: did you mean 'ict_suite'?)"
    )
    assert lines[-1].startswith("::notice title=schooltech check::checked 1 file")


def test_github_format_escapes_newlines_and_percent_signs(tmp_path: Path) -> None:
    # a message quoting a value with a newline and a '%' must stay one workflow command
    path, _ = write_school(tmp_path, rooms='- {name: C1, kind: "50%\\nsecond"}')
    done = schooltech("check", path, "--format", "github")
    annotations = [line for line in done.stdout.splitlines() if line.startswith("::error")]
    assert len(annotations) == 1
    assert re.fullmatch(r"::error file=[^:]+,line=\d+,col=\d+,title=schooltech [a-z-]+::.*", annotations[0])
    assert "%25" in annotations[0]


def test_as_of_judges_licence_expiry_on_that_day(tmp_path: Path) -> None:
    path, text = write_school(tmp_path, licences=LICENCE_SECTION)
    expired = schooltech("check", path, "--as-of", "2027-09-01")
    assert expired.returncode == 1
    line, column = pos(text, "expires:", at="2027")
    assert f"{path}:{line}:{column}: error[licence-expired]: licence cad expired on 2027-08-31" in expired.stdout


def test_a_licence_expiring_soon_is_a_warning_and_exits_0(tmp_path: Path) -> None:
    path, text = write_school(tmp_path, licences=LICENCE_SECTION)
    done = schooltech("check", path, "--as-of", "2027-08-21")
    assert done.returncode == 0
    line, column = pos(text, "expires:", at="2027")
    assert f"{path}:{line}:{column}: warning[licence-expiring]: licence cad expires on 2027-08-31, in 10 days" in (
        done.stdout
    )
    assert "0 errors, 1 warnings" in done.stdout
    report = json.loads(schooltech("check", path, "--as-of", "2027-08-21", "--format", "json").stdout)
    assert [f["severity"] for f in report["findings"]] == ["warning"]
    github = schooltech("check", path, "--as-of", "2027-08-21", "--format", "github").stdout
    assert github.startswith(f"::warning file={path},line={line},col={column},title=schooltech licence-expiring::")

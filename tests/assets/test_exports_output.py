"""Writing an export: all or nothing, an existing one kept without --force, and the command's exit codes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from schooltech_fleet.assets import records
from schooltech_fleet.assets.audit import compare
from schooltech_fleet.assets.declared import declared_school
from schooltech_fleet.assets.exports import OutputExists, export_glpi, export_snipeit
from schooltech_fleet.assets.records import AuditRecord
from schooltech_fleet.cli import main
from schooltech_fleet.errors import UsageError
from schooltech_fleet.inventory.fleet import Fleet

from .conftest import REPO, demo_audit

DEMO = str(REPO / "inventories" / "demo")


def test_an_existing_csv_is_kept_without_force_and_replaced_with_it(examples: Fleet, tmp_path: Path) -> None:
    target = tmp_path / "assets.csv"
    target.write_text("a colleague's spreadsheet\n", encoding="utf-8")
    with pytest.raises(OutputExists, match="already exists"):
        export_snipeit(examples, target, school="DEMO")
    assert target.read_text(encoding="utf-8") == "a colleague's spreadsheet\n"
    export_snipeit(examples, target, school="DEMO", force=True)
    assert target.read_text(encoding="utf-8").startswith('"Asset Tag"')
    assert sorted(p.name for p in tmp_path.iterdir()) == ["assets.csv"]  # no temporary file left behind


def test_an_empty_file_or_directory_is_not_an_export_to_protect(examples: Fleet, tmp_path: Path) -> None:
    (tmp_path / "empty.csv").touch()
    export_snipeit(examples, tmp_path / "empty.csv", school="DEMO")
    (tmp_path / "glpi").mkdir()
    export_glpi(examples, tmp_path / "glpi", school="DEMO")
    assert len(list((tmp_path / "glpi").iterdir())) == 11


def test_a_previous_glpi_export_is_replaced_whole_with_force(examples: Fleet, tmp_path: Path) -> None:
    target = tmp_path / "glpi"
    export_glpi(examples, target)
    with pytest.raises(OutputExists):
        export_glpi(examples, target, school="DEMO")
    export_glpi(examples, target, school="DEMO", force=True)
    assert {p.stem for p in target.iterdir()} == {h for h, host in examples.hosts.items() if host.school == "DEMO"}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["glpi"]


def test_force_never_empties_a_directory_that_holds_anything_but_an_export(examples: Fleet, tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("keep me", encoding="utf-8")
    with pytest.raises(OutputExists) as refused:
        export_glpi(examples, tmp_path, force=True)
    assert (
        refused.value.hint is not None
        and "only a directory of .json files; it also holds notes.txt" in refused.value.hint
    )
    assert (tmp_path / "notes.txt").read_text(encoding="utf-8") == "keep me"


def test_a_directory_is_not_a_csv_and_a_file_is_not_a_directory(examples: Fleet, tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="is a directory"):
        export_snipeit(examples, tmp_path, force=True)
    (tmp_path / "file").write_text("x", encoding="utf-8")
    with pytest.raises(UsageError, match="is a file"):
        export_glpi(examples, tmp_path / "file", force=True)
    with pytest.raises(UsageError, match="does not exist"):
        export_snipeit(examples, tmp_path / "missing" / "a.csv")


def test_exit_codes(tmp_path: Path, state_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    csv_args = ["assets", "export", "--format", "snipeit", "-i", DEMO, "--output", str(tmp_path / "a.csv")]
    assert main(csv_args) == 0
    assert "wrote 11 rows to" in capsys.readouterr().out
    assert main(csv_args) == 2  # the export is there now
    assert "already exists" in capsys.readouterr().err
    assert main([*csv_args, "--force"]) == 0
    glpi = ["assets", "export", "--format", "glpi", "-i", DEMO, "--school", "NOPE", "--output", str(tmp_path / "g")]
    assert main(glpi) == 2
    assert "no school with code 'NOPE'" in capsys.readouterr().err
    assert not (tmp_path / "g").exists()
    with pytest.raises(SystemExit) as usage:
        main(["assets", "export", "--format", "itop", "--output", str(tmp_path / "x")])
    assert usage.value.code == 2


def test_help_documents_the_formats_and_exit_codes(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as shown:
        main(["assets", "export", "--help"])
    assert shown.value.code == 0
    text = capsys.readouterr().out
    assert "Exit codes: 0 written, 2 usage error" in text
    assert "--format {snipeit,glpi}" in text and "--force" in text


def test_with_audit_adds_what_the_latest_audit_found_and_needs_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("SCHOOLTECH_STATE_DIR", str(tmp_path / "state"))
    args = ["assets", "export", "--format", "glpi", "-i", DEMO, "--with-audit", "--output", str(tmp_path / "g")]
    assert main(args) == 2
    assert "--with-audit needs --school" in capsys.readouterr().err
    assert main([*args, "--school", "DEMO"]) == 2
    assert "DEMO has not been audited yet" in capsys.readouterr().err
    assert not (tmp_path / "g").exists()
    discovery = demo_audit()
    records.save(AuditRecord(discovery, compare(declared_school(Path(DEMO), "DEMO"), discovery)))
    assert main([*args, "--school", "DEMO"]) == 0
    assert "(2 with what the audit found)" in capsys.readouterr().out
    pc01 = json.loads((tmp_path / "g" / "DEMO-LAB1-PC01.json").read_text(encoding="utf-8"))
    assert pc01["content"]["bios"]["ssn"] == "CZC4051XYZ"  # what the PC reported, not the declared serial

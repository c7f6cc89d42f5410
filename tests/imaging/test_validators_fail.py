"""A deliberately broken file fails each validator, with the file and (where the tool says) the line."""

from __future__ import annotations

import dataclasses

from schooltech_fleet.imaging.answers import Finding, render_answer, validate_answers
from schooltech_fleet.imaging.answers.render import RenderedAnswer
from schooltech_fleet.imaging.answers.validate import debconf_checkonly
from schooltech_fleet.inventory.model import OperatingSystem

from .conftest import request


def broken(answer: RenderedAnswer, old: str, new: str) -> RenderedAnswer:
    assert old in answer.text
    return dataclasses.replace(answer, text=answer.text.replace(old, new, 1))


def lines_of(findings: list[Finding]) -> list[tuple[str, int | None]]:
    return [(finding.file, finding.line) for finding in findings]


def test_debconf_refuses_a_line_without_a_type() -> None:
    answer = broken(render_answer(request()), "d-i netcfg/get_domain string\n", "d-i netcfg/get_domain\n")
    findings = validate_answers([answer])
    line = answer.text.splitlines().index("d-i netcfg/get_domain") + 1
    assert ("lab1-pc01.preseed.cfg", line) in lines_of(findings)
    assert any(finding.problem.startswith("debconf: parse error") for finding in findings)


def test_debconf_reports_an_unknown_type_in_the_right_file_of_a_batch() -> None:
    good = render_answer(request(hostname="pc01"))
    bad = broken(render_answer(request(hostname="pc02")), "time/zone string", "time/zone strng")
    findings = validate_answers([good, bad])
    line = bad.text.splitlines().index("d-i time/zone strng Europe/London") + 1
    debconf = [finding for finding in findings if finding.problem.startswith("debconf:")]
    assert lines_of(debconf) == [("pc02.preseed.cfg", line)]
    assert f"line {line}" in debconf[0].problem


def test_the_allow_list_refuses_a_misspelt_question() -> None:
    answer = broken(render_answer(request()), "partman-auto/method", "partman-auto/methd")
    (finding,) = validate_answers([answer])
    assert "partman-auto/methd" in finding.problem and finding.line is not None


def test_the_schema_refuses_a_wrong_type_and_an_unknown_key() -> None:
    answer = render_answer(request(os=OperatingSystem.UBUNTU2404))
    wrong_type = broken(answer, "  version: 1\n", '  version: "one"\n')
    unknown_key = broken(answer, "  version: 1\n", "  version: 1\n  identiti: {}\n")
    no_user = broken(answer, "  user-data:\n", "  user-dat:\n")
    assert any("version" in finding.problem for finding in validate_answers([wrong_type]))
    assert any("identiti" in finding.problem for finding in validate_answers([unknown_key]))
    assert validate_answers([no_user]) != []


def test_autoinstall_needs_its_header_and_valid_yaml() -> None:
    answer = render_answer(request(os=OperatingSystem.UBUNTU2204))
    assert validate_answers([broken(answer, "#cloud-config\n", "")])[0].line == 1
    (finding,) = validate_answers([broken(answer, "  version: 1\n", "  version: [1\n")])
    assert finding.problem.startswith("not YAML") and finding.line is not None


def test_autounattend_must_be_well_formed_with_its_passes_and_no_password() -> None:
    answer = render_answer(request(os=OperatingSystem.WINDOWS11, firmware="uefi"))
    (unclosed,) = validate_answers([broken(answer, "</ComputerName>", "")])
    assert unclosed.problem.startswith("not well-formed XML") and unclosed.line is not None
    no_specialize = broken(answer, '<settings pass="specialize">', '<settings pass="auditUser">')
    assert "the specialize pass is missing" in [finding.problem for finding in validate_answers([no_specialize])]
    no_arch = broken(answer, 'processorArchitecture="amd64" ', "")
    assert any("lacks processorArchitecture" in finding.problem for finding in validate_answers([no_arch]))
    wrong_ns = broken(answer, 'xmlns="urn:schemas-microsoft-com:unattend"', 'xmlns="urn:example"')
    assert "not unattend" in validate_answers([wrong_ns])[0].problem
    password = broken(answer, "<OOBE>", "<OOBE><Password>secret</Password>")
    assert any("no password" in finding.problem for finding in validate_answers([password]))


def test_a_broken_line_shared_by_several_files_is_reported_in_each_with_continuations_counted() -> None:
    shared = "d-i time/zone strng Europe/London\n"
    first = "d-i netcfg/get_domain string a\\\n  b\n" + shared
    second = "\n\n" + shared
    assert validate_answers([]) == []
    parsed = debconf_checkonly([("one.cfg", first), ("two.cfg", second)])
    assert lines_of(parsed) == [("one.cfg", 3), ("two.cfg", 3)]

"""Check rendered answer files with the parsers their installers use, before any PC boots.

* preseed: ``debconf-set-selections --checkonly`` (Debian's own parser, run against a private,
  empty debconf database so the host's is never read or locked), plus the allow-list of
  :mod:`preseed_keys` (an unknown question or a wrong type is a finding);
* autoinstall: YAML that starts with ``#cloud-config``, checked against ``autoinstall.schema.json``
  (written from Ubuntu's autoinstall reference) with ``jsonschema``;
* autounattend: well-formed XML in the unattend namespace with the windowsPE, specialize and
  oobeSystem passes, every component carrying its identity attributes.

Every problem comes back as a :class:`Finding` (file, line when known, problem); nothing is printed
or raised for a bad file. debconf runs once for a whole batch of preseeds, on their distinct
records, and each finding is mapped back to every file and line that holds the record.
"""

from __future__ import annotations

import bisect
import json
import re
import subprocess
import tempfile
from collections.abc import Iterable, Sequence
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import jsonschema
import yaml

from schooltech_fleet.errors import PrerequisiteError
from schooltech_fleet.imaging.answers.preseed_keys import ALLOWED_KEYS
from schooltech_fleet.imaging.answers.render import AnswerFormat, RenderedAnswer
from schooltech_fleet.imaging.finding import Finding

DEBCONF_SET_SELECTIONS = "debconf-set-selections"
UNATTEND_NS = "urn:schemas-microsoft-com:unattend"
REQUIRED_PASSES = ("windowsPE", "specialize", "oobeSystem")
COMPONENT_ATTRIBUTES = ("name", "processorArchitecture", "publicKeyToken", "language", "versionScope")
_DEBCONF_LINE = re.compile(r"^\s*(\S+)\s+(\S+)\s+(\S+)(?:\s(.*))?$")
_DEBCONF_MESSAGE = re.compile(r"^(?:error|warning): (?P<text>.*?line (?P<line>\d+).*)$")
#: libyaml's safe loader when PyYAML was built with it (ten times faster), the pure-Python one otherwise
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_DEBCONF_CONF = """Config: configdb
Templates: templatedb

Name: configdb
Driver: File
Filename: {root}/config.dat

Name: templatedb
Driver: File
Filename: {root}/templates.dat
"""


def validate_answers(answers: Sequence[RenderedAnswer]) -> list[Finding]:
    """Every finding of every answer file; an empty list means all of them pass."""
    findings = validate_preseeds([a for a in answers if a.format is AnswerFormat.PRESEED])
    for answer in answers:
        if answer.format is AnswerFormat.AUTOINSTALL:
            findings += validate_autoinstall(answer.filename, answer.text)
        elif answer.format is AnswerFormat.AUTOUNATTEND:
            findings += validate_autounattend(answer.filename, answer.text)
    return findings


def validate_preseeds(answers: Sequence[RenderedAnswer]) -> list[Finding]:
    """Allow-list every preseed, then parse them all with one ``debconf-set-selections --checkonly``."""
    findings = [finding for answer in answers for finding in check_preseed_keys(answer.filename, answer.text)]
    if answers:
        findings += debconf_checkonly([(answer.filename, answer.text) for answer in answers])
    return findings


def check_preseed_keys(filename: str, text: str) -> list[Finding]:
    """Findings for lines whose question is not on the allow-list or has another owner or type."""
    findings = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        match = _DEBCONF_LINE.match(line)
        if match is None:
            findings.append(Finding(filename, number, f"not a debconf line: {line!r}"))
            continue
        owner, key, kind = match.group(1, 2, 3)
        expected = ALLOWED_KEYS.get(key)
        if expected is None:
            findings.append(Finding(filename, number, f"question {key!r} is not on the allow-list"))
        elif (owner, kind) != expected:
            findings.append(
                Finding(filename, number, f"{key}: owner/type {owner} {kind}, expected {expected[0]} {expected[1]}")
            )
    return findings


def debconf_checkonly(files: Iterable[tuple[str, str]]) -> list[Finding]:
    """Parse (name, text) preseeds with ``debconf-set-selections --checkonly``, in one process.

    debconf's parser works record by record (a line, with its ``\\`` continuation lines) and keeps
    nothing from one record to the next in --checkonly mode, so each distinct record is checked
    once, however many files share it (2,000 preseeds differ in a handful of lines), and each
    finding goes back to every file and line holding that record.
    """
    named = list(files)
    where: dict[str, list[tuple[str, int]]] = {}
    for name, text in named:
        for number, record in _records(text):
            where.setdefault(record, []).append((name, number))
    batch, spans, line = [], [], 0
    for record in where:
        batch.append(record)
        spans.append(line)
        line += record.count("\n") + 1
    result = _run_debconf("\n".join(batch) + "\n")
    findings = []
    for message in result.stderr.splitlines():
        match = _DEBCONF_MESSAGE.match(message.strip())
        if match is None:
            continue
        index = bisect.bisect_right(spans, int(match["line"]) - 1) - 1
        record = batch[index]
        offset = int(match["line"]) - 1 - spans[index]
        for name, number in where[record]:
            text = re.sub(r"line \d+", f"line {number + offset}", match["text"])
            findings.append(Finding(name, number + offset, f"debconf: {text}"))
    if result.returncode != 0 and not findings:
        problem = result.stderr.strip() or f"exit status {result.returncode}"
        findings += [Finding(name, None, f"debconf-set-selections failed: {problem}") for name, _ in named]
    return sorted(findings, key=lambda finding: (finding.file, finding.line or 0))


def _records(text: str) -> list[tuple[int, str]]:
    """(first line number, text) of each debconf record: a line and the lines its trailing ``\\`` continues."""
    records: list[tuple[int, str]] = []
    lines = text.splitlines()
    number = 0
    while number < len(lines):
        first, record = number + 1, [lines[number]]
        while record[-1].endswith("\\") and number + 1 < len(lines):
            number += 1
            record.append(lines[number])
        records.append((first, "\n".join(record)))
        number += 1
    return records


def _run_debconf(text: str) -> subprocess.CompletedProcess[str]:
    """``debconf-set-selections --checkonly`` on *text*, against a private empty debconf database."""
    with tempfile.TemporaryDirectory(prefix="schooltech-debconf-") as tmp:
        root = Path(tmp)
        (root / "debconf.conf").write_text(_DEBCONF_CONF.format(root=root), encoding="utf-8")
        (root / "batch.preseed").write_text(text, encoding="utf-8")
        try:
            return subprocess.run(
                [DEBCONF_SET_SELECTIONS, "--checkonly", str(root / "batch.preseed")],
                env={"DEBCONF_SYSTEMRC": str(root / "debconf.conf"), "PATH": "/usr/sbin:/usr/bin:/sbin:/bin"},
                capture_output=True,
                text=True,
                check=False,
            )
        except FileNotFoundError as exc:
            raise PrerequisiteError(
                f"{DEBCONF_SET_SELECTIONS} is not installed", hint="run: sudo apt-get install debconf"
            ) from exc


def validate_autoinstall(filename: str, text: str) -> list[Finding]:
    """Findings for an autoinstall user-data file: cloud-config header, YAML, then the schema."""
    if not text.startswith("#cloud-config\n"):
        return [Finding(filename, 1, "user-data must start with the line #cloud-config")]
    try:
        data = yaml.load(text, Loader=_YAML_LOADER)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        return [Finding(filename, line, f"not YAML: {getattr(exc, 'problem', None) or exc}")]
    if not isinstance(data, dict) or not isinstance(data.get("autoinstall"), dict):
        return [Finding(filename, None, "no autoinstall: mapping at the top level")]
    validator = _autoinstall_validator()
    return [
        Finding(filename, None, f"autoinstall/{'/'.join(str(p) for p in error.absolute_path)}: {error.message}")
        for error in sorted(validator.iter_errors(data["autoinstall"]), key=lambda e: list(map(str, e.absolute_path)))
    ]


@cache
def _autoinstall_validator() -> jsonschema.Draft202012Validator:
    """The schema, checked and compiled once per process."""
    source = resources.files("schooltech_fleet.imaging.answers").joinpath("autoinstall.schema.json")
    schema: dict[str, Any] = json.loads(source.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def validate_autounattend(filename: str, text: str) -> list[Finding]:
    """Findings for an autounattend.xml: well-formed, unattend namespace, passes and component identities."""
    try:
        root = ElementTree.fromstring(text.encode("utf-8"))
    except ElementTree.ParseError as exc:
        return [Finding(filename, exc.position[0], f"not well-formed XML: {exc}")]
    if root.tag != f"{{{UNATTEND_NS}}}unattend":
        return [Finding(filename, None, f"the root element is {root.tag}, not unattend in {UNATTEND_NS}")]
    ns = f"{{{UNATTEND_NS}}}"
    problems = []
    passes = [settings.get("pass") for settings in root.findall(f"{ns}settings")]
    problems += [f"the {name} pass is missing" for name in REQUIRED_PASSES if name not in passes]
    problems += [f"the {name} pass appears twice" for name in sorted(map(str, set(passes))) if passes.count(name) > 1]
    for component in root.iter(f"{ns}component"):
        name = component.get("name", "?")
        missing = [attribute for attribute in COMPONENT_ATTRIBUTES if not component.get(attribute)]
        if missing:
            problems.append(f"component {name} lacks {', '.join(missing)}")
        elif component.get("processorArchitecture") not in ("amd64", "x86", "arm64"):
            problems.append(f"component {name}: unknown processorArchitecture")
    setup = root.find(f"{ns}settings[@pass='windowsPE']/{ns}component[@name='Microsoft-Windows-Setup']")
    if setup is None or setup.find(f".//{ns}InstallTo") is None:
        problems.append("windowsPE has no Microsoft-Windows-Setup with an ImageInstall target")
    for element in root.iter():
        if element.tag in (f"{ns}Password", f"{ns}AdministratorPassword"):
            problems.append(f"{element.tag.removeprefix(ns)}: no password belongs in an answer file")
    return [Finding(filename, None, problem) for problem in problems]

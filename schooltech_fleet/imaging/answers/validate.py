"""Check rendered answer files with the parsers their installers use, before any PC boots.

* preseed: ``debconf-set-selections --checkonly`` (Debian's own parser, run against a private,
  empty debconf database so the host's is never read or locked), plus the allow-list of
  :mod:`preseed_keys` (an unknown question or a wrong type is a finding);
* autoinstall: YAML that starts with ``#cloud-config``, checked against ``autoinstall.schema.json``
  (written from Ubuntu's autoinstall reference) with ``jsonschema``;
* autounattend: well-formed XML in the unattend namespace with the windowsPE, specialize and
  oobeSystem passes, every component carrying its identity attributes.

Every problem comes back as a :class:`Finding` (file, line when known, problem); nothing is printed
or raised for a bad file. debconf runs once for a whole batch of preseeds: its line numbers run on
across the files it reads, so each finding is mapped back to its file.
"""

from __future__ import annotations

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
    """Parse (name, text) preseeds with ``debconf-set-selections --checkonly`` in one process."""
    named = list(files)
    with tempfile.TemporaryDirectory(prefix="schooltech-debconf-") as tmp:
        root = Path(tmp)
        (root / "debconf.conf").write_text(_DEBCONF_CONF.format(root=root), encoding="utf-8")
        paths, ends, total = [], [], 0
        for index, (_, text) in enumerate(named):
            path = root / f"{index}.preseed"
            path.write_text(text if text.endswith("\n") else text + "\n", encoding="utf-8")
            paths.append(str(path))
            total += len(text.splitlines())
            ends.append(total)
        try:
            result = subprocess.run(
                [DEBCONF_SET_SELECTIONS, "--checkonly", *paths],
                env={"DEBCONF_SYSTEMRC": str(root / "debconf.conf"), "PATH": "/usr/sbin:/usr/bin:/sbin:/bin"},
                capture_output=True,
                text=True,
                check=False,
            )
        except FileNotFoundError as exc:
            raise PrerequisiteError(
                f"{DEBCONF_SET_SELECTIONS} is not installed", hint="run: sudo apt-get install debconf"
            ) from exc
    findings = []
    for message in result.stderr.splitlines():
        match = _DEBCONF_MESSAGE.match(message.strip())
        if match is None:
            continue
        name, line = _locate(int(match["line"]), named, ends)
        text = re.sub(r"line \d+", f"line {line}", match["text"])
        findings.append(Finding(name, line, f"debconf: {text}"))
    if result.returncode != 0 and not findings:
        problem = result.stderr.strip() or f"exit status {result.returncode}"
        findings += [Finding(name, None, f"debconf-set-selections failed: {problem}") for name, _ in named]
    return findings


def _locate(line: int, named: Sequence[tuple[str, str]], ends: Sequence[int]) -> tuple[str, int]:
    """The file and its own line number for debconf's running line number *line*."""
    start = 0
    for (name, _), end in zip(named, ends, strict=True):
        if line <= end:
            return name, line - start
        start = end
    return named[-1][0], line - start


def validate_autoinstall(filename: str, text: str) -> list[Finding]:
    """Findings for an autoinstall user-data file: cloud-config header, YAML, then the schema."""
    if not text.startswith("#cloud-config\n"):
        return [Finding(filename, 1, "user-data must start with the line #cloud-config")]
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        return [Finding(filename, line, f"not YAML: {getattr(exc, 'problem', None) or exc}")]
    if not isinstance(data, dict) or not isinstance(data.get("autoinstall"), dict):
        return [Finding(filename, None, "no autoinstall: mapping at the top level")]
    validator = jsonschema.Draft202012Validator(_autoinstall_schema())
    return [
        Finding(filename, None, f"autoinstall/{'/'.join(str(p) for p in error.absolute_path)}: {error.message}")
        for error in sorted(validator.iter_errors(data["autoinstall"]), key=lambda e: list(map(str, e.absolute_path)))
    ]


@cache
def _autoinstall_schema() -> dict[str, Any]:
    source = resources.files("schooltech_fleet.imaging.answers").joinpath("autoinstall.schema.json")
    schema: dict[str, Any] = json.loads(source.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    return schema


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

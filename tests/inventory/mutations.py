"""Damage a school file the way hands and editors do: lost, doubled or shifted lines, odd values, cut-offs."""

from __future__ import annotations

import json
import random
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from .helpers import REPO, school_text

Mutation = tuple[str, int, object]

CLI_HOSTILE: tuple[str, ...] = (
    '"Lab 1?"',  # '?' asks a switch CLI for help in the middle of the line
    '"the \\"quiet\\" lab"',  # '"' ends a name ArubaOS-Switch writes in quotes
    '"lab\\u202e1"',  # a Unicode bidi override: the text reads otherwise than stored
    '"lab\\u2066x\\u2069"',  # a bidi isolate pair
    '"lab\\x9b2J"',  # a C1 control (CSI) the schema lets through
    '"Salle d\'été"',  # not ASCII
    "x" * 241,  # over IOS's 240-character description
    "y" * 65,  # over ArubaOS-Switch's 64-character port name
)
"""YAML scalars, valid as inventory text, that no switch CLI here takes as a port name."""

ODD_SCALARS: tuple[str, ...] = (
    "yes",
    "no",
    "~",
    "null",
    "true",
    "0830",
    "010",
    "0x_",
    "0o",
    "-.inf",
    ".nan",
    "1e999",
    "-0",
    "99999999999999999999999",
    "2026-02-30",
    "2026-13-01",
    "08:30Z",
    '"25:61"',
    '"08:30+01:00"',
    "10.0.0.0/33",
    "10.0.0.256",
    "::1",
    "3c:52:82",
    "{{ x }}",
    "{% if %}",
    "[",
    "]",
    "{",
    "}",
    "&a",
    "*a",
    "*undefined",
    "!!python/object/apply:os.system ['id']",
    "!!binary aGk=",
    "'",
    '"',
    "|",
    ">",
    "- x",
    "? x",
    ": x",
    "#",
    "@x",
    "`x`",
    "%YAML 1.1",
    "---",
    "...",
    '"\\t"',
    '"\\x00"',
    '"\\u2028"',
    '"a\\nb"',
    "é",
    "😀",

    "ï»¿",
    "[1, [2, [3]]]",
    "{a: {b: {c: d}}}",
    "[]",
    "{}",
    '""',
    "''",
    "0",
    "-1",
    "4095",
    "1.5",
    "1000",
    "1001",
    "255.255.255.255",
    "0.0.0.0",
    "1-99999999",
    "1-104",
    "00:00",
    '"23:59"',
    "9999-12-31",
    "0001-01-01",
    *CLI_HOSTILE,
)

SOURCES: dict[str, str] = {
    path.parent.name: path.read_text(encoding="utf-8") for path in sorted((REPO / "inventories").glob("*/*.school.yml"))
}
SOURCES["small"] = school_text(
    switches="""
    - name: TST-SW1
      platform: cisco_ios
      mgmt_ip: 10.9.99.11
      access_ports: 24
      ports:
        - {ports: 1-2, room: C1, description: lab}
      uplinks:
        - {port: 25, to: TST-SW2, vlans: [students, management]}
        - {port: 28}
    - name: TST-SW2
      platform: hp_procurve
      mgmt_ip: 10.9.99.12
      access_ports: 8
      uplink_ports: 2
      ports:
        - {ports: 1, room: C1, description: "lab printer"}
      uplinks:
        - {port: 9, to: TST-SW1}
      settings: {snmp: {location: "C1 cupboard"}}
    """,
    licences="""
    - {id: cad, product: CAD, type: per_seat, seats: 5, rooms: [C1], expires: 2027-08-31}
    """,
    calendar="""
    terms:
      - {name: Autumn, start: 2026-09-03, end: 2026-12-18}
    exam_freezes:
      - {name: Mocks, start: 2026-12-01, end: 2026-12-12, rooms: [C1]}
    lessons:
      periods:
        - {start: "08:40", end: "10:40"}
    """,
    ansible="""
    groups: {old: "warranty_end is defined"}
    keyed_groups:
      - {key: model, prefix: model}
    compose: {x: "room"}
    """,
    settings='aup_banner: |\n  line one\n  line two\npatch:\n  window: {start: "17:00", end: "21:00"}\n',
)


def mutate(text: str, mutations: Sequence[Mutation]) -> bytes:
    """Apply *mutations* (kind, position, argument) to *text*; positions wrap around."""
    lines = text.splitlines(keepends=True)
    bad_bytes: list[int] = []
    for kind, where, argument in mutations:
        if not lines:
            lines = ["\n"]
        i = where % len(lines)
        if kind == "delete":
            del lines[i]
        elif kind == "duplicate":
            lines.insert(i, lines[i])
        elif kind == "indent":
            shift = int(str(argument))
            lines[i] = " " * shift + lines[i] if shift > 0 else lines[i][min(-shift, _indent(lines[i])) :]
        elif kind == "swap":
            j = int(str(argument)) % len(lines)
            lines[i], lines[j] = lines[j], lines[i]
        elif kind == "replace":
            lines[i] = _replace_value(lines[i], argument)
        elif kind == "sub" and isinstance(argument, tuple):
            old, new = argument
            lines[i] = lines[i].replace(str(old), str(new), 1)
        elif kind == "truncate":
            joined = "".join(lines)
            lines = joined[: where % (len(joined) + 1)].splitlines(keepends=True)
        elif kind == "badbyte":
            bad_bytes.append(where)
    data = "".join(lines).encode("utf-8")
    for where in bad_bytes:
        at = where % (len(data) + 1)
        data = data[:at] + b"\xff" + data[at:]
    return data


def line_index(text: str, needle: str, nth: int = 1) -> int:
    """0-based index of the *nth* line of *text* that contains *needle* (a mutation's position)."""
    found = [i for i, line in enumerate(text.splitlines()) if needle in line]
    assert len(found) >= nth, f"no line {nth} with {needle!r}"
    return found[nth - 1]


def sub(source: str, needle: str, old: str, new: str, nth: int = 1) -> Mutation:
    """Replace *old* by *new* on the *nth* line of SOURCES[source] that contains *needle*."""
    return ("sub", line_index(SOURCES[source], needle, nth), (old, new))


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def _replace_value(line: str, value: object) -> str:
    """Put *value* where the line's value is (after ``key:`` or ``- ``), raw or as a quoted string."""
    if isinstance(value, str):
        text = value
    elif isinstance(value, tuple):  # ("quoted", text)
        text = json.dumps(value[1], ensure_ascii=False)
    else:
        text = repr(value)
    head, colon, _ = line.partition(": ")
    if colon:
        return f"{head}: {text}\n"
    stripped = line.lstrip(" ")
    if stripped.startswith("- "):
        return line[: len(line) - len(stripped)] + f"- {text}\n"
    return line.rstrip("\n") + f" {text}\n"


def random_mutations(rng: random.Random, count: int) -> list[Mutation]:
    """*count* mutations drawn from *rng* (for a handful of deterministic cases outside hypothesis)."""
    out: list[Mutation] = []
    for _ in range(count):
        kind = rng.choice(("delete", "duplicate", "indent", "swap", "replace", "replace", "truncate"))
        argument: object = rng.choice(ODD_SCALARS) if kind == "replace" else rng.randint(-4, 4)
        out.append((kind, rng.randrange(10_000), argument))
    return out


def write_mutant(directory: Path, data: bytes, name: str = "mut.school.yml") -> Path:
    """Write a (damaged) school file with the example schools' certificate files beside it."""
    directory.mkdir(parents=True, exist_ok=True)
    for certificate in (REPO / "inventories").glob("*/files/*.pem"):
        (directory / "files").mkdir(exist_ok=True)
        (directory / "files" / certificate.name).write_bytes(certificate.read_bytes())
    path = directory / name
    path.write_bytes(data)
    return path


@dataclass(frozen=True)
class TargetedCase:
    """A deliberate mistake in an example school and every error ``schooltech check`` must report for it."""

    source: str
    mutations: tuple[Mutation, ...]
    expected: frozenset[tuple[str, str, int]]
    """(text, code, n): an error with *code* on the n-th line of the mutant that holds *text*."""

    def mutant(self) -> bytes:
        return mutate(SOURCES[self.source], self.mutations)


def at(text: str, code: str, nth: int = 1) -> tuple[str, str, int]:
    """An expected error: *code* on the *nth* line of the mutant that holds *text*."""
    return (text, code, nth)


IMAGING_CASES: dict[str, TargetedCase] = {
    "bad-mac": TargetedCase("demo", (sub("demo", '"52:54:00:90:20:66"', "20:66", "20:6g"),),
                            frozenset({at("52:54:00:90:20:6g", "schema")})),
    "duplicate-mac": TargetedCase("demo", (sub("demo", '"52:54:00:90:20:66"', "20:66", "20:65"),),
                                  frozenset({at('"52:54:00:90:20:65"', "duplicate", 2)})),
    "pc-without-mac": TargetedCase("demo", (("delete", line_index(SOURCES["demo"], "20:66"), None),),
                                   frozenset({at("count: 4", "imaging")})),
    "windows-name-16-characters": TargetedCase(
        "primary",
        (sub("primary", "{name: HZP-REC-TCH01", "HZP-REC-TCH01", "HZP-RECEPTION-T1"),
         sub("primary", "device: HZP-REC-TCH01", "HZP-REC-TCH01", "HZP-RECEPTION-T1")),
        frozenset({at("{name: HZP-RECEPTION-T1", "naming")})),
    "unknown-profile": TargetedCase("demo", (sub("demo", "imaging_profile: debian_kiosk", "kiosk", "kisok"),),
                                    frozenset({at("imaging_profile: debian_kisok", "unknown-ref")})),
    "unknown-profile-of-a-kind": TargetedCase("demo", (sub("demo", "ict_suite: {imaging", "debian_lab", "debian"),),
                                              frozenset({at("ict_suite: {imaging_profile: debian}", "unknown-ref")})),
    "room-without-a-boot-server": TargetedCase(
        "demo", (sub("demo", "name: DEMO-PXE1", "10.90.20.5, vlans: [students]", "10.90.10.5, vlans: [staff]"),),
        frozenset({at("- name: LAB1", "imaging"), at("- name: LAB2", "imaging"),
                   at("imaging_profile: debian_kiosk", "imaging")})),
    "boot-server-outside-its-vlan": TargetedCase("demo", (sub("demo", "name: DEMO-PXE1", "10.90.20.5", "10.90.30.5"),),
                                                 frozenset({at("name: DEMO-PXE1", "address")})),
    "boot-server-unknown-site": TargetedCase("demo", (sub("demo", "name: DEMO-PXE1", "site: main", "site: annexe"),),
                                             frozenset({at("name: DEMO-PXE1", "unknown-ref"),
                                                        at("- name: LAB1", "imaging"), at("- name: LAB2", "imaging"),
                                                        at("imaging_profile: debian_kiosk", "imaging")})),
    "boot-server-unknown-vlan": TargetedCase("demo", (sub("demo", "name: DEMO-PXE1", "[students]", "[student]"),),
                                             frozenset({at("name: DEMO-PXE1", "unknown-ref"),
                                                        at("- name: LAB1", "imaging"), at("- name: LAB2", "imaging"),
                                                        at("imaging_profile: debian_kiosk", "imaging")})),
    "os-other-than-the-profiles": TargetedCase("demo", (sub("demo", "os: debian12", "debian12", "ubuntu2404", nth=2),),
                                               frozenset({at("os: ubuntu2404", "imaging")})),
    "windows-11-on-bios": TargetedCase(
        "demo",
        (sub("demo", "debian_kiosk: {os: debian12", "debian12", "windows11"),
         sub("demo", "os: debian12", "debian12", "windows11", nth=4)),
        frozenset({at("model: Lenovo ThinkCentre M70q", "imaging")})),
    "bad-locale": TargetedCase("demo", (sub("demo", "timezone:", "Europe/London", "Europe/London\n  locale: en_GB"),),
                               frozenset({at("locale: en_GB", "schema")})),
}  # fmt: skip
"""The imaging mutation corpus: each case must make ``schooltech check`` exit 1 with these file:line findings."""

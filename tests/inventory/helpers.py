"""Small school files written to disk, and ways to find where a finding should point.

Tests build a school file from text sections, so every expected ``line:column``
is computed from the very text the test wrote (``pos(text, ...)``) instead of
being a magic number.
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

from schooltech_fleet.inventory import CheckResult, check
from schooltech_fleet.inventory.findings import Finding

REPO = Path(__file__).resolve().parents[2]
VENV_BIN = Path(sys.executable).parent
SCHOOLTECH = VENV_BIN / "schooltech"
ANSIBLE_INVENTORY = VENV_BIN / "ansible-inventory"
EXAMPLE = REPO / "inventories" / "secondary" / "rvs.school.yml"

TODAY = dt.date(2026, 10, 1)
"""A fixed 'today' for checks, so licence expiry does not depend on the calendar."""

DEFAULT_ROOMS = """
- name: C1
  title: Computing 1
  kind: ict_suite
  devices:
    - count: 2
      role: lab_pc
      os: debian12
      ip_start: 10.9.16.11
"""

DEFAULT_VLANS = """
staff: {subnet: 10.9.10.0/24, gateway: 10.9.10.1}
students: {subnet: 10.9.16.0/24, gateway: 10.9.16.1}
guest: {subnet: 10.9.30.0/24, gateway: 10.9.30.1}
av: {subnet: 10.9.40.0/24, gateway: 10.9.40.1}
management: {subnet: 10.9.99.0/24, gateway: 10.9.99.1}
"""

LICENCE_SECTION = """
- id: cad
  product: CAD Suite
  type: site
  rooms: [C1]
  expires: 2027-08-31
"""


def school_text(code: str = "TST", school_type: str = "secondary", **sections: str | None) -> str:
    """A valid secondary school file; each keyword replaces or adds one top-level section.

    A section is YAML text for the body of the section (dedented here and indented under
    its key). ``rooms`` and ``vlans`` have small defaults; pass ``None`` to leave one out.
    """
    text = f"schooltech: 1\nschool:\n  name: Test School {code}\n  code: {code}\n  type: {school_type}\n"
    sections = {"vlans": DEFAULT_VLANS, "rooms": DEFAULT_ROOMS, **sections}
    for key, body in sections.items():
        if body is None:
            continue
        block = textwrap.dedent(body).strip("\n")
        text += f"{key}:\n{textwrap.indent(block, '  ')}\n"
    return text


def write(directory: Path, text: str, name: str = "tst.school.yml") -> Path:
    path = directory / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def write_school(directory: Path, code: str = "TST", **sections: str | None) -> tuple[Path, str]:
    """Write ``school_text(code, **sections)`` as ``<code>.school.yml``; return the path and text."""
    text = school_text(code, **sections)
    return write(directory, text, f"{code.lower()}.school.yml"), text


def pos(text: str, line_with: str, at: str | None = None, nth: int = 1) -> tuple[int, int]:
    """1-based (line, column) of *at* (default: *line_with* itself) on the *nth* line containing *line_with*."""
    seen = 0
    for number, line in enumerate(text.splitlines(), start=1):
        if line_with in line:
            seen += 1
            if seen == nth:
                return number, line.index(at if at is not None else line_with) + 1
    raise AssertionError(f"no line {nth} with {line_with!r} in:\n{text}")


def run_check(path: Path, today: dt.date = TODAY) -> CheckResult:
    return check(path, today=today)


def errors(result: CheckResult) -> list[Finding]:
    return result.errors


def only(result: CheckResult, severity: str = "error") -> Finding:
    """The one finding of *result* (failing with the full list when there are more or none)."""
    found = [f for f in result.findings if f.severity == severity]
    others = [f for f in result.findings if f.severity != severity]
    assert len(found) == 1 and not others, "\n".join(f.text() for f in result.findings) or "no findings"
    return found[0]


def located(finding: Finding) -> tuple[str, int, int, str]:
    """(file, line, column, code) of a finding: what a technician jumps to."""
    return finding.file, finding.line, finding.column, finding.code


def drop_lines(text: str, *needles: str) -> str:
    """*text* without the lines that contain any of *needles*."""
    return "".join(line for line in text.splitlines(keepends=True) if not any(n in line for n in needles))


def schooltech(*args: str | Path, cwd: Path = REPO) -> subprocess.CompletedProcess[str]:
    """Run the installed ``schooltech`` command; it must never show a traceback."""
    done = subprocess.run(
        [str(SCHOOLTECH), *map(str, args)], cwd=cwd, capture_output=True, text=True, timeout=60, check=False,
        stdin=subprocess.DEVNULL,  # never a terminal: a command that would ask must say so instead
    )
    assert "Traceback" not in done.stdout + done.stderr, done.stderr
    assert "internal error" not in done.stderr, done.stderr
    return done


def ansible_inventory(*args: str | Path) -> subprocess.CompletedProcess[str]:
    """Run the real ``ansible-inventory`` with the project's ansible.cfg (cwd: the repository)."""
    env = {**os.environ, "ANSIBLE_CONFIG": str(REPO / "ansible.cfg"), "ANSIBLE_NOCOLOR": "1"}
    return subprocess.run(
        [str(ANSIBLE_INVENTORY), *map(str, args)],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def plain(value: Any) -> Any:
    """Ansible 2.19's ``--list`` JSON marks untrusted strings ``{"__ansible_unsafe": s}``; undo that."""
    if isinstance(value, dict):
        if set(value) == {"__ansible_unsafe"}:
            return value["__ansible_unsafe"]
        return {key: plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [plain(item) for item in value]
    return value


def write_simulation_layer(directory: Path, node: str | None, code: str = "TST") -> None:
    """A simulation layer beside the school file: its PC01 of C1 simulated and, if given, the school's node."""
    (directory / ".schooltech-sim.yml").write_text(
        "schooltech_sim: 1\nsimulation: sim-test\nstarted: '2026-12-01T07:00:00+00:00'\n"
        "connection: {ssh_user: fleetadmin, ssh_private_key: /sim/id, ssh_known_hosts: /sim/known_hosts,"
        " switch_username: schooltech, switch_password_file: /sim/pw}\n"
        f"schools:\n  {code}:\n    devices: {{{code}-C1-PC01: {{host: 127.0.0.1, port: 22001}}}}\n"
        + (f"    execution_node: {node}\n" if node else "")
    )  # fmt: skip


def members(listing: dict[str, Any], group: str) -> set[str]:
    """Every host in *group* of an ``ansible-inventory --list``, through its children."""
    found, pending = set(), [group]
    while pending:
        entry = listing.get(pending.pop(), {})
        found |= set(entry.get("hosts", []))
        pending.extend(entry.get("children", []))
    return found

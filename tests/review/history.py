"""A scripted git history of copies of the example inventories, one inventory change per commit."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
RVS = Path("inventories/secondary/rvs.school.yml")
COMMIT_DATE = "2026-11-20T12:00:00+00:00"
GIT_ENV = {
    "GIT_CONFIG_GLOBAL": os.devnull,
    "GIT_CONFIG_NOSYSTEM": "1",
    "GIT_AUTHOR_NAME": "Test Technician",
    "GIT_AUTHOR_EMAIL": "it@example.sch.uk",
    "GIT_COMMITTER_NAME": "Test Technician",
    "GIT_COMMITTER_EMAIL": "it@example.sch.uk",
    "GIT_AUTHOR_DATE": COMMIT_DATE,
    "GIT_COMMITTER_DATE": COMMIT_DATE,
}


def git(repo: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", "-C", str(repo), *args], env={**os.environ, **GIT_ENV}, capture_output=True, text=True, check=True
    )
    return done.stdout.strip()


def edit(repo: Path, path: Path, *replacements: tuple[str, str]) -> None:
    """Replace each old text (which must occur exactly once) with the new one."""
    text = (repo / path).read_text(encoding="utf-8")
    for old, new in replacements:
        assert text.count(old) == 1, f"{old!r} occurs {text.count(old)} times in {path}"
        text = text.replace(old, new)
    (repo / path).write_text(text, encoding="utf-8")


def rename_room(repo: Path) -> None:
    edit(
        repo,
        RVS,
        ("  - name: C102\n", "  - name: C103\n"),
        ("{ports: 33-44, room: C102}", "{ports: 33-44, room: C103}"),
        ("rooms: [C101, C102, LIB]", "rooms: [C101, C103, LIB]"),
        ("rooms: [C101, C102]}", "rooms: [C101, C103]}"),
    )


def move_switch_ports(repo: Path) -> None:
    edit(repo, RVS, ("{ports: 13-22, room: M1}", "{ports: 15-24, room: M1}"))


def add_licence(repo: Path) -> None:
    """30 seats: S1's PCs, and M1's once the software step installs the licence's science set there."""
    edit(
        repo,
        RVS,
        (
            "calendar:\n",
            "  - id: datalogger\n    product: LabLogger Pro\n    type: per_seat\n    seats: 30\n"
            "    rooms: [S1]\n    software_set: science\n    expires: 2028-07-31\n\ncalendar:\n",
        ),
    )


def change_vlan(repo: Path) -> None:
    edit(
        repo,
        RVS,
        (
            "  av: {subnet: 10.20.40.0/24, gateway: 10.20.40.1}",
            "  av: {id: 41, subnet: 10.20.41.0/24, gateway: 10.20.41.1}",
        ),
        ("    ip: 10.20.40.11\n", "    ip: 10.20.41.11\n"),
    )


def add_device(repo: Path) -> None:
    edit(
        repo,
        RVS,
        (
            "        model: Dell OptiPlex 3000 Micro\n        ip_start: 10.20.17.11\n",
            "        model: Dell OptiPlex 3000 Micro\n        ip_start: 10.20.17.11\n"
            "      - name: RVS-S1-TCH01\n        role: teacher_pc\n        os: debian12\n        vlan: staff\n"
            "        ip: 10.20.10.111\n",
        ),
    )


def software_and_settings(repo: Path) -> None:
    edit(
        repo,
        RVS,
        ("    kind: music_room\n", "    kind: music_room\n    software_sets: [base, music, science]\n"),
        (
            "    software_sets: [base, computing, exam]\n",
            "    software_sets: [base, computing, exam]\n    settings: {screen_lock_minutes: 5}\n",
        ),
    )


def add_school(repo: Path) -> None:
    shutil.copytree(REPO / "inventories" / "specialist", repo / "inventories" / "specialist")


def comment_only(repo: Path) -> None:
    edit(repo, RVS, ("calendar:\n", "# the calendar follows the local authority's term dates\ncalendar:\n"))


STEPS: tuple[tuple[str, Callable[[Path], None]], ...] = (
    ("renamed-room", rename_room),
    ("moved-ports", move_switch_ports),
    ("licence", add_licence),
    ("vlan", change_vlan),
    ("device", add_device),
    ("software", software_and_settings),
    ("school", add_school),
    ("comment", comment_only),
)


def build(repo: Path) -> dict[str, str]:
    """A repository whose first commit (tag ``base``) holds the primary and secondary examples, then
    one commit per step, tagged with the step's name; returns tag -> commit."""
    repo.mkdir(parents=True, exist_ok=True)
    git(repo, "init", "-q", "-b", "main")
    for school in ("primary", "secondary"):
        shutil.copytree(REPO / "inventories" / school, repo / "inventories" / school)
    commits = {"base": _commit(repo, "base")}
    for tag, step in STEPS:
        step(repo)
        commits[tag] = _commit(repo, tag)
    return commits


def _commit(repo: Path, tag: str) -> str:
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", tag)
    git(repo, "tag", tag)
    return git(repo, "rev-parse", "HEAD")

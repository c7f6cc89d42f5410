"""``schooltech diff`` over a scripted history of the example inventories (see history.py): one
inventory change per commit, each with its exact report; the formats; exit codes and errors."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from review.history import RVS, build, edit, git
from schooltech_fleet.cli import main

SCHOOLTECH = str(Path(sys.executable).parent / "schooltech")
DATE = "2026-11-20"


@pytest.fixture(scope="module")
def history(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    repo = tmp_path_factory.mktemp("history") / "district"
    return repo, build(repo)


def run(capsys: pytest.CaptureFixture[str], repo: Path, *args: str) -> tuple[int, str, str]:
    code = main(["diff", "-i", str(repo / "inventories"), *args])
    out, err = capsys.readouterr()
    return code, out, err


def report(
    capsys: pytest.CaptureFixture[str],
    history: tuple[Path, dict[str, str]],
    base: str,
    head: str,
) -> dict[str, Any]:
    repo, commits = history
    code, out, err = run(capsys, repo, "--base", base, "--head", head, "--format", "json")
    assert (code, err) == (1, "")
    data: dict[str, Any] = json.loads(out)
    assert data.pop("base") == {"name": base, "commit": commits[base], "date": DATE}
    assert data.pop("head") == {"name": head, "commit": commits[head], "date": DATE}
    assert data.pop("changed") is True
    return data


def changed_lines(diff: str) -> list[str]:
    return [line for line in diff.splitlines() if line[:1] in "+-" and not line.startswith(("+++ ", "--- "))]


def device(
    name: str,
    room: str,
    status: str = "changed",
    *changes: dict[str, Any],
    managed: bool = True,
    renamed_from: str | None = None,
    moved_from: str | None = None,
) -> dict[str, Any]:
    return {
        "school": "RVS",
        "name": name,
        "room": room,
        "status": status,
        "managed": managed,
        "renamed_from": renamed_from,
        "moved_from": moved_from,
        "vars": list(changes),
    }


def changed(name: str, old: Any, new: Any) -> dict[str, Any]:
    return {"name": name, "status": "changed", "old": old, "new": new}


def seats(
    product: str,
    kind: str,
    bought: int | None,
    used: int,
    rooms: list[str],
    expires: str | None,
) -> dict[str, Any]:
    return {
        "product": product,
        "type": kind,
        "seats": bought,
        "used": used,
        "rooms": rooms,
        "expires": expires,
        "over_allocated": False,
    }


NO_SCHOOLS = {"added": [], "removed": []}
S1_PCS = [f"RVS-S1-PC{n:02}" for n in range(1, 13)]


def test_renaming_a_room_renames_its_devices_and_their_switch_ports(
    capsys: pytest.CaptureFixture[str], history: tuple[Path, dict[str, str]]
) -> None:
    data = report(capsys, history, "base", "renamed-room")
    [switch] = data.pop("switches")
    assert {**switch, "diff": ""} == {"school": "RVS", "name": "RVS-SW-A1", "status": "changed", "diff": "", "vars": []}
    assert changed_lines(switch["diff"]) == ["- description room C102", "+ description room C103"] * 12
    c103 = [f"RVS-C103-PC{n:02}" for n in range(1, 29)]
    exam = ("SecureExam Browser", "site", None, 67)
    assert data == {
        "schools": NO_SCHOOLS,
        "rooms": [{"school": "RVS", "name": "C103", "status": "renamed", "renamed_from": "C102"}],
        "devices": [
            device(name, "C103", "changed", changed("room", "C102", "C103"), renamed_from=f"RVS-C102-{name[-4:]}")
            for name in c103
        ],
        "licences": [
            {
                "school": "RVS",
                "licence": "exam-browser",
                "before": seats(*exam, ["C101", "C102", "LIB"], None),
                "after": seats(*exam, ["C101", "C103", "LIB"], None),
            }
        ],
        "jobs": [
            {
                "job": "configure",
                "school": "RVS",
                "rooms": ["C103"],
                "hosts": c103,
                "reasons": ["host name"],
                "command": "schooltech configure --school RVS --room C103",
            },
            {
                "job": "net push",
                "school": "RVS",
                "rooms": [],
                "hosts": ["RVS-SW-A1"],
                "reasons": ["rendered config"],
                "command": "schooltech net push --school RVS --switch RVS-SW-A1",
            },
        ],
    }


ACCESS_PORT = [
    "description room M1",
    "switchport access vlan 20",
    "switchport mode access",
    "switchport port-security maximum 2",
    "switchport port-security violation restrict",
    "switchport port-security",
    "storm-control broadcast level 5.00",
    "spanning-tree portfast",
]
UNUSED_PORT = ["description unused", "switchport mode access", "shutdown"]


def _port(number: int, old: list[str], new: list[str]) -> list[str]:
    return [
        f" interface GigabitEthernet1/0/{number}",
        *(f"- {line}" for line in old),
        *(f"+ {line}" for line in new),
        " !",
    ]


def test_moving_switch_ports_changes_only_that_switch(
    capsys: pytest.CaptureFixture[str], history: tuple[Path, dict[str, str]]
) -> None:
    data = report(capsys, history, "renamed-room", "moved-ports")
    expected_diff = [
        "--- RVS-SW-S1 (renamed-room)",
        "+++ RVS-SW-S1 (moved-ports)",
        "@@ -137,24 +137,14 @@",
        "  spanning-tree portfast",
        " !",
        *_port(13, ACCESS_PORT, UNUSED_PORT),
        *_port(14, ACCESS_PORT, UNUSED_PORT),
        " interface GigabitEthernet1/0/15",
        "  description room M1",
        "@@ -237,14 +227,24 @@",
        "  spanning-tree portfast",
        " !",
        *_port(23, UNUSED_PORT, ACCESS_PORT),
        *_port(24, UNUSED_PORT, ACCESS_PORT),
        " interface TenGigabitEthernet1/1/1",
        "  description uplink to RVS-SW-CORE",
    ]
    assert data == {
        "schools": NO_SCHOOLS,
        "rooms": [],
        "devices": [],
        "licences": [],
        "switches": [
            {"school": "RVS", "name": "RVS-SW-S1", "status": "changed", "diff": "\n".join(expected_diff), "vars": []}
        ],
        "jobs": [
            {
                "job": "net push",
                "school": "RVS",
                "rooms": [],
                "hosts": ["RVS-SW-S1"],
                "reasons": ["rendered config"],
                "command": "schooltech net push --school RVS --switch RVS-SW-S1",
            }
        ],
    }


def test_a_new_licence_takes_seats_and_implies_a_license_run(
    capsys: pytest.CaptureFixture[str], history: tuple[Path, dict[str, str]]
) -> None:
    data = report(capsys, history, "moved-ports", "licence")
    licence = {
        "id": "datalogger",
        "product": "LabLogger Pro",
        "type": "per_seat",
        "seats": 30,
        "software_set": "science",
        "expires": "2028-07-31",
        "packages": ["stellarium", "kalzium"],
    }
    assert data == {
        "schools": NO_SCHOOLS,
        "rooms": [],
        "switches": [],
        "devices": [
            device(name, "S1", "changed", {"name": "licences[datalogger]", "status": "added", "new": licence})
            for name in S1_PCS
        ],
        "licences": [
            {
                "school": "RVS",
                "licence": "datalogger",
                "before": None,
                "after": seats("LabLogger Pro", "per_seat", 30, 12, ["S1"], "2028-07-31"),
            }
        ],
        "jobs": [
            {
                "job": "license",
                "school": "RVS",
                "rooms": ["S1"],
                "hosts": S1_PCS,
                "reasons": ["licences"],
                "command": "schooltech license --school RVS --room S1",
            }
        ],
    }


def test_a_new_vlan_id_and_subnet_change_every_switch_and_the_devices_on_it_but_no_pc_job(
    capsys: pytest.CaptureFixture[str], history: tuple[Path, dict[str, str]]
) -> None:
    data = report(capsys, history, "licence", "vlan")
    switches = {s["name"]: changed_lines(s["diff"]) for s in data.pop("switches")}
    trunk = ["- switchport trunk allowed vlan 10,20,30,40,99", "+ switchport trunk allowed vlan 10,20,30,41,99"]
    access = ["- switchport access vlan 40", "+ switchport access vlan 41"]
    assert switches == {
        "RVS-SW-CORE": ["-vlan 40", "+vlan 41", *trunk * 4],  # three switches and the router
        "RVS-SW-A1": ["-vlan 40", "+vlan 41", *access * 2, *trunk],
        "RVS-SW-S1": ["-vlan 40", "+vlan 41", *trunk],
        "RVS-SW-T1": ["-vlan 40", "+vlan 41"],
    }
    assert data == {
        "schools": NO_SCHOOLS,
        "rooms": [],
        "licences": [],
        "devices": [
            device(
                "RVS-C101-DSP01",
                "C101",
                "changed",
                changed("vlan_id", 40, 41),
                changed("subnet", "10.20.40.0/24", "10.20.41.0/24"),
                changed("gateway", "10.20.40.1", "10.20.41.1"),
                changed("ip", "10.20.40.11", "10.20.41.11"),
                changed("ansible_host", "10.20.40.11", "10.20.41.11"),
                managed=False,
            )
        ],
        "jobs": [
            {
                "job": "net push",
                "school": "RVS",
                "rooms": [],
                "hosts": list(switches),
                "reasons": ["rendered config"],
                "command": "schooltech net push --school RVS",
            }
        ],
    }


def test_a_new_device_takes_a_seat_and_is_rebuilt_on_its_own(
    capsys: pytest.CaptureFixture[str], history: tuple[Path, dict[str, str]]
) -> None:
    assert report(capsys, history, "vlan", "device") == {
        "schools": NO_SCHOOLS,
        "rooms": [],
        "switches": [],
        "devices": [device("RVS-S1-TCH01", "S1", "added")],
        "licences": [
            {
                "school": "RVS",
                "licence": "datalogger",
                "before": seats("LabLogger Pro", "per_seat", 30, 12, ["S1"], "2028-07-31"),
                "after": seats("LabLogger Pro", "per_seat", 30, 13, ["S1"], "2028-07-31"),
            }
        ],
        "jobs": [
            {
                "job": "rebuild",
                "school": "RVS",
                "rooms": ["S1"],
                "hosts": ["RVS-S1-TCH01"],
                "reasons": ["new PC"],
                "command": "schooltech rebuild --school RVS --limit RVS-S1-TCH01",
            }
        ],
    }


def test_software_and_settings_imply_a_rebuild_and_a_configure_of_whole_rooms(
    capsys: pytest.CaptureFixture[str], history: tuple[Path, dict[str, str]]
) -> None:
    data = report(capsys, history, "device", "software")
    jobs = [(job["job"], job["rooms"], job["reasons"], job["command"]) for job in data["jobs"]]
    assert jobs == [
        ("rebuild", ["M1"], ["software_sets", "software_packages"], "schooltech rebuild --school RVS --room M1"),
        ("configure", ["C101"], ["screen_lock_minutes"], "schooltech configure --school RVS --room C101"),
    ]
    by_name = {d["name"]: d["vars"] for d in data["devices"]}
    assert by_name["RVS-M1-PC01"] == [
        changed("software_sets", ["base", "music"], ["base", "music", "science"]),
        {"name": "software_packages[stellarium]", "status": "added", "new": {"name": "stellarium"}},
        {"name": "software_packages[kalzium]", "status": "added", "new": {"name": "kalzium"}},
    ]
    assert by_name["RVS-C101-DSP01"] == [changed("screen_lock_minutes", 10, 5)]  # a display: no job for it
    assert len(by_name) == 30 + 2 + 10


def test_a_new_school_is_added_whole(capsys: pytest.CaptureFixture[str], history: tuple[Path, dict[str, str]]) -> None:
    data = report(capsys, history, "software", "school")
    assert data["schools"] == {"added": ["OAK"], "removed": []}
    assert {d["status"] for d in data["devices"]} == {"added"} and len(data["devices"]) == 43
    assert [(s["name"], s["status"], changed_lines(s["diff"])[0]) for s in data["switches"]] == [
        ("OAK-SW-01", "added", "+!"),
        ("OAK-SW-02", "added", "+!"),
    ]
    assert [job["command"] for job in data["jobs"]] == [
        "schooltech rebuild --school OAK",
        "schooltech net push --school OAK",
    ]


def test_a_change_that_resolves_to_the_same_inventory_exits_0(
    capsys: pytest.CaptureFixture[str], history: tuple[Path, dict[str, str]]
) -> None:
    repo, commits = history
    code, out, _ = run(capsys, repo, "--base", "school", "--head", "comment")
    assert (code, out) == (
        0,
        f"schooltech diff school ({commits['school'][:7]}) -> comment ({commits['comment'][:7]}): no change\n",
    )
    code, out, _ = run(capsys, repo, "--base", "school", "--head", "comment", "--format", "json")
    assert code == 0 and json.loads(out)["changed"] is False


def test_markdown_puts_jobs_and_commands_first_and_folds_diffs(
    capsys: pytest.CaptureFixture[str], history: tuple[Path, dict[str, str]]
) -> None:
    repo, commits = history
    code, out, _ = run(capsys, repo, "--base", "base", "--head", "device", "--format", "markdown")
    assert code == 1
    lines = out.splitlines()
    assert lines[0] == f"### schooltech diff: `base ({commits['base'][:7]})` -> `device ({commits['device'][:7]})`"
    assert (
        "- **RVS**: rooms: 1 renamed; devices: 1 added, 28 renamed, 41 with changed variables; switches: 4 changed; "
        "licences: 1 changed, 1 added"
    ) in lines
    jobs = lines.index("#### Jobs this change implies")
    assert lines[jobs + 2 : jobs + 9] == [
        "| job | school | where | because |",
        "|---|---|---|---|",
        "| rebuild | RVS | room S1: RVS-S1-TCH01 | new PC |",
        "| license | RVS | room S1 (12 PCs) | `licences` |",
        "| configure | RVS | room C103 (28 PCs) | host name |",
        "| net push | RVS | switches RVS-SW-CORE, RVS-SW-A1, RVS-SW-S1, RVS-SW-T1 | rendered config |",
        "",
    ]
    assert lines[jobs + 9 : jobs + 15] == [
        "```sh",
        "schooltech rebuild --school RVS --limit RVS-S1-TCH01",
        "schooltech license --school RVS --room S1",
        "schooltech configure --school RVS --room C103",
        "schooltech net push --school RVS",
        "```",
    ]
    assert "- C102 renamed **C103**" in lines
    assert "- renamed in C103: RVS-C102-PC01..PC28 -> RVS-C103-PC01..PC28" in lines
    assert "- added in S1: RVS-S1-TCH01" in lines
    assert "| `datalogger` | none | 13 of 30 seats |  |" in lines
    assert "<details><summary><b>Variables</b> of 41 devices</summary>" in lines
    assert "  - `licences[datalogger]`: unset -> `{" in out
    assert "<details><summary><b>RVS-SW-A1</b>: intended config +16 -16 lines</summary>" in lines
    assert "<details open><summary><b>RVS-SW-T1</b>: intended config +1 -1 lines</summary>" in lines  # short: open
    assert out.count("```diff") == 4 and out.count("</details>") == 5


def test_text_names_the_jobs_with_their_commands(
    capsys: pytest.CaptureFixture[str], history: tuple[Path, dict[str, str]]
) -> None:
    repo, _ = history
    code, out, _ = run(capsys, repo, "--base", "moved-ports", "--head", "device")
    assert code == 1
    assert "RVS: devices: 1 added, 13 with changed variables; switches: 4 changed; licences: 1 added" in out
    assert "    datalogger: none -> 13 of 30 seats\n" in out
    assert "    RVS-SW-T1: changed, intended config +1 -1 lines\n        --- RVS-SW-T1 (moved-ports)\n" in out
    assert "  license at RVS, room S1 (12 PCs); why: licences\n    $ schooltech license --school RVS --room S1\n" in out


def test_without_head_the_work_tree_is_compared_uncommitted_edits_included(
    capsys: pytest.CaptureFixture[str], history: tuple[Path, dict[str, str]], tmp_path: Path
) -> None:
    repo, commits = history
    clone = tmp_path / "clone"
    git(tmp_path, "clone", "-q", str(repo), str(clone))
    # S1's 13 PCs and, since the software step, M1's 10 (it installs the licence's software set)
    edit(clone, RVS, ("    seats: 30\n", "    seats: 24\n"))
    code, out, _ = run(capsys, clone, "--base", "origin/main", "--format", "json")
    data = json.loads(out)
    assert code == 1
    assert data["head"] == {"name": "work tree", "commit": None, "date": None}
    assert data["base"]["commit"] == commits["comment"]
    assert [(c["licence"], c["after"]["seats"], c["after"]["used"]) for c in data["licences"]] == [
        ("datalogger", 24, 23)
    ]
    assert data["jobs"][0]["command"] == "schooltech license --school RVS --room S1"


def test_an_invalid_inventory_at_base_is_reported_with_its_revision_and_file_lines(
    capsys: pytest.CaptureFixture[str],
    history: tuple[Path, dict[str, str]],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    repo, _ = history
    clone = tmp_path / "clone"
    git(tmp_path, "clone", "-q", str(repo), str(clone))
    edit(clone, RVS, ("    kind: music_room\n", "    kind: musicroom\n"))
    git(clone, "commit", "-q", "-am", "a typo")
    broken = git(clone, "rev-parse", "--short=7", "HEAD")
    edit(clone, RVS, ("    kind: musicroom\n", "    kind: music_room\n"))  # fixed in the work tree
    monkeypatch.chdir(clone)
    line = next(n for n, text in enumerate((clone / RVS).read_text().splitlines(), 1) if "kind: music_room" in text)
    code, out, err = run(capsys, clone, "--base", "HEAD")
    assert (code, out) == (2, "")
    assert err.splitlines() == [
        f"{RVS}:{line}:11: error[unknown-ref]: room M1: unknown room kind 'musicroom'",
        "    hint: did you mean 'music_room'?",
        f"error: the inventory at HEAD ({broken}) has 1 problem",
    ]
    edit(clone, RVS, ("    kind: music_room\n", "    kind: musicroom\n"))
    code, _, err = run(capsys, clone, "--base", "HEAD~1")
    assert code == 2 and err.splitlines()[-1] == "error: the inventory in the work tree has 1 problem"


def test_usage_errors_exit_2(
    capsys: pytest.CaptureFixture[str],
    history: tuple[Path, dict[str, str]],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    repo, _ = history
    code, _, err = run(capsys, repo, "--base", "no-such-branch")
    assert code == 2
    assert err.splitlines()[0] == "error: unknown revision 'no-such-branch'"
    assert "fetch-depth: 0" in err
    code, _, err = run(capsys, repo, "--base=--output=/tmp/x")
    assert code == 2 and err.startswith("error: unknown revision '--output=/tmp/x'")
    code, _, err = run(capsys, repo, "--base", "base", "--head", "base", "-i", str(repo / "nowhere"))
    assert code == 2 and err.startswith(f"error: {repo / 'nowhere'}: no school files at base nor at base")
    outside = tmp_path / "not-a-repository"
    (outside / "inventories").mkdir(parents=True)
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path))
    code, _, err = run(capsys, outside, "--base", "main")
    assert code == 2 and err.startswith(f"error: {outside / 'inventories'}: not inside a git repository")


def test_the_command_exits_1_on_changes_through_the_installed_entry_point(
    history: tuple[Path, dict[str, str]],
) -> None:
    repo, _ = history
    done = subprocess.run(
        [SCHOOLTECH, "diff", "--base", "device", "--head", "software", "--format", "markdown"],
        cwd=repo,
        env={**os.environ, "COLUMNS": "40"},
        capture_output=True,
        text=True,
        check=False,
    )
    assert (done.returncode, done.stderr) == (1, "")
    assert "| rebuild | RVS | room M1 (10 PCs) | `software_sets`, `software_packages` |" in done.stdout  # never wrapped

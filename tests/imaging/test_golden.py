"""Golden files: one rendered example of each answer format and of each iPXE script kind.

Any change to a template or to the script builder shows up as a diff to review. After a
deliberate change, regenerate and review ``git diff tests/imaging/golden``:

    SCHOOLTECH_UPDATE_GOLDEN=1 pytest tests/imaging/test_golden.py
"""

from __future__ import annotations

import difflib
import os
from pathlib import Path

import pytest

from schooltech_fleet.imaging import ipxe
from schooltech_fleet.imaging.answers import render_answer, validate_answers
from schooltech_fleet.imaging.answers.request import Firmware
from schooltech_fleet.inventory.model import OperatingSystem

from .conftest import SERVER, TOKEN, request

GOLDEN = Path(__file__).parent / "golden"
UPDATE = os.environ.get("SCHOOLTECH_UPDATE_GOLDEN") == "1"


def examples() -> dict[str, str]:
    answers = [
        render_answer(request(os=OperatingSystem.DEBIAN12, firmware="bios", disk_layout="lvm")),
        render_answer(
            request(os=OperatingSystem.UBUNTU2404, firmware="uefi", mirror="http://gb.archive.ubuntu.com/ubuntu")
        ),
        render_answer(request(os=OperatingSystem.WINDOWS11, firmware="uefi", proxy=None)),
    ]
    assert validate_answers(answers) == []
    files = {answer.filename: answer.text for answer in answers}
    scripts: list[tuple[OperatingSystem, Firmware]] = [
        (OperatingSystem.DEBIAN12, "bios"),
        (OperatingSystem.UBUNTU2404, "uefi"),
        (OperatingSystem.WINDOWS11, "uefi"),
    ]
    for system, firmware in scripts:
        files[f"{system}-{firmware}.ipxe"] = ipxe.install_script(SERVER, system, firmware, TOKEN, "lab1-pc01")
    files["local.ipxe"] = ipxe.LOCAL_BOOT_SCRIPT
    return files


def test_rendered_files_match_the_golden_files() -> None:
    expected = {GOLDEN / name: text for name, text in examples().items()}
    if UPDATE:
        for path in set(GOLDEN.glob("*")) - set(expected):
            path.unlink()
        GOLDEN.mkdir(exist_ok=True)
        for path, text in expected.items():
            path.write_text(text, encoding="utf-8")
        pytest.skip(f"rewrote {len(expected)} golden files: review 'git diff tests/imaging/golden'")
    problems = [f"{path.name}: no example renders it any more" for path in set(GOLDEN.glob("*")) - set(expected)]
    for path, text in sorted(expected.items()):
        if not path.is_file():
            problems.append(f"{path.name}: missing (SCHOOLTECH_UPDATE_GOLDEN=1 writes it)")
            continue
        golden = path.read_text(encoding="utf-8")
        if golden != text:
            diff = difflib.unified_diff(
                golden.splitlines(keepends=True), text.splitlines(keepends=True), str(path), "rendered"
            )
            problems.append("".join(diff))
    assert not problems, "\n".join(problems)

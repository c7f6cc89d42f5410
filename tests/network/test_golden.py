"""Golden files: the intended config of every switch of every example inventory, and how it is pushed.

``golden/<SCHOOL>/<switch>.cfg`` holds what the templates render today, for both platforms
(Cisco IOS and HPE ProCurve); ``<switch>.push.txt`` holds everything a push sends to that
switch, over both sessions, from a running config that drifted a little (an old port
description, a missing NTP server) and has no archive: the commit-confirm commands of the
platform (IOS: the archive, ``configure terminal revert timer``, ``configure confirm``;
ArubaOS-Switch: ``reload after``, ``no reload``) around the remediation. Any change to a
template, to intent building, to the push sequence or to an example inventory shows up here
as a diff to review line by line. After a deliberate change, regenerate the files and review
``git diff tests/network/golden`` before committing:

    SCHOOLTECH_UPDATE_GOLDEN=1 pytest tests/network/test_golden.py

(the test then rewrites every file, removes files of switches that no longer exist, and skips).
"""

from __future__ import annotations

import difflib
import os
from pathlib import Path

import pytest

from schooltech_fleet.network.operations import Rendered
from schooltech_fleet.network.platforms import platform
from schooltech_fleet.network.push import DEFAULT_REVERT_MINUTES, push_script
from schooltech_fleet.network.remediation import remediate

from .conftest import EXAMPLES

GOLDEN = Path(__file__).parent / "golden"
UPDATE = os.environ.get("SCHOOLTECH_UPDATE_GOLDEN") == "1"


@pytest.mark.parametrize("example", EXAMPLES)
def test_rendered_configs_match_the_golden_files(example: str, examples: dict[str, tuple[Rendered, ...]]) -> None:
    configs = examples[example]
    schools = {config.school for config in configs}
    expected = {GOLDEN / config.school / f"{config.switch}.cfg": config.config for config in configs}
    expected |= {GOLDEN / config.school / f"{config.switch}.push.txt": pushed(config) for config in configs}
    on_disk = {path for school in schools for pattern in ("*.cfg", "*.push.txt")
               for path in (GOLDEN / school).glob(pattern)}  # fmt: skip
    if UPDATE:
        for path in on_disk - set(expected):
            path.unlink()
        for path, text in expected.items():
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
        pytest.skip(f"rewrote {len(expected)} golden files of {example}: review 'git diff tests/network/golden'")
    stale = sorted(on_disk - set(expected))
    problems = [f"{path.relative_to(GOLDEN)}: no switch renders it any more" for path in stale]
    for path, text in sorted(expected.items()):
        if not path.is_file():
            problems.append(f"{path.relative_to(GOLDEN)}: missing")
            continue
        golden = path.read_text(encoding="utf-8")
        if golden != text:
            diff = difflib.unified_diff(golden.splitlines(keepends=True), text.splitlines(keepends=True),
                                        fromfile=f"golden/{path.relative_to(GOLDEN)}", tofile="rendered")  # fmt: skip
            problems.append("".join(diff))
    assert not problems, "\n".join(problems) + "\n(regenerate with SCHOOLTECH_UPDATE_GOLDEN=1, see the docstring)"


def drifted(config: Rendered) -> str:
    """*config* as a switch shows it after a little drift: the first port label is old, the last time server gone."""
    lines = config.config.splitlines()
    first = next(i for i, line in enumerate(lines) if line.strip().startswith(("description ", 'name "')))
    lines[first] = lines[first].replace("description ", "description old ").replace('name "', 'name "old ')
    last = max(i for i, line in enumerate(lines) if line.startswith(("ntp server", "sntp server")))
    return "\n".join(lines[:last] + lines[last + 1 :]) + "\n"


def pushed(config: Rendered) -> str:
    """Everything a push sends to bring *drifted(config)* to *config* (five-minute timer)."""
    target = platform(config.platform)
    running = drifted(config)
    commands = remediate(target, running, config.config, config.management).commands
    return "\n".join(push_script(target, commands, DEFAULT_REVERT_MINUTES, running)) + "\n"


def test_both_platforms_and_every_example_are_covered(examples: dict[str, tuple[Rendered, ...]]) -> None:
    platforms = {config.platform for configs in examples.values() for config in configs}
    assert platforms == {"cisco_ios", "hp_procurve"}
    assert all(examples[name] for name in EXAMPLES)

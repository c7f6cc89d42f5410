"""The CI examples in docs/ci/ and the pre-commit hook call schooltech the way its parser accepts."""

from __future__ import annotations

import re
import shlex
from pathlib import Path
from typing import Any

import pytest
import yaml

from schooltech_fleet.cli import build_parser

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = sorted((REPO / "docs" / "ci").glob("*.yml"))
COMMAND = re.compile(r"(?:^|&& |\.venv/bin/)(schooltech [^>|&;\n]+)", re.MULTILINE)


def _scripts(node: Any) -> list[str]:
    """Every string under a ``run`` or ``script`` key."""
    if isinstance(node, dict):
        found = []
        for key, value in node.items():
            if key in ("run", "script"):
                found += [value] if isinstance(value, str) else [v for v in value if isinstance(v, str)]
            else:
                found += _scripts(value)
        return found
    return [text for item in node for text in _scripts(item)] if isinstance(node, list) else []


def test_there_is_a_github_and_a_gitlab_example() -> None:
    assert [path.name for path in EXAMPLES] == ["github-actions.yml", "gitlab-ci.yml"]


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda path: path.name)
def test_every_schooltech_command_in_a_ci_example_parses(path: Path) -> None:
    commands = [match for script in _scripts(yaml.safe_load(path.read_text())) for match in COMMAND.findall(script)]
    assert {shlex.split(command)[1] for command in commands} == {"check", "diff", "net"}
    for command in commands:
        build_parser().parse_args(shlex.split(command)[1:])  # exits 2 on an unknown option


def test_the_pre_commit_hook_runs_schooltech_check_on_the_whole_inventory() -> None:
    [hook] = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text())
    assert (hook["id"], hook["entry"], hook["pass_filenames"]) == ("schooltech-check", "schooltech check", False)
    assert re.search(hook["files"], "inventories/secondary/rvs.school.yml")
    build_parser().parse_args([*shlex.split(hook["entry"])[1:], "inventories"])

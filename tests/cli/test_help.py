"""A command imports only its own module: the help and the errors stay those of the whole parser.

``schooltech`` builds its parser with the module of the command it is given and lists the others by
the name and help line in ``cli.commands.COMMANDS`` (which each module registers with too); these
tests hold that parser's every help text and usage error equal to the one every module registers,
and check what ``report`` no longer imports.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from collections.abc import Iterator

import pytest

from schooltech_fleet.cli import build_parser, main


def _subcommands(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    for action in parser._actions:  # argparse keeps its subcommands nowhere public
        if isinstance(action, argparse._SubParsersAction):
            return dict(action.choices)
    return {}


def _every_help() -> Iterator[list[str]]:
    """``--help`` of schooltech, of every command and of every command's actions, from the whole parser."""
    yield ["--help"]
    for name, command in _subcommands(build_parser()).items():
        yield [name, "--help"]
        for action in _subcommands(command):
            yield [name, action, "--help"]


def _output(parse: object, argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[object, str, str]:
    with pytest.raises(SystemExit) as exited:
        parse(argv)  # type: ignore[operator]
    out, err = capsys.readouterr()
    return exited.value.code, out, err


@pytest.fixture(autouse=True)
def _fixed_width(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "100")


def test_the_help_lines_name_every_command_of_the_whole_parser_in_its_order() -> None:
    whole = _subcommands(build_parser())
    assert list(whole) == list(_subcommands(build_parser(only="")))
    assert len(whole) == 16


@pytest.mark.parametrize("argv", list(_every_help()), ids=" ".join)
def test_every_help_is_the_same_as_the_whole_parsers(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    whole = _output(build_parser().parse_args, argv, capsys)
    assert whole[0] == 0
    assert whole[1].startswith("usage: schooltech")
    assert _output(main, argv, capsys) == whole


@pytest.mark.parametrize(
    "argv",
    [[], ["nope"], ["report", "--nope"], ["net", "nope"], ["patch"], ["--version"], ["-h", "report"]],
    ids=repr,
)
def test_usage_errors_and_version_are_the_same_as_the_whole_parsers(
    argv: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    assert _output(main, argv, capsys) == _output(build_parser().parse_args, argv, capsys)


def _imported(argv: list[str]) -> set[str]:
    """The modules a fresh interpreter has imported once ``schooltech ARGV`` has parsed its arguments."""
    probe = (
        "import json, sys\nfrom schooltech_fleet.cli import main\n"
        f"try:\n    main({argv!r})\nexcept SystemExit:\n    pass\n"
        "print(json.dumps(sorted(sys.modules)), file=sys.stderr)\n"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    return set(json.loads(done.stderr.splitlines()[-1]))


HEAVY = {"netmiko", "paramiko", "ansible_runner", "hier_config", "matplotlib", "jsonschema",
         "schooltech_fleet.jobs.runner", "schooltech_fleet.imaging.plan",
         "schooltech_fleet.sim.simulation"}  # fmt: skip
SHARED = {"schooltech_fleet.cli.common", "schooltech_fleet.cli.commands"}  # errors and exit codes; the help lines


def test_schooltech_help_imports_no_command_module() -> None:
    imported = _imported(["--help"])
    assert not {m for m in imported if m.startswith("schooltech_fleet.cli.") and m not in SHARED}
    assert not imported & HEAVY


def test_report_help_imports_no_other_commands_engine() -> None:
    imported = _imported(["report", "--help"])
    assert "schooltech_fleet.cli.report" in imported
    assert not imported & HEAVY
    shared = {*SHARED, "schooltech_fleet.cli.tables"}  # and the table printer every command may use
    assert not {m for m in imported if m.startswith("schooltech_fleet.cli.")} - {"schooltech_fleet.cli.report", *shared}


def test_net_help_still_imports_its_engine() -> None:
    assert {"schooltech_fleet.cli.net", "netmiko"} <= _imported(["net", "--help"])


def test_the_report_and_drift_from_backups_import_nothing_that_connects_to_switches() -> None:
    probe = ("import json, sys\nimport schooltech_fleet.report, schooltech_fleet.network.operations\n"
             "print(json.dumps(sorted(sys.modules)))\n")  # fmt: skip
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    imported = set(json.loads(done.stdout.splitlines()[-1]))
    assert not imported & {"netmiko", "paramiko", "schooltech_fleet.network.push", "schooltech_fleet.network.session",
                           "schooltech_fleet.network.targets"}  # fmt: skip

"""The hostile-inventory corpus (tests/inventory/hostile/): refused everywhere, with its location, and nothing runs.

Every case is checked four ways: ``schooltech check``, ``ansible-inventory`` through the
plugin, ``schooltech patch --check`` and ``schooltech net plan``. Cases marked ``# canary:``
are also shown to be live attacks against Ansible's own templar.
"""

from __future__ import annotations

import contextlib
import io
import os
import re
import subprocess
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

from schooltech_fleet.cli import main
from schooltech_fleet.inventory.findings import display_path

from .helpers import TODAY, ansible_inventory, run_check

CORPUS = Path(__file__).parent / "hostile"
_EXPECT = re.compile(r"^# expect: (\d+):(\d+) (\S+)$", re.MULTILINE)


@dataclass(frozen=True)
class Case:
    path: Path
    expected: frozenset[tuple[int, int, str]]  # (line, column, code) of every error check must report
    live: bool  # the expression at the expected location runs the canary under Ansible's own templar

    @property
    def name(self) -> str:
        return self.path.name.removesuffix(".school.yml")

    def text(self) -> str:
        return self.path.read_text(encoding="utf-8")

    def armed(self, directory: Path) -> tuple[Path, Path]:
        """The case with CANARY replaced by a path in *directory*: (school file, canary)."""
        canary = directory / f"PWNED-{self.name}"
        copy = directory / "case" / self.path.name
        copy.parent.mkdir()
        copy.write_text(self.text().replace("CANARY", str(canary)), encoding="utf-8")
        return copy, canary


def _cases() -> list[Case]:
    cases = []
    for path in sorted(CORPUS.glob("*.school.yml")):
        text = path.read_text(encoding="utf-8")
        expected = frozenset((int(line), int(column), code) for line, column, code in _EXPECT.findall(text))
        cases.append(Case(path, expected, "\n# canary:" in "\n" + text))
    return cases


CASES = _cases()
LIVE = [case for case in CASES if case.live]


def run(*args: str | Path) -> tuple[int, str, str]:
    """The schooltech command, in this process: (exit code, stdout, stderr)."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main([str(arg) for arg in args])
    return code, out.getvalue(), err.getvalue()


def locations(path: Path, case: Case) -> list[str]:
    return [f"{display_path(path)}:{line}:{column}: error[{code}]" for line, column, code in sorted(case.expected)]


def test_the_corpus_holds_at_least_25_cases_each_expecting_a_finding() -> None:
    assert len(CASES) >= 25
    for case in CASES:
        assert case.expected, f"{case.path.name} has no '# expect: LINE:COLUMN CODE' line"
        assert case.text().startswith("# hostile: "), f"{case.path.name} does not say what it tries"


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_check_reports_exactly_the_expected_findings(case: Case) -> None:
    result = run_check(case.path)
    assert {(f.line, f.column, f.code) for f in result.errors} == case.expected, "\n".join(
        f.text() for f in result.findings
    )
    code, out, _ = run("check", case.path, "--as-of", TODAY.isoformat())
    assert code == 1
    for location in locations(case.path, case):
        assert location in out


@dataclass(frozen=True)
class Armed:
    path: Path
    canary: Path
    listing: subprocess.CompletedProcess[str]  # ansible-inventory -i PATH --list


@pytest.fixture(scope="module")
def armed(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Armed]:
    """Every case armed with its canary, and what ``ansible-inventory --list`` made of it (run side by side)."""
    prepared = {case.name: case.armed(tmp_path_factory.mktemp(case.name)) for case in CASES}
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
        runs = pool.map(lambda armed: ansible_inventory("-i", armed[0], "--list"), prepared.values())
        listings = dict(zip(prepared, runs, strict=True))
    return {name: Armed(path, canary, listings[name]) for name, (path, canary) in prepared.items()}


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_ansible_and_every_command_refuse_it_and_nothing_runs(
    case: Case, armed: dict[str, Armed], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    state = tmp_path / "state"
    monkeypatch.setenv("SCHOOLTECH_STATE_DIR", str(state))
    path, canary, listing = armed[case.name].path, armed[case.name].canary, armed[case.name].listing
    wanted = locations(path, case)
    assert listing.returncode != 0
    assert all(location in listing.stderr for location in wanted), listing.stderr
    assert "HOS-C1-PC01" not in listing.stdout
    for command in (["patch", "--school", "HOS", "--check"], ["net", "plan", "--school", "HOS"]):
        code, _, err = run(*command, "-i", path)
        assert code == 2, err
        assert all(location in err for location in wanted), err
    assert not canary.exists(), "the hostile expression ran"
    assert not state.exists() or not any(state.rglob("*")), "a refused command left state behind"


@pytest.fixture(scope="module")
def templar_plugins() -> None:
    from ansible.plugins.loader import init_plugin_loader  # noqa: PLC0415 - Ansible only for this proof

    init_plugin_loader()


@pytest.mark.parametrize("case", LIVE, ids=[case.name for case in LIVE])
@pytest.mark.usefixtures("templar_plugins")
def test_the_case_is_a_live_attack_on_ansibles_own_templar(case: Case, tmp_path: Path) -> None:
    """What the plugin did before: the school file's expressions went to Ansible as trusted templates."""
    from ansible.parsing.dataloader import DataLoader  # noqa: PLC0415 - Ansible only for this proof
    from ansible.template import Templar, trust_as_template  # noqa: PLC0415

    path, canary = case.armed(tmp_path)
    (line, _, _), *_ = sorted(case.expected)
    entry = yaml.safe_load(path.read_text(encoding="utf-8").splitlines()[line - 1].strip())
    name, expression = next(iter((entry[0] if isinstance(entry, list) else entry).items()))
    templar = Templar(loader=DataLoader(), variables={"room": "C1"})
    previous = Path.cwd()
    os.chdir(tmp_path)  # the password lookup writes relative paths here
    try:
        with contextlib.suppress(Exception):  # it may fail after it ran: what matters is that it ran
            if name == "key" or "compose:" in path.read_text(encoding="utf-8"):
                templar.evaluate_expression(trust_as_template(expression))
            else:
                templar.evaluate_conditional(trust_as_template(expression))
    finally:
        os.chdir(previous)
    assert canary.exists(), f"{expression!r} did not run under Ansible's templar: not a live case"

"""The report's switch drift reads every backup with one git process and shows what one read per switch shows.

The backup store is built with real commits (``backups.save``, and ``git commit`` for what an
older version wrote: a secret in clear, CRLF line ends), so both paths read the same history.
"""

from __future__ import annotations

import os
import pickle
import subprocess
from collections.abc import Sequence
from pathlib import Path

import pytest

from schooltech_fleet.errors import FleetError
from schooltech_fleet.inventory.school import LoadedSchool
from schooltech_fleet.inventory.validate import load_schools
from schooltech_fleet.network import backups, operations
from schooltech_fleet.network.operations import SwitchPlan
from schooltech_fleet.network.platforms import platform
from schooltech_fleet.network.render import RenderError
from schooltech_fleet.report import ReportRequest, gather
from schooltech_fleet.report.data import DriftState

IOS = platform("cisco_ios")
SECRET = "CANARY-in-clear"


@pytest.fixture
def inventory(demo_copy: Path) -> Path:
    return demo_copy


def _intended(inventory: Path) -> dict[str, str]:
    return {r.switch: r.config for r in operations.intended(operations.Selection(inventory))}


def _commit_by_hand(path: str, text: bytes) -> None:
    """What an older version left in the store: written and committed without ``backups.save``."""
    repo = backups.store()
    (repo / path).write_bytes(text)
    for args in (["add", "--", path], ["-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "by hand"]):
        subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True)


@pytest.fixture
def history(inventory: Path) -> Path:
    """Three commits of CORE (in sync, then drifted, then a secret in clear), LAB with CRLF line ends, LIB never."""
    wanted = _intended(inventory)
    backups.save("DEMO", "DEMO-SW-CORE", wanted["DEMO-SW-CORE"], "nightly", platform=IOS)
    drifted = wanted["DEMO-SW-CORE"].replace(" name STUDENTS\n", " name PUPILS\n", 1).replace(" shutdown\n", "\n", 1)
    assert drifted != wanted["DEMO-SW-CORE"]
    backups.save("DEMO", "DEMO-SW-CORE", drifted, "nightly", platform=IOS)
    _commit_by_hand("DEMO/DEMO-SW-CORE.cfg", f"{drifted}username admin secret 0 {SECRET}\n".encode())
    _commit_by_hand("DEMO/DEMO-SW-LAB.cfg", wanted["DEMO-SW-LAB"].replace("\n", "\r\n").encode())
    return inventory


def _one_read(wanted: backups.Wanted, revision: str) -> str | tuple[str, str | None]:
    try:
        return backups.read(wanted.school, wanted.switch, revision, platform=wanted.platform)
    except FleetError as exc:
        return exc.message, exc.hint


def _batch_read(answer: str | FleetError) -> str | tuple[str, str | None]:
    return answer if isinstance(answer, str) else (answer.message, answer.hint)


@pytest.mark.parametrize("revision", ["HEAD", "HEAD~1", "HEAD~2", "HEAD~3", "no-such-revision", "HEAD\nHEAD"])
def test_one_git_process_reads_what_one_read_per_switch_reads(history: Path, revision: str) -> None:
    wanted = [backups.Wanted("DEMO", name, IOS) for name in ("DEMO-SW-CORE", "DEMO-SW-LAB", "DEMO-SW-LIB")]

    batch = [_batch_read(answer) for answer in backups.read_each(wanted, revision)]

    assert batch == [_one_read(w, revision) for w in wanted]
    assert all(SECRET not in str(answer) for answer in batch)


def test_the_batch_read_hides_a_secret_committed_in_clear_and_tells_missing_backups_apart(history: Path) -> None:
    core, lab, lib = backups.read_each([backups.Wanted("DEMO", n, IOS) for n in ("DEMO-SW-CORE", "DEMO-SW-LAB",
                                                                                 "DEMO-SW-LIB")])  # fmt: skip
    assert isinstance(core, str) and SECRET not in core and "username admin secret 0 <secret:" in core
    assert isinstance(lab, str) and "\r" not in lab
    assert isinstance(lib, FleetError) and lib.message == "revision HEAD has no backup of DEMO-SW-LIB"


def _plans_one_read_per_switch(schools: Sequence[LoadedSchool]) -> list[SwitchPlan]:
    """The drift as it was computed before the batch read: ``backups.read`` for one switch after another."""
    plans = []
    for config in operations.rendered(schools):
        try:
            running = backups.read(config.school, config.switch, platform=platform(config.platform))
        except FleetError as exc:
            plans.append(SwitchPlan(config.switch, config.school, None, error=f"no backup: {exc.message}",
                                    source="backup"))  # fmt: skip
            continue
        plans.append(operations._compare(config.switch, config.school, running, config,
                                         ("backup", "intended"), "backup"))  # fmt: skip
    return plans


def test_the_drift_section_is_the_same_as_with_one_read_per_switch(
    history: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    schools, _ = load_schools(history)
    assert [(p.switch, p.remediation, p.missing, p.error) for p in operations.plan_from_backups(schools)] == [
        (p.switch, p.remediation, p.missing, p.error) for p in _plans_one_read_per_switch(schools)]  # fmt: skip

    batch = gather(ReportRequest(history)).drift
    monkeypatch.setattr(operations, "plan_from_backups", _plans_one_read_per_switch)
    one_by_one = gather(ReportRequest(history)).drift

    assert batch == one_by_one
    states = {s.switch: s.state for s in batch.switches}
    assert states == {"DEMO-SW-CORE": DriftState.DRIFTED, "DEMO-SW-LAB": DriftState.IN_SYNC,
                      "DEMO-SW-LIB": DriftState.UNKNOWN}  # fmt: skip
    assert next(s for s in batch.switches if s.switch == "DEMO-SW-CORE").changes > 0


def test_an_empty_store_gives_every_switch_the_same_error_both_ways(inventory: Path) -> None:
    backups.store()  # a repository without a commit
    schools, _ = load_schools(inventory)
    batch = operations.plan_from_backups(schools)
    assert [p.error for p in batch] == [p.error for p in _plans_one_read_per_switch(schools)]
    assert {p.error for p in batch} == {"no backup: no backup revision 'HEAD'"}


@pytest.mark.skipif((os.cpu_count() or 1) < 2, reason="one core: drift never starts a pool")
def test_the_process_pool_gives_exactly_what_one_process_gives(history: Path) -> None:
    schools, _ = load_schools(history)
    pooled = operations.plan_from_backups(schools, parallel_from=1)
    alone = operations.plan_from_backups(schools, parallel_from=len(schools) * 1000)

    assert pooled == alone
    assert [p.switch for p in pooled] == ["DEMO-SW-CORE", "DEMO-SW-LAB", "DEMO-SW-LIB"]
    assert [p.error for p in pooled] == [None, None, "no backup: revision HEAD has no backup of DEMO-SW-LIB"]
    assert pooled[0].remediation is not None and pooled[0].remediation.commands


@pytest.mark.skipif((os.cpu_count() or 1) < 2, reason="one core: drift never starts a pool")
def test_an_empty_store_gives_the_same_errors_in_the_pool(inventory: Path) -> None:
    backups.store()
    schools, _ = load_schools(inventory)
    assert operations.plan_from_backups(schools, parallel_from=1) == operations.plan_from_backups(schools)


def test_a_template_error_raised_in_a_pool_worker_keeps_its_hint() -> None:
    error = pickle.loads(pickle.dumps(RenderError("DEMO-SW-CORE: the template renders ...", "fix the template")))
    assert (type(error), error.message, error.hint) == (RenderError, "DEMO-SW-CORE: the template renders ...",
                                                        "fix the template")  # fmt: skip

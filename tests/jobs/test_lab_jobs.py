"""Lab jobs end to end on the simulated demo school: real roles, real SSH, real apt.

The tests share the session's simulation and run in file order: the rebuild first, then
patching, failures and the safety rules. Each test puts back what it breaks.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from schooltech_fleet import journal
from schooltech_fleet.errors import UsageError
from schooltech_fleet.jobs import HostStatus, JobKind, JobRefused, JobRequest, JobResult, Progress, run_job, runs
from schooltech_fleet.jobs.locks import school_lock
from schooltech_fleet.jobs.tuning import ansible_environment
from schooltech_fleet.journal import audit_path
from schooltech_fleet.locks import Busy
from schooltech_fleet.sim import aptrepo, pcs, simulation

pytestmark = pytest.mark.sim

REPO = Path(__file__).resolve().parents[2]
LAB1 = [f"DEMO-LAB1-PC0{n}" for n in range(1, 5)]
ALL = [*LAB1, "DEMO-LAB2-PC01", "DEMO-LAB2-PC02", "DEMO-LIB-PC01", "DEMO-LIB-PC02"]
CANARIES = {"DEMO_EXAM_BROWSER_KEY": "CANARY-exam-3c9d1f", "DEMO_DATALOGGER_KEY": "CANARY-datalog-77e0aa"}
OTHER_SECRETS = {  # the become password the job hands Ansible, and secrets it has no use for
    "ANSIBLE_BECOME_PASS": "CANARY-become-5e0b", "ANSIBLE_SUDO_PASS": "CANARY-sudo-c81d",
    "SCHOOLTECH_SWITCH_PASSWORD": "CANARY-password-2f6a", "ANSIBLE_NET_PASSWD": "CANARY-passwd-7a3c",
    "GITLAB_API_TOKEN": "CANARY-token-94d1", "BACKUP_SECRET": "CANARY-secret-0b7e", "SIGNING_KEY": "CANARY-key-6e25",
}  # fmt: skip


@pytest.fixture(scope="module")
def school(simulated_school: simulation.Simulation) -> Iterator[simulation.Simulation]:
    """The simulated demo school with the licence keys (canaries) in the environment."""
    with pytest.MonkeyPatch.context() as patch:
        for name, value in CANARIES.items():
            patch.setenv(name, value)
        yield simulated_school


def job(school: simulation.Simulation, kind: JobKind, **options: object) -> JobResult:
    return run_job(JobRequest(kind=kind, inventory=Path(school.inventory), school="DEMO", **options))  # type: ignore[arg-type]


def on(school: simulation.Simulation, pc: str, command: str) -> str:
    result = pcs.exec_in(school.container(pc), ["sh", "-c", command])
    return result.stdout.strip()


def version(school: simulation.Simulation, pc: str, package: str) -> str:
    return on(school, pc, f"dpkg-query -W -f='${{Version}}' {package} 2>/dev/null || echo absent")


def statuses(result: JobResult) -> dict[str, HostStatus]:
    return {h.name: h.status for h in result.hosts}


def test_rebuild_of_a_room_configures_accounts_banner_software_and_licences(school: simulation.Simulation) -> None:
    # a package the school manages but LAB1 is not approved for: the rebuild must remove it
    on(
        school,
        "DEMO-LAB1-PC02",
        "mkdir -p /etc/apt/sources.list.d && echo "
        f"'{aptrepo.SOURCES_LINE}' > {aptrepo.SOURCES_FILE} && apt-get update -qq && "
        "apt-get install -y -qq schooltech-licence-agent",
    )
    assert version(school, "DEMO-LAB1-PC02", "schooltech-licence-agent") == "1.0"

    result = job(school, JobKind.REBUILD, rooms=("LAB1",))

    assert result.succeeded, result.hosts
    assert set(statuses(result)) == set(LAB1)
    for pc in LAB1:
        assert (
            on(school, pc, "getent passwd fleetadmin student | cut -d: -f1 | sort | tr '\\n' ' '")
            == "fleetadmin student"
        )
        assert "Acceptable Use Policy" in on(school, pc, "cat /etc/issue")
        assert version(school, pc, "schooltech-demo-app") == "1.0"
        assert version(school, pc, "schooltech-exam-browser") == "2.0"  # LAB1 is an ict_suite: computing set
        assert on(school, pc, "ls /etc/schooltech/licences") == "exam-browser.lic"
    assert version(school, "DEMO-LAB1-PC02", "schooltech-licence-agent") == "absent"
    # rooms not rebuilt were not touched
    assert on(school, "DEMO-LAB2-PC01", "ls /etc/schooltech/licences 2>/dev/null || echo none") == "none"


def test_a_second_rebuild_changes_nothing(school: simulation.Simulation) -> None:
    result = job(school, JobKind.REBUILD, rooms=("LAB1",))
    assert result.succeeded
    assert set(statuses(result).values()) == {HostStatus.OK}, result.hosts


def test_check_mode_reports_changes_but_changes_nothing(school: simulation.Simulation) -> None:
    result = job(school, JobKind.REBUILD, rooms=("LAB2",), check=True)
    assert result.check
    assert set(statuses(result)) == {"DEMO-LAB2-PC01", "DEMO-LAB2-PC02"}
    for pc in ("DEMO-LAB2-PC01", "DEMO-LAB2-PC02"):
        assert version(school, pc, "schooltech-demo-app") == "absent"
        assert on(school, pc, "getent passwd student || echo none") == "none"


def test_licence_files_only_in_the_rooms_a_licence_is_assigned_to(school: simulation.Simulation) -> None:
    result = job(school, JobKind.LICENSE)
    assert result.succeeded, result.hosts
    assert on(school, "DEMO-LIB-PC01", "ls /etc/schooltech/licences") == "exam-browser.lic"
    assert on(school, "DEMO-LAB2-PC01", "ls /etc/schooltech/licences") == "datalogger.lic"
    assert CANARIES["DEMO_DATALOGGER_KEY"] in on(school, "DEMO-LAB2-PC01", "cat /etc/schooltech/licences/*.lic")


def test_patch_upgrades_the_demo_app_on_every_pc_and_says_so(school: simulation.Simulation) -> None:
    job(school, JobKind.REBUILD)  # every room on the school's software first
    assert {version(school, pc, "schooltech-demo-app") for pc in ALL} == {"1.0"}
    aptrepo.publish(school.repo_dir, "schooltech-demo-app", "1.1")

    checked = job(school, JobKind.PATCH, check=True)  # check mode sees the new release, installs nothing
    assert checked.succeeded, checked.hosts
    assert {version(school, pc, "schooltech-demo-app") for pc in ALL} == {"1.0"}
    for host in checked.hosts:
        planned = host.report["patching_report"]["planned"]
        assert [(p["name"], p["installed"], p["candidate"]) for p in planned] == [
            ("schooltech-demo-app", "1.0", "1.1")
        ], host

    result = job(school, JobKind.PATCH)

    assert result.succeeded, result.hosts
    assert {version(school, pc, "schooltech-demo-app") for pc in ALL} == {"1.1"}
    for host in result.hosts:
        upgraded = host.report["patching_report"]["upgraded"]
        assert {"name": "schooltech-demo-app", "from": "1.0", "to": "1.1"} in upgraded, host


def test_a_second_patch_changes_nothing(school: simulation.Simulation) -> None:
    result = job(school, JobKind.PATCH)
    assert result.succeeded
    assert set(statuses(result).values()) == {HostStatus.OK}, result.hosts


def test_a_stopped_pc_is_unreachable_while_the_others_succeed(school: simulation.Simulation) -> None:
    simulation.stop_pc(school, "DEMO-LIB-PC02")
    try:
        result = job(school, JobKind.PATCH, max_fail=50)
    finally:
        simulation.start_pc(school, "DEMO-LIB-PC02")
    found = statuses(result)
    assert found["DEMO-LIB-PC02"] is HostStatus.UNREACHABLE
    assert {s for name, s in found.items() if name != "DEMO-LIB-PC02"} == {HostStatus.OK}
    assert not result.succeeded and not result.halted


def test_a_failing_canary_halts_the_rollout_and_later_batches_stay_untouched(school: simulation.Simulation) -> None:
    aptrepo.publish(school.repo_dir, "schooltech-exam-browser", "2.1")
    simulation.break_package_manager(school, "DEMO-LAB1-PC01")  # the first PC in inventory order: the canary
    try:
        result = job(school, JobKind.PATCH)
    finally:
        simulation.repair_package_manager(school, "DEMO-LAB1-PC01")
    found = statuses(result)
    assert result.halted
    assert found["DEMO-LAB1-PC01"] is HostStatus.FAILED
    assert {found[pc] for pc in ALL[1:]} == {HostStatus.NOT_RUN}
    assert {
        version(school, pc, "schooltech-exam-browser") for pc in ALL if pc.startswith(("DEMO-LAB1", "DEMO-LIB"))
    } == {"2.0"}
    # the retry picks up exactly the PCs that did not finish
    retried = job(school, JobKind.PATCH, retry_of=result.run_id)
    assert set(statuses(retried)) == set(ALL) and retried.succeeded


def test_an_exam_freeze_keeps_its_room_out_and_a_frozen_room_alone_is_refused(
    school: simulation.Simulation, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SCHOOLTECH_NOW", "2027-05-12T18:00:00+01:00")  # GCSE computing exams in LAB1
    result = job(school, JobKind.PATCH)
    found = statuses(result)
    assert {found[pc] for pc in LAB1} == {HostStatus.REFUSED}
    assert {found[pc] for pc in ALL if pc not in LAB1} == {HostStatus.OK}
    with pytest.raises(JobRefused, match="exam freeze"):
        job(school, JobKind.PATCH, rooms=("LAB1",))
    with pytest.raises(UsageError, match="--reason"):
        job(school, JobKind.PATCH, rooms=("LAB1",), force_window=True)
    forced = job(school, JobKind.PATCH, rooms=("LAB1",), force_window=True, reason="exam board approved")
    assert set(statuses(forced)) == set(LAB1) and forced.succeeded
    starts = [e for e in _audit() if e.get("run_id") == forced.run_id and e.get("phase") == "start"]
    assert starts[0]["force_window"] == "exam board approved"


def test_without_mitogen_the_same_job_runs_on_ansibles_own_linear_strategy(
    school: simulation.Simulation, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SCHOOLTECH_ANSIBLE_STRATEGY", "linear")
    assert ansible_environment("test")["ANSIBLE_STRATEGY"] == "linear"
    on(school, "DEMO-LIB-PC02", "rm -f /etc/motd")

    result = job(school, JobKind.CONFIGURE, rooms=("LIB",))

    assert result.succeeded, result.hosts
    assert statuses(result) == {"DEMO-LIB-PC01": HostStatus.OK, "DEMO-LIB-PC02": HostStatus.CHANGED}
    assert not [w for w in result.warnings if "Mitogen" in w]
    assert on(school, "DEMO-LIB-PC02", "test -s /etc/motd && echo written") == "written"


def test_a_second_job_on_a_busy_school_is_refused_naming_the_holder(school: simulation.Simulation) -> None:
    with school_lock("DEMO", "rebuild (held by a test)"), pytest.raises(Busy, match="held by a test"):
        job(school, JobKind.PATCH)


def test_every_run_is_in_the_audit_log(school: simulation.Simulation) -> None:
    ends = [e for e in _audit() if e.get("event") == "lab-job" and e.get("phase") == "end"]
    assert len(ends) >= 8
    assert all({"run_id", "kind", "school", "check", "hosts", "duration", "user", "time"} <= set(e) for e in ends)


def test_the_journal_of_every_run_is_an_unbroken_chain(school: simulation.Simulation) -> None:
    verdict = journal.verify()
    assert verdict.intact, verdict.reason
    assert verdict.records == len(_audit())


def test_a_job_whose_final_record_cannot_be_written_still_returns_its_outcome(
    school: simulation.Simulation, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SCHOOLTECH_STATE_DIR", str(tmp_path / "state"))  # a journal of this test's own to break

    def disk_trouble(_progress: Progress) -> None:  # once the job runs, its journal can no longer be appended to
        if audit_path().is_file():
            audit_path().unlink()
            audit_path().mkdir()

    result = run_job(JobRequest(kind=JobKind.CONFIGURE, inventory=Path(school.inventory), school="DEMO",
                                rooms=("LIB",)), on_progress=disk_trouble)  # fmt: skip

    assert result.succeeded, result.hosts
    assert set(statuses(result)) == {"DEMO-LIB-PC01", "DEMO-LIB-PC02"}
    assert result.record_failed == "the journal record could not be written (Is a directory)"
    assert runs.load(result.run_id) == replace(result, record_failed=None)  # the run's own record was written


def test_the_canary_licence_keys_never_leak(school: simulation.Simulation, state_dir: Path, tmp_path: Path) -> None:
    env = {**os.environ, **OTHER_SECRETS, "PATH": f"{Path(sys.executable).parent}:{os.environ['PATH']}",
           "TMPDIR": str(tmp_path)}  # fmt: skip
    env.pop("XDG_RUNTIME_DIR", None)
    command = [str(Path(sys.executable).parent / "schooltech"), "license", "-i", school.inventory, "--school", "DEMO"]
    done = subprocess.run(command, check=False, capture_output=True, text=True, env=env, cwd=REPO)
    assert done.returncode == 0, done.stdout + done.stderr
    secrets = [*CANARIES.values(), *OTHER_SECRETS.values()]
    leaks = []
    for path in [*state_dir.rglob("*"), *tmp_path.rglob("*")]:
        if path.is_file():
            data = path.read_bytes()
            leaks += [str(path) for value in secrets if value.encode() in data]
    for value in secrets:
        assert value not in done.stdout + done.stderr
    assert leaks == []
    assert list(tmp_path.iterdir()) == []  # the job's scratch directory went with it
    assert CANARIES["DEMO_EXAM_BROWSER_KEY"] in on(school, "DEMO-LIB-PC01", "cat /etc/schooltech/licences/*.lic")


def _audit() -> list[dict[str, object]]:
    import json  # noqa: PLC0415

    return [json.loads(line) for line in audit_path().read_text().splitlines()]

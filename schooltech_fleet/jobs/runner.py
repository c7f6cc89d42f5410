"""Run a playbook through ansible-runner: the only module that calls it.

Progress and results are built from ansible-runner's job events (never from its
stdout): per-host counters, the task running now, failures with their message,
hosts a halted rollout never reached, and what the roles reported with set_stats.
A stop request (a signal) stops ansible-playbook within a second. Ansible gets an
allow-listed environment without secrets, and ansible-runner's files of the run are
scrubbed of secrets afterwards, whatever happened.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import ansible_runner
from ansible_runner.interface import init_runner

from .. import private
from ..errors import FleetError
from ..interrupts import never
from .model import HostResult, HostStatus, Progress
from .secrets import scrub

ProgressCallback = Callable[[Progress], None]


@dataclass
class _HostTally:
    ok: int = 0
    changed: int = 0
    failed: bool = False
    unreachable: bool = False
    failed_task: str | None = None
    message: str | None = None
    changed_tasks: list[str] = field(default_factory=list)
    batch: int = 0  # the play (batch) the host was last seen in
    cut: str | None = None  # why its run was cut off before its batch ended (a lost node)

    @property
    def touched(self) -> bool:
        return bool(self.ok or self.failed or self.unreachable or self.changed)


@dataclass
class EventTally:
    """Folds job events into per-host results and progress snapshots."""

    hosts: Sequence[str]
    on_progress: ProgressCallback | None = None
    tally: dict[str, _HostTally] = field(default_factory=dict)
    task: str | None = None
    batches: int = 0
    started: bool = False  # ansible-playbook got as far as starting the playbook
    reports: dict[str, dict[str, Any]] = field(default_factory=dict)
    halted_event: bool = False
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def __post_init__(self) -> None:
        self.tally = {host: _HostTally() for host in self.hosts}

    def handle(self, event: Mapping[str, Any]) -> bool:
        """ansible-runner's event handler: fold one event in; keep it in the run's job_events."""
        kind = event.get("event", "")
        data = event.get("event_data") or {}
        host = data.get("host")
        with self._lock:
            if kind == "playbook_on_start":
                self.started = True
            elif kind == "playbook_on_play_start":
                self.batches += 1
            elif kind == "playbook_on_task_start":
                self.task = data.get("task")
            elif kind == "playbook_on_no_hosts_remaining":
                self.halted_event = True
            elif kind == "playbook_on_stats":
                self._stats(data)
            elif host in self.tally:
                self._host_event(kind, host, data)
            else:
                return True
        if self.on_progress is not None:
            self.on_progress(self.snapshot())
        return True

    def _host_event(self, kind: str, host: str, data: Mapping[str, Any]) -> None:
        entry = self.tally[host]
        entry.batch = self.batches
        result = data.get("res") or {}
        if kind == "runner_on_ok":
            entry.ok += 1
            if result.get("changed"):
                entry.changed += 1
                entry.changed_tasks.append(str(data.get("task", "")))
        elif kind == "runner_on_failed" and not data.get("ignore_errors"):
            entry.failed = True
            entry.failed_task = data.get("task")
            entry.message = _message(result)
        elif kind == "runner_on_unreachable":
            entry.unreachable = True
            entry.failed_task = data.get("task")
            entry.message = _message(result)

    def _stats(self, data: Mapping[str, Any]) -> None:
        for name, report in ((data.get("artifact_data") or {}).get("schooltech_report") or {}).items():
            if isinstance(report, dict):
                self.reports[name] = report

    def cut_off(self, reason: str) -> None:
        """The run ended before its end (the node was lost): the hosts of the batch running then did not finish."""
        with self._lock:
            for entry in self.tally.values():
                if not entry.touched or (entry.batch == self.batches and not (entry.failed or entry.unreachable)):
                    entry.cut = reason

    def snapshot(self) -> Progress:
        done = [t for t in self.tally.values() if t.touched]
        return Progress(
            total=len(self.tally), done=len(done), changed=sum(1 for t in done if t.changed),
            failed=sum(1 for t in done if t.failed), unreachable=sum(1 for t in done if t.unreachable),
            task=self.task, batch=self.batches,
        )  # fmt: skip

    def results(self) -> list[HostResult]:
        out = []
        for name, entry in self.tally.items():
            if entry.cut is not None:
                out.append(HostResult(name, HostStatus.NOT_RUN, entry.ok, entry.changed, self.task, entry.cut,
                                      {}, tuple(entry.changed_tasks)))  # fmt: skip
                continue
            if entry.unreachable:
                status = HostStatus.UNREACHABLE
            elif entry.failed:
                status = HostStatus.FAILED
            elif entry.changed:
                status = HostStatus.CHANGED
            elif entry.ok:
                status = HostStatus.OK
            else:
                status = HostStatus.NOT_RUN
            out.append(HostResult(name, status, entry.ok, entry.changed, entry.failed_task, entry.message,
                                  self.reports.get(name, {}), tuple(entry.changed_tasks)))  # fmt: skip
        return out


def _message(result: Mapping[str, Any]) -> str:
    message = result.get("msg") or result.get("stderr") or result.get("module_stderr") or ""
    if result.get("censored"):
        message = str(result["censored"])
    return str(message).strip().splitlines()[0][:300] if message else ""


@dataclass(frozen=True)
class PlaybookRun:
    """Everything ansible-runner needs for one run."""

    run_id: str
    run_dir: Path
    project_dir: Path
    playbook: str
    inventory: Path
    limit: Sequence[str]  # empty: every host of the inventory (a job's slice holds exactly its targets)
    extravars: Mapping[str, Any]
    cmdline: Sequence[str]
    envvars: Mapping[str, str]
    forks: int
    secrets: Sequence[str] = field(default=(), repr=False)  # scrubbed from the run's files afterwards


@dataclass(frozen=True)
class PlaybookExit:
    rc: int  # ansible-playbook's exit status
    stopped: str | None = None  # why it was stopped before its end (a signal), if it was
    lost: str | None = None  # why the execution node that ran it was given up on, if it was
    warnings: tuple[str, ...] = ()


class PlaybookDidNotStart(FleetError):
    """ansible-playbook failed before running any play (syntax error, missing binary, bad option)."""


# ansible-runner gives ansible-playbook this process's whole environment and records it in the
# run's artifacts (``command``): an exported licence key or password would end up on disk. So
# Ansible runs with only what it needs, and no variable named like a secret, whatever its prefix;
# secrets reach it through files in the job's scratch directory instead (secrets.py).
ALLOWED_ENVIRONMENT = re.compile(
    r"^(PATH|HOME|USER|LOGNAME|SHELL|LANG|LANGUAGE|LC_[A-Z]+|TERM|TZ|TMPDIR|SSH_AUTH_SOCK|PYTHONPATH|VIRTUAL_ENV"
    r"|ANSIBLE_[A-Z0-9_]+)$"
)
SECRET_NAME = re.compile(r"_(PASS|PASSWD|PASSWORD|PASSPHRASE|SECRET|TOKEN|KEY)$", re.IGNORECASE)
VAULT_SETTING = "ANSIBLE_VAULT_"
"""The school's vault is schooltech's to open. Given its password file, ansible-playbook would run an
executable one again at start, under ansible-runner's terminal where nobody answers a prompt."""

STOP_POLL_SECONDS = 1
"""How often ansible-runner asks whether to stop ansible-playbook (its default: every 5 s)."""


def passes_to_ansible(name: str) -> bool:
    """Whether the environment variable *name* reaches ansible-playbook: allowed, not named like a secret,
    not a vault setting."""
    return bool(ALLOWED_ENVIRONMENT.match(name)) and not SECRET_NAME.search(name) and not name.startswith(VAULT_SETTING)


def environment_secrets(environ: Mapping[str, str]) -> list[str]:
    """The values of the variables named like secrets (``*_PASSWORD``, ``*_TOKEN``...) in *environ*."""
    return [value for name, value in environ.items() if SECRET_NAME.search(name) and value]


def _keep_only_allowed(env: dict[str, str], inherited: Mapping[str, str], given: Mapping[str, str]) -> None:
    """Remove from *env* (ansible-runner's copy of *inherited*, with *given* on top) what Ansible may not get.

    This process's own environment is left alone: jobs of a district wave run in threads side by side,
    and another job still needs its variables (the state directory, its secrets to read and scrub).
    """
    for name, value in inherited.items():
        if not passes_to_ansible(name) and name not in given and env.get(name) == value:
            del env[name]


def run_playbook(run: PlaybookRun, tally: EventTally, stop: Callable[[], str | None] = never) -> PlaybookExit:
    """Run the playbook until it ends or *stop* gives a reason; results accumulate in *tally*.

    Whatever happens, the run's files are scrubbed afterwards of the secrets of *run* and of
    every variable in this environment named like a secret.
    """
    stopped: list[str] = []

    def cancel() -> bool:  # ansible-runner kills ansible-playbook's process group when this says so
        reason = stop()
        if reason is not None and not stopped:
            stopped.append(reason)
        return reason is not None

    secrets = [*run.secrets, *environment_secrets(os.environ)]
    # ansible-runner reads its settings from this file only: given as an argument, they are dropped
    private.directory(run.run_dir / "env")
    private.write_text(run.run_dir / "env" / "settings", json.dumps({"pexpect_timeout": STOP_POLL_SECONDS}))
    try:
        inherited = dict(os.environ)  # ansible-runner copies this process's environment when it prepares the run
        runner = init_runner(
            private_data_dir=str(run.run_dir),
            ident=run.run_id,
            project_dir=str(run.project_dir),
            playbook=run.playbook,
            inventory=str(run.inventory),
            limit=",".join(run.limit) or None,
            extravars=dict(run.extravars),
            cmdline=shlex.join(run.cmdline) or None,  # it splits them again
            envvars=dict(run.envvars),
            forks=run.forks,
            quiet=True,
            suppress_env_files=True,
            # ansible-runner would point the fact cache at this run's artifacts (facts gathered
            # again on every run): keep the cache that ansible_environment() chose
            fact_cache_type="schooltech",
            event_handler=tally.handle,
            cancel_callback=cancel,
        )
        _keep_only_allowed(runner.config.env, inherited, run.envvars)
        runner.run()
    finally:
        scrub(run.run_dir, secrets)
    rc = int(runner.rc if runner.rc is not None else 1)
    if rc != 0 and not tally.started and not stopped:
        output = (artifacts(run) / "stdout").read_text(errors="replace").strip().splitlines()
        raise PlaybookDidNotStart(
            f"ansible-playbook {run.playbook} did not start (exit {rc}): {output[-1] if output else 'no output'}",
            f"the full output is in {artifacts(run) / 'stdout'}",
        )
    return PlaybookExit(rc, stopped[0] if stopped else None)


def artifacts(run: PlaybookRun) -> Path:
    return run.run_dir / "artifacts" / run.run_id


# --- the streaming pipeline: transmit here, a worker on the execution node, process here (remote.py) ---


def transmit(run: PlaybookRun, staged: Path, inventory: str, output: IO[bytes]) -> None:
    """Write the job as ansible-runner's transmit stream to *output*: the zipped directory *staged*
    (``project/`` with the playbook, ``inventory/``, ``env/``) and the arguments of the run.

    *inventory* is a path inside *staged*: ansible-runner sends it relative to *staged*, and the worker
    unpacks everything into a directory of its own.
    """
    private.directory(staged / "env")
    private.write_text(staged / "env" / "settings", json.dumps({"pexpect_timeout": STOP_POLL_SECONDS}))
    ansible_runner.run(  # the stream carries the run's arguments, not this process's environment
        streamer="transmit", _output=output, private_data_dir=str(staged), ident=run.run_id,
        playbook=run.playbook, inventory=inventory, limit=",".join(run.limit) or None, extravars=dict(run.extravars),
        cmdline=shlex.join(run.cmdline) or None, envvars=dict(run.envvars), forks=run.forks, quiet=True,
        suppress_env_files=True, cancel_callback=_never_cancel,
    )  # fmt: skip


def _never_cancel() -> bool:
    """The streaming steps are stopped by ending the transport (remote.py), not by ansible-runner."""
    return False


def process(run: PlaybookRun, tally: EventTally, stream: IO[bytes]) -> str:
    """Read a worker's stream into *tally* and the run's artifacts (the same files a local run leaves);
    return the status the worker reported last (``error`` when the stream ended before its end)."""
    statuses: list[str] = []

    def status(data: Mapping[str, Any], runner_config: Any) -> None:
        statuses.append(str(data.get("status")))

    ansible_runner.run(
        streamer="process", _input=stream, private_data_dir=str(run.run_dir), ident=run.run_id, quiet=True,
        event_handler=tally.handle, status_handler=status,
        cancel_callback=_never_cancel,  # without one, ansible-runner takes over this process's SIGINT and SIGTERM
    )  # fmt: skip
    return statuses[-1] if statuses else "error"

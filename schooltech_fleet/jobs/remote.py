"""Run a playbook on a school's execution node over ansible-runner's streaming protocol.

The recipe, as AWX's Receptor runs it, without Kubernetes:

1. **Stage** the payload in the run's directory: ``project/`` (the playbooks and roles), the
   sliced inventory (:mod:`.payload`) and ``env/``; nothing else of the controller travels.
2. **Start the worker** through a :class:`Transport`: ``ssh -p PORT USER@HOST ansible-runner
   worker --private-data-dir=DIR --delete --keepalive-seconds=N`` for a node (its host key the
   only one trusted; the Ansible that ``schooltech node setup`` installed in ``NODE_VENV`` first
   on its ``PATH``), or the same worker as a local subprocess (the tests: a real worker).
3. **Transmit** (a thread): ``ansible-runner transmit`` writes the zipped payload and the
   run's arguments to the worker's standard input.
4. **Process** (here): ``ansible-runner process`` reads the worker's events into the same
   :class:`.runner.EventTally` and the same artifacts as a local run; results and run records
   follow unchanged.
5. **Watch**: the worker says something at least every ``keepalive_seconds``; after
   ``silence_limit`` seconds of silence, or when the stream ends without its end marker (the
   worker, its SSH session or the node died), the node is **lost**: the transport is killed, the
   job ends failed and the hosts that had not finished are *not run*, never hung.
6. **Clean up** whatever the outcome: the worker's ``--delete`` removes its directory when it
   ends; after a lost node the controller asks the node to remove it (``rm -rf``) and says so
   in the run's warnings when it cannot. The run's own files are scrubbed of the job's secrets.
"""

from __future__ import annotations

import contextlib
import json
import os
import shlex
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import IO, Any

from .. import private
from ..errors import UsageError
from ..guard import check_reachable
from ..interrupts import never
from ..inventory import Fleet
from ..inventory.nodes import VARIABLE as NODE_VARIABLE
from .runner import (
    EventTally,
    PlaybookDidNotStart,
    PlaybookExit,
    PlaybookRun,
    artifacts,
    environment_secrets,
    passes_to_ansible,
    process,
    transmit,
)
from .secrets import scrub

NODE_JOBS = ".schooltech-node/jobs"
"""Where the jobs' worker directories go on a node (``NODE_JOBS/<run id>``): ``node setup`` removes what a lost
node left there."""

NODE_COLLECTIONS = ".schooltech-node/collections"
"""Where ``schooltech node setup`` installs the project's collection and those it depends on (``NODE_CONFIG``)."""

KEEPALIVE_SECONDS = 5
"""How often an idle worker sends a keepalive event."""

SILENCE_LIMIT_SECONDS = 20
"""Silence after which the node is given up on: four keepalives missed, well inside the 30 s verdict."""

CLEANUP_TIMEOUT_SECONDS = 10

NODE_CONFIG = f"""\
# written by schooltech for a job sent to an execution node: the payload's inventory is its slice
[defaults]
collections_path = ~/{NODE_COLLECTIONS}:~/.ansible/collections:/usr/share/ansible/collections
host_key_checking = True
interpreter_python = auto_silent
retry_files_enabled = False

[inventory]
enable_plugins = schooltech.fleet.schooltech_slice
any_unparsed_is_failed = True

[ssh_connection]
pipelining = True
ssh_args = -o ControlMaster=auto -o ControlPersist=120s
"""
"""The node's ansible.cfg (in ``project/``, the worker's working directory)."""

INVENTORY = "inventory/hosts.slice.json"

COLLECTION = Path("collections/ansible_collections/schooltech/fleet")
"""Where the node's copy of the schooltech.fleet collection goes: beside the playbooks, where Ansible looks."""

SLICE_PLUGIN = Path("plugins/inventory/schooltech_slice.py")
"""The inventory plugin that reads a job's slice (``payload.write_inventory``); it needs only Ansible."""

NODE_VENV = ".schooltech-node/venv"
"""Where ``schooltech node setup`` installs ansible-core and ansible-runner on a node (under its login's home)."""

NODE_RUNNER = ("sh", "-c", f'PATH="$HOME/{NODE_VENV}/bin:$PATH" exec ansible-runner "$@"', "ansible-runner")
"""The node's ansible-runner, its venv first on ``PATH``, where the worker also finds ``ansible-playbook``."""


@dataclass(frozen=True)
class Transport:
    """How the controller starts ``ansible-runner worker`` on a node, and removes its directory there."""

    prefix: tuple[str, ...]  # what comes before the node's command (``ssh ... USER@HOST``); empty: this machine
    runner: tuple[str, ...] = NODE_RUNNER  # how the node starts its ansible-runner
    remote_shell: bool = True  # ssh hands the node's shell one command line: its words are quoted
    path: str | None = None  # a local worker's PATH (where it finds ansible-playbook); None: the node's own

    def command(self, *words: str) -> list[str]:
        return [*self.prefix, *([shlex.join(words)] if self.remote_shell else words)]

    def worker(self, directory: str, keepalive_seconds: int) -> list[str]:
        return self.command(*self.runner, "worker", f"--private-data-dir={directory}", "--delete",
                            f"--keepalive-seconds={keepalive_seconds}")  # fmt: skip

    def cleanup(self, directory: str) -> list[str]:
        return self.command("rm", "-rf", "--", directory)


def ssh_transport(node: Mapping[str, Any], known_hosts: Path, keepalive_seconds: int = KEEPALIVE_SECONDS) -> Transport:
    """The SSH transport to *node* (the host variable ``execution_node``), trusting only its recorded host key.

    *known_hosts* is written with that one key. A node without one is refused. A simulated node
    names the simulation's login key (``identity_file``); a real one is reached with this login's keys.
    """
    host, port, user, key = str(node["host"]), int(node["port"]), str(node["user"]), node.get("host_key")
    if not key:
        raise UsageError(f"the execution node {user}@{host}:{port} has no host_key: schooltech cannot tell it "
                         "from anything else answering at its address",
                         "run 'schooltech node setup --school CODE', or add the node's key as host_key:")  # fmt: skip
    from ..inventory.resolve import ssh_config_word  # noqa: PLC0415 - the resolver stays off a local job's imports

    private.write_text(known_hosts, f"{host if port == 22 else f'[{host}]:{port}'} {key}\n")
    return Transport((
        "ssh", "-p", str(port), "-o", "BatchMode=yes", "-o", "StrictHostKeyChecking=yes",
        "-o", f"UserKnownHostsFile={ssh_config_word(str(known_hosts))}", "-o", "GlobalKnownHostsFile=/dev/null",
        "-o", f"ServerAliveInterval={keepalive_seconds}", "-o", "ServerAliveCountMax=3",
        *(("-i", str(node["identity_file"]), "-o", "IdentitiesOnly=yes") if node.get("identity_file") else ()),
        "--", f"{user}@{host}",
    ))  # fmt: skip


def node_session(node: Mapping[str, Any], scratch: Path, run_id: str) -> tuple[Transport, str]:
    """How a job reaches *node*: the SSH transport trusting only its recorded key (kept in *scratch*),
    and the worker's directory there."""
    return ssh_transport(node, scratch / "known_hosts"), f"{NODE_JOBS}/{run_id}"


NodeSession = Callable[[Mapping[str, Any], Path, str], tuple[Transport, str]]
"""The signature of :func:`node_session` (a test gives :func:`local_transport` instead)."""


def node_label(node: Mapping[str, Any]) -> str:
    """``host:port``: how run records and the journal name a node."""
    return f"{node['host']}:{node['port']}"


def node_project(root: Path, into: Path) -> Path:
    """The project a node runs: the playbooks (with their ``group_vars/``) and, beside them, the
    ``schooltech.fleet`` collection's roles, modules and the slice's inventory plugin. On the
    controller the checkout is that collection through a link (``.collections/``); a node has only
    what the payload carries."""
    shutil.copytree(root / "playbooks", into)
    collection = into / COLLECTION
    shutil.copytree(root / "roles", collection / "roles")
    shutil.copytree(root / "plugins" / "modules", collection / "plugins" / "modules",
                    ignore=shutil.ignore_patterns("__pycache__"))  # fmt: skip
    (collection / "plugins" / "inventory").mkdir()
    shutil.copyfile(root / SLICE_PLUGIN, collection / SLICE_PLUGIN)  # the payload's inventory is read with it
    shutil.copytree(root / "meta", collection / "meta")
    shutil.copyfile(root / "galaxy.yml", collection / "galaxy.yml")
    return into


def execution_node(fleet: Fleet, school: str, targets: Sequence[str]) -> Mapping[str, Any] | None:
    """The execution node that runs a job of *school* on *targets*, or None when it runs on the controller.

    Targets on two nodes (sites) or on a node and off one are refused: one job, one node. The
    network guard is asked about the node's address as about any target.
    """
    nodes = {json.dumps(fleet.host_vars(t).get(NODE_VARIABLE), sort_keys=True) for t in targets}
    if len(nodes) > 1:
        raise UsageError(f"the targets of this {school} job are on {len(nodes)} execution nodes (or some on none)",
                         "run one job per site: --room or --limit the targets of one site")  # fmt: skip
    node: Mapping[str, Any] | None = json.loads(nodes.pop()) if nodes else None
    if node is not None:
        name = f"execution node {node['user']}@{node['host']}:{node['port']}"
        check_reachable({name: str(node["host"])}, {name: fleet.networks.get(school, ())})
    return node


def local_transport() -> Transport:
    """A worker on this machine, this installation's ``ansible-runner``: the same worker, without SSH."""
    here = Path(sys.executable).parent
    return Transport((), (str(here / "ansible-runner"),), remote_shell=False,
                     path=os.pathsep.join([str(here), os.environ.get("PATH", os.defpath)]))  # fmt: skip


class _Watched:
    """The worker's output, remembering when it last said something and whether it reached its end marker."""

    def __init__(self, stream: IO[bytes]) -> None:
        self._stream = stream
        self.heard = time.monotonic()
        self.ended = False

    def readline(self, size: int = -1) -> bytes:
        line = self._stream.readline(size)
        self.heard = time.monotonic()
        if line.strip() == b'{"eof": true}':
            self.ended = True
        return line

    def read(self, size: int = -1) -> bytes:
        data = self._stream.read(size)
        self.heard = time.monotonic()
        return data

    def __getattr__(self, name: str) -> Any:  # close, closed, flush... for ansible-runner's Base64IO
        return getattr(self._stream, name)


def run_remote_playbook(run: PlaybookRun, tally: EventTally, transport: Transport, worker_dir: str, *,
                        stop: Callable[[], str | None] = never, keepalive_seconds: int = KEEPALIVE_SECONDS,
                        silence_limit: float = SILENCE_LIMIT_SECONDS,
                        inventory_files: Path | None = None) -> PlaybookExit:  # fmt: skip
    """Run *run* through a worker started by *transport* in *worker_dir* on the node (see the module docstring).

    ``run.inventory`` is a file holding the sliced inventory; ``run.project_dir`` the playbooks
    (with their ``roles/``); the files ``run.cmdline`` names (the job's secrets: ``-e @FILE``,
    ``--become-password-file FILE``) travel in the payload, and so does *inventory_files* (the
    school's ``files/``: certificates the roles install) beside the inventory, where Ansible's
    ``inventory_dir`` points on the node. Results accumulate in *tally* as in :func:`.runner.run_playbook`.
    """
    staged = run.run_dir / "payload"
    secrets = [*run.secrets, *environment_secrets(os.environ)]
    try:
        sent = _stage(run, staged, inventory_files)
        return _stream(sent, tally, transport, worker_dir, staged, stop, keepalive_seconds, silence_limit)
    finally:
        shutil.rmtree(staged, ignore_errors=True)
        scrub(run.run_dir, secrets)


SECRET_FILE_OPTIONS = ("--become-password-file", "--vault-password-file", "--connection-password-file")
"""Options of ansible-playbook that name a file (secrets.py's), as ``-e @FILE`` does."""


def _stage(run: PlaybookRun, staged: Path, inventory_files: Path | None = None) -> PlaybookRun:
    """Stage the payload; the run as the node sees it: the job's secret files travel in ``secrets/``."""
    private.directory(staged)
    shutil.copytree(run.project_dir, staged / "project", symlinks=False)
    (staged / "project" / "ansible.cfg").write_text(NODE_CONFIG, encoding="utf-8")
    private.directory(staged / "inventory")
    shutil.copyfile(run.inventory, staged / INVENTORY)
    if inventory_files is not None and inventory_files.is_dir():
        shutil.copytree(inventory_files, staged / "inventory" / "files", symlinks=False)
    # this machine's PATH means nothing on the node, and would hide the node's own ansible-playbook from its worker
    envvars = {name: value for name, value in run.envvars.items() if name != "PATH"}
    return replace(run, cmdline=_staged_files(run.cmdline, staged / "secrets"), envvars=envvars)


def _staged_files(cmdline: Sequence[str], secrets: Path) -> list[str]:
    """*cmdline* with each file it names (``-e @FILE``, ``--become-password-file FILE``) copied into *secrets*
    and named relative to the worker's working directory (``project/``)."""
    out: list[str] = []
    for i, word in enumerate(cmdline):
        before = cmdline[i - 1] if i else ""
        if before == "-e" and word.startswith("@"):
            out.append(f"@{_carry(Path(word[1:]), secrets)}")
        elif before in SECRET_FILE_OPTIONS:
            out.append(_carry(Path(word), secrets))
        else:
            out.append(word)
    return out


def _carry(path: Path, secrets: Path) -> str:
    private.directory(secrets)
    shutil.copyfile(path, secrets / path.name)
    (secrets / path.name).chmod(0o600)
    return f"../{secrets.name}/{path.name}"


def _stream(run: PlaybookRun, tally: EventTally, transport: Transport, worker_dir: str, staged: Path,
            stop: Callable[[], str | None], keepalive_seconds: int, silence_limit: float) -> PlaybookExit:  # fmt: skip
    environment = {name: value for name, value in os.environ.items() if passes_to_ansible(name)}
    if transport.path is not None:
        environment["PATH"] = transport.path
    with open(run.run_dir / "worker-stderr", "wb") as stderr:
        worker = subprocess.Popen(
            transport.worker(worker_dir, keepalive_seconds), stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            stderr=stderr, env=environment, start_new_session=True,
        )  # fmt: skip
    assert worker.stdin is not None and worker.stdout is not None
    stream = _Watched(worker.stdout)
    verdict: dict[str, str] = {}
    done = threading.Event()

    def send() -> None:
        assert worker.stdin is not None
        with contextlib.suppress(OSError, ValueError):  # a worker gone mid-payload: the watchdog gives the verdict
            transmit(run, staged, str(staged / INVENTORY), worker.stdin)
            worker.stdin.close()

    def watch() -> None:
        while not done.wait(0.5):
            reason = stop()
            if reason is not None:
                verdict.setdefault("stopped", reason)
            elif time.monotonic() - stream.heard > silence_limit:
                verdict.setdefault("lost", f"no word from the node for {silence_limit:g} s")
            else:
                continue
            _kill(worker)
            return

    threads = [threading.Thread(target=send, daemon=True), threading.Thread(target=watch, daemon=True)]
    for thread in threads:
        thread.start()
    try:
        status = process(run, tally, stream)  # type: ignore[arg-type]  # a file-like object is all it reads
    finally:
        done.set()
        _end(worker)
    warnings: list[str] = []
    if not stream.ended and "stopped" not in verdict:
        verdict.setdefault("lost", _why_the_stream_ended(run, worker.returncode))
    if not stream.ended:  # the worker did not reach its own --delete: remove its directory from here
        warnings += _cleanup(transport, worker_dir)
    lost, stopped = verdict.get("lost"), verdict.get("stopped")
    if lost is not None:
        tally.cut_off(f"execution node lost: {lost}")
    rc_file = artifacts(run) / "rc"
    rc = int(rc_file.read_text().strip()) if rc_file.is_file() and stream.ended else 1
    if rc != 0 and not tally.started and lost is None and stopped is None:
        output = (artifacts(run) / "stdout").read_text(errors="replace").strip().splitlines() if (
            artifacts(run) / "stdout").is_file() else []  # fmt: skip
        raise PlaybookDidNotStart(
            f"ansible-playbook {run.playbook} did not start on the node (worker: {status}, exit {rc}): "
            f"{output[-1] if output else 'no output'}", f"the full output is in {artifacts(run)}",
        )  # fmt: skip
    return PlaybookExit(rc, stopped, lost, tuple(warnings))


def _why_the_stream_ended(run: PlaybookRun, returncode: int | None) -> str:
    lines = (run.run_dir / "worker-stderr").read_text(errors="replace").strip().splitlines()
    said = f": {lines[-1][:200]}" if lines else ""
    return f"the worker's stream ended before the job did (transport exit {returncode}){said}"


def _kill(worker: subprocess.Popen[bytes]) -> None:
    """Kill the transport and whatever it started here (its session): a local worker, or the ssh client."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(worker.pid, signal.SIGKILL)


def _end(worker: subprocess.Popen[bytes]) -> None:
    try:
        worker.wait(timeout=CLEANUP_TIMEOUT_SECONDS)
    except subprocess.TimeoutExpired:
        _kill(worker)
        worker.wait()


def _cleanup(transport: Transport, worker_dir: str) -> list[str]:
    """Remove the worker's directory on the node; a warning when it cannot be done."""
    try:
        done = subprocess.run(transport.cleanup(worker_dir), capture_output=True, timeout=CLEANUP_TIMEOUT_SECONDS,
                              check=False, stdin=subprocess.DEVNULL)  # fmt: skip
    except (OSError, subprocess.TimeoutExpired) as exc:
        return [f"the node's job directory {worker_dir} may remain (it holds the job's secrets): {exc}"]
    if done.returncode != 0:
        said = done.stderr.decode(errors="replace").strip().splitlines()
        return [f"the node's job directory {worker_dir} may remain (it holds the job's secrets): "
                f"{said[-1] if said else f'exit {done.returncode}'}"]  # fmt: skip
    return []

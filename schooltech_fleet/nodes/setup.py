"""``schooltech node setup``: make a school's execution nodes ready to run its jobs, with no internet on the node.

The recipe, per node the school's sites name (``execution_node:``):

1. **Ask** the node, over SSH with its recorded host key only, for its Python, C library and
   machine, for the versions in its venv (``NODE_VENV``) if it has one, and for the key of the
   collections it holds (``NODE_COLLECTIONS``); remove the job directories a lost node left
   there (``NODE_JOBS``: they hold their jobs' secrets).
2. **Nothing to do** when they are the controller's ansible-core and ansible-runner and the
   current bundle of collections (:mod:`.collections`): verify, done.
3. Otherwise **build the wheelhouse** here, once (:mod:`.wheelhouse`), **copy** it to the node
   (a tar stream over the same SSH), **install** it into a fresh venv there with no index
   (``--no-index --find-links``, pip run from its own wheel), and remove the copied wheels;
   and/or replace the node's collections with the bundle (another tar stream).
4. **Verify** on the node: ``ansible-runner --version`` and ``ansible-playbook --version`` give
   the controller's versions, ``ansible-galaxy collection list`` the bundle's collections.

A node that cannot be reached or fails a step is a result with its reason, not an exception:
the other nodes of the school are still set up. The school's job lock is held meanwhile: a job
of the school never runs on a node whose venv is being replaced.
"""

from __future__ import annotations

import io
import itertools
import json
import subprocess
import tarfile
import tempfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .. import journal
from ..errors import UsageError
from ..guard import check_reachable
from ..inventory import Fleet, load_fleet
from ..inventory.nodes import VARIABLE as NODE_VARIABLE
from ..jobs.locks import school_lock
from ..jobs.remote import NODE_COLLECTIONS, NODE_JOBS, NODE_VENV, Transport, ssh_transport
from .collections import Bundle, bundle
from .hostkey import OfferedKey, record_key, unrecorded_keys
from .wheelhouse import NodePython, controller_versions, requirements, wheelhouse

SSH_TIMEOUT_SECONDS = 30
INSTALL_TIMEOUT_SECONDS = 600

_PROBE = f"""
python3 -c 'import json, platform, sys
print(json.dumps({{"python": "%d.%d" % sys.version_info[:2], "glibc": platform.libc_ver()[1] or "0.0",
                  "machine": platform.machine()}}))'
"$HOME/{NODE_VENV}/bin/python" -c 'import importlib.metadata as m, json
print(json.dumps({{n: m.version(n) for n in ("ansible-core", "ansible-runner")}}))' 2>/dev/null || echo '{{}}'
cat "$HOME/{NODE_COLLECTIONS}/BUNDLE" 2>/dev/null || echo none
ls -A "$HOME/{NODE_JOBS}" 2>/dev/null | wc -l
"""
"""Four lines: the node's Python, C library and machine (JSON); the versions in its venv (JSON, {} without one);
the key of its collections; how many job directories it holds."""

_INSTALL = f"""set -eu
base="$HOME/{NODE_VENV}"; wheels="$base.wheels"
rm -rf "$wheels" "$base"; mkdir -p "$wheels"
tar -C "$wheels" -xf -
python3 -m venv --without-pip "$base"
pip=$(ls "$wheels"/pip-*.whl)
"$base/bin/python" "$pip/pip" install --quiet --disable-pip-version-check --no-index --find-links "$wheels" "$@"
rm -rf "$wheels"
"""
"""Unpack the wheels from standard input, install the requirements (the arguments) into a fresh venv."""

_COLLECTIONS = f"""set -eu
target="$HOME/{NODE_COLLECTIONS}"
rm -rf "$target"; mkdir -p "$target"
tar -C "$target" -xf -
printf '%s\\n' "$1" > "$target/BUNDLE"
"""
"""Replace the node's collections with the bundle on standard input; record its key (the argument) last."""

_VERIFY = f"""set -eu
"$HOME/{NODE_VENV}/bin/ansible-runner" --version
"$HOME/{NODE_VENV}/bin/ansible-galaxy" collection list --format json -p "$HOME/{NODE_COLLECTIONS}" 2>/dev/null
"$HOME/{NODE_VENV}/bin/ansible-playbook" --version
"""
"""ansible-runner's version, the collections as JSON (one line), ansible-playbook's version."""

@dataclass(frozen=True)
class NodeSetup:
    """One node's outcome: ready with the controller's versions, or why not."""

    school: str
    node: str  # user@host:port
    changed: bool  # the venv or the collections were (re)installed
    versions: Mapping[str, str]  # what the node verified: ansible-core, ansible-runner and each collection
    error: str | None = None
    removed_jobs: int = 0  # job directories a lost node had left (they hold their jobs' secrets), removed

    @property
    def ready(self) -> bool:
        return self.error is None


def school_nodes(fleet: Fleet, school: str) -> list[Mapping[str, Any]]:
    """The distinct execution nodes *school*'s devices name, in a stable order; none is a usage error."""
    fleet.school(school)
    found: dict[str, Mapping[str, Any]] = {}
    for host in fleet.hosts:
        values = fleet.host_vars(host)
        node = values.get(NODE_VARIABLE)
        if values.get("school_code") == school and node:
            found.setdefault(json.dumps(node, sort_keys=True), node)
    if not found:
        raise UsageError(f"no site of {school} names an execution node",
                         "add execution_node: {host, user, host_key} to the site in the school file "
                         "(docs/scale.md)")  # fmt: skip
    return [found[key] for key in sorted(found)]


def setup_nodes(fleet: Fleet, school: str, work: Path) -> tuple[NodeSetup, ...]:
    """Set up every execution node of *school* (see the module docstring); *work* holds the known_hosts files."""
    nodes = school_nodes(fleet, school)
    for node in nodes:
        name = f"execution node {_label(node)}"
        check_reachable({name: str(node["host"])}, {name: fleet.networks.get(school, ())})
        if not node.get("host_key"):
            raise _unrecorded(node)
    wanted, collections = controller_versions(), bundle()
    with school_lock(school, f"node setup of {school}"):  # a job of the school would lose its venv mid-run
        return tuple(_setup(school, node, ssh_transport(node, work / f"known_hosts-{n}"), wanted, collections)
                     for n, node in enumerate(nodes))  # fmt: skip


def _unrecorded(node: Mapping[str, Any]) -> UsageError:
    return UsageError(f"the execution node {_label(node)} has no host_key: schooltech cannot tell it from anything "
                      "else answering", "run 'schooltech node setup', which shows its key and records it "
                      "once you confirm its fingerprint")  # fmt: skip


def _label(node: Mapping[str, Any]) -> str:
    return f"{node['user']}@{node['host']}:{node['port']}"


class _Failed(Exception):
    """A step on the node failed: its reason ends this node's setup."""


def _setup(school: str, node: Mapping[str, Any], transport: Transport, wanted: Mapping[str, str],
           collections: Bundle) -> NodeSetup:  # fmt: skip
    label = _label(node)
    packages = {name: wanted[name] for name in ("ansible-core", "ansible-runner")}
    expected = {**packages, **collections.versions}
    try:
        found, installed, key, leftovers = _probe(transport)
        if leftovers:  # the school's lock is held: no job of the school is running there
            _run(transport, ["rm", "-rf", "--", f"{NODE_JOBS}"], "remove the job directories a lost node left",
                 SSH_TIMEOUT_SECONDS)  # fmt: skip
        if installed != packages:
            wheels = wheelhouse(found, dict(wanted))
            _run(transport, ["sh", "-c", _INSTALL, "sh", *requirements(packages)], "install the wheels",
                 INSTALL_TIMEOUT_SECONDS, _tar(wheels, "*.whl"))  # fmt: skip
        if key != collections.key:
            _run(transport, ["sh", "-c", _COLLECTIONS, "sh", collections.key], "install the collections",
                 INSTALL_TIMEOUT_SECONDS, _tar(collections.path, "ansible_collections"))  # fmt: skip
        changed = installed != packages or key != collections.key
        verified = {name: version for name, version in _verify(transport).items() if name in expected}
    except _Failed as exc:
        return NodeSetup(school, label, False, {}, str(exc))
    if verified != expected:
        why = f"the node's venv has {_shown(verified)}, not the controller's {_shown(expected)}"
        return NodeSetup(school, label, changed, verified, why, leftovers)
    return NodeSetup(school, label, changed, verified, None, leftovers)


def _shown(versions: Mapping[str, str]) -> str:
    return ", ".join(f"{name} {version}" for name, version in sorted(versions.items())) or "nothing"


def _probe(transport: Transport) -> tuple[NodePython, dict[str, str], str, int]:
    lines = _run(transport, ["sh", "-c", _PROBE], "ask the node for its Python", SSH_TIMEOUT_SECONDS).splitlines()
    try:
        platform, installed = json.loads(lines[0]), json.loads(lines[1])
        python = NodePython(str(platform["python"]), str(platform["glibc"]), str(platform["machine"]))
        return python, installed, lines[2].strip(), int(lines[3].strip())
    except (IndexError, ValueError, KeyError) as exc:
        raise _Failed(f"the node did not describe its Python (is python3 installed?): {lines[:2]}") from exc


def _verify(transport: Transport) -> dict[str, str]:
    """The versions the node's own commands report (ansible-runner, ansible-playbook, ansible-galaxy: every
    collection it finds, ansible-core's own ``ansible._protomatter`` too)."""
    output = _run(transport, ["sh", "-c", _VERIFY], "run ansible-runner, ansible-galaxy and ansible-playbook",
                  SSH_TIMEOUT_SECONDS)  # fmt: skip
    lines = output.splitlines()
    words = "\n".join(lines[2:]).split()
    core = next((w.rstrip("]") for before, w in itertools.pairwise(words) if before == "[core"), "")
    try:
        listed: dict[str, dict[str, dict[str, str]]] = json.loads(lines[1])
    except (IndexError, ValueError) as exc:
        raise _Failed(f"ansible-galaxy on the node listed no collections: {lines[1:2]}") from exc
    found = {name: str(info.get("version")) for place in listed.values() for name, info in place.items()}
    return {"ansible-runner": lines[0].strip() if lines else "", "ansible-core": core, **found}


def _run(transport: Transport, words: list[str], what: str, timeout: float, stdin: bytes = b"") -> str:
    try:
        done = subprocess.run(transport.command(*words), input=stdin, capture_output=True, timeout=timeout,
                              check=False)  # fmt: skip
    except subprocess.TimeoutExpired as exc:
        raise _Failed(f"could not {what}: no answer within {timeout:g} s") from exc
    if done.returncode != 0:
        said = done.stderr.decode(errors="replace").strip().splitlines()
        raise _Failed(f"could not {what}: {said[-1] if said else f'exit {done.returncode}'}")
    return done.stdout.decode(errors="replace")


def _tar(directory: Path, pattern: str) -> bytes:
    """What *pattern* matches in *directory* as a tar stream (wheels are compressed already; collections small)."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as archive:
        for path in sorted(directory.glob(pattern)):
            archive.add(path, arcname=path.name)
    return buffer.getvalue()


def setup_school_nodes(fleet: Fleet, school: str) -> tuple[NodeSetup, ...]:
    """:func:`setup_nodes` with its known_hosts files in a private temporary directory."""
    with tempfile.TemporaryDirectory(prefix="schooltech-node-") as work:
        return setup_nodes(fleet, school, Path(work))


@dataclass(frozen=True)
class NodeSetupRun:
    """``node setup``: the keys it offered to record (and whether the technician confirmed them), each node's setup."""

    keys: tuple[OfferedKey, ...]
    confirmed: bool  # the keys were recorded (true when there were none to record)
    nodes: tuple[NodeSetup, ...]  # empty when keys were declined: nothing was set up


def node_setup(inventory: Path, school: str, confirm: Callable[[Sequence[OfferedKey]], bool],
               invocation: str | None = None) -> NodeSetupRun:  # fmt: skip
    """Record the host keys of *school*'s nodes that have none (once *confirm* says yes), then set every node up.

    A node without ``host_key`` is scanned (the network guard applies) and its key handed to
    *confirm* with its fingerprint. The journal records what was offered and decided before anything
    is written; only a confirmed key is written into the school file (the site's
    ``execution_node.host_key``), and only then are the nodes set up.
    """
    fleet = load_fleet(inventory)
    offered = unrecorded_keys(fleet, school)
    if not offered:
        return NodeSetupRun((), True, setup_school_nodes(fleet, school))
    confirmed = confirm(offered)
    journal.record({"event": "node-key", "command": invocation, "school": school, "confirmed": confirmed,
                    "nodes": [{"node": k.node, "site": k.site, "file": str(k.file), "fingerprint": k.fingerprint}
                              for k in offered]})  # fmt: skip
    if not confirmed:
        return NodeSetupRun(offered, False, ())
    for key in offered:
        record_key(key)
    return NodeSetupRun(offered, True, setup_school_nodes(load_fleet(inventory), school))

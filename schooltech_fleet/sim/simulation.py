"""The simulated school: a rehearsal copy of an inventory's schools on this machine.

``up`` starts one container per managed Linux PC, one execution-node container per school
with simulated PCs (:mod:`.node`) and one emulated switch per switch with an emulator (with
``imaging``, also the imaging lab of the imaged rooms: see :mod:`.imaging.school_lab`), then
writes the simulation layer (``.schooltech-sim.yml``) beside each simulated school file. From
then on every command that loads the inventory — schooltech's own and plain ``ansible-playbook
-i`` alike — reaches the simulation at 127.0.0.1 instead of the real school. ``down`` removes all of it.

One simulation runs at a time per state directory. Only 127.0.0.0/8 is ever used.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import os
import secrets
import shutil
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

import yaml

from .. import locks, private
from ..errors import SimulationError, UsageError
from ..imaging.targets import imaging_targets
from ..inventory import load_schools
from ..inventory.files import SIM_OVERRIDE_NAME, require_school_files
from ..inventory.findings import Severity
from ..inventory.fleet import UnknownSchool
from ..inventory.resolve import resolve_school
from ..inventory.school import LoadedSchool
from ..paths import state_dir
from . import aptrepo, hardware, node, pcs
from .image import ADMIN_USER, ensure_image
from .imaging.school_lab import LabPlan, LabRecord, LabStatus, lab_plans, lab_status, start_lab, stop_lab
from .prereqs import check_host_prerequisites, check_imaging_prerequisites, run_host_command
from .switch_boot import (
    EMULATED_PLATFORMS,
    SWITCH_USERNAME,
    canaries_json,
    generate_canaries,
    school_switch_specs,
)
from .switches import SwitchControl, SwitchFarm, SwitchSpec, start_switches, stop_detached
from .switches.farm import is_emulator

Progress = Callable[[str], None]

LOOPBACK = "127.0.0.1"
SIM_MINUTE_SECONDS = 3.0
"""Real seconds per emulated minute: a 5-minute ``configure terminal revert timer`` lasts 15 s."""
MINUTE_SECONDS_ENV = "SCHOOLTECH_SIM_MINUTE_SECONDS"
#: what the school's package repository offers when a simulation starts
INITIAL_PACKAGES = {"schooltech-demo-app": "1.0", "schooltech-exam-browser": "2.0", "schooltech-licence-agent": "1.0"}


@dataclass(frozen=True)
class SimulatedHost:
    name: str
    school: str
    kind: str  # pc | switch | node (the school's execution node)
    port: int
    room: str | None = None
    imaged: bool = False  # a VM of the imaging lab stands for it; its container runs once it is installed
    host_key: str | None = None  # a node's SSH host key (``ssh-ed25519 AAAA...``), scanned at start-up


@dataclass(frozen=True)
class Simulation:
    """A running simulation, as recorded in the state directory."""

    sim_id: str
    started: str
    inventory: str
    scope: dict[str, Any]
    hosts: tuple[SimulatedHost, ...]
    skipped: dict[str, int]  # reason -> how many devices
    overrides: tuple[str, ...]
    farm_pid: int | None
    control_port: int | None
    workdir: str
    labs: tuple[LabRecord, ...] = ()  # the imaging labs (sim up --imaging)
    execution_node: bool = False  # the layer sends every lab job of a school to its node (sim up --execution-node)

    @property
    def pcs(self) -> list[SimulatedHost]:
        return [h for h in self.hosts if h.kind == "pc"]

    @property
    def nodes(self) -> list[SimulatedHost]:
        """The schools' execution nodes, one per school with simulated PCs."""
        return [h for h in self.hosts if h.kind == "node"]

    def node(self, school: str) -> SimulatedHost:
        """The execution node of *school*."""
        found = next((h for h in self.nodes if h.school == school), None)
        if found is None:
            raise UsageError(f"simulation {self.sim_id} has no execution node for {school}",
                             "only a school with simulated lab PCs has one")  # fmt: skip
        return found

    @property
    def switches(self) -> list[SimulatedHost]:
        return [h for h in self.hosts if h.kind == "switch"]

    @property
    def private_key(self) -> Path:
        return Path(self.workdir) / "keys" / "id_ed25519"

    @property
    def repo_dir(self) -> Path:
        return Path(self.workdir) / "repo"

    @property
    def switch_password_file(self) -> Path:
        return Path(self.workdir) / "switch-password"

    @property
    def switch_known_hosts(self) -> Path:
        """``[127.0.0.1]:PORT ssh-ed25519 AAAA...`` of every emulated switch, recorded at start-up."""
        return Path(self.workdir) / "switch_known_hosts"

    @property
    def canary_secrets(self) -> dict[str, str]:
        """The plaintext secrets of the generated switch configs (``CANARY-...``): they must never leak."""
        path = Path(self.workdir) / "canary-secrets.json"
        if not path.exists():
            return {}
        recorded: dict[str, str] = json.loads(path.read_text())
        return recorded

    def control(self) -> SwitchControl:
        """The emulated switches' control channel (failure injection, out-of-band changes)."""
        if self.control_port is None:
            raise SimulationError("this simulation has no emulated switches")
        return SwitchControl(self.control_port)

    def container(self, pc: str) -> str:
        """The container of lab PC *pc* (its inventory name)."""
        return pcs.container_name(self.sim_id, pc.lower())

    def hardware_dir(self, pc: str) -> Path:
        """The hardware identity (DMI tables, NIC address) mounted into lab PC *pc*'s container."""
        return Path(self.workdir) / "hardware" / pc.lower()

    def handed_over_marker(self, pc: str) -> Path:
        """Exists once the imaged PC *pc* was installed and its container plays the installed OS."""
        return Path(self.workdir) / "imaging" / "installed" / pc


@dataclass(frozen=True)
class HostState:
    name: str
    kind: str
    port: int
    state: str  # running, stopped, missing; "not installed": an imaged PC's container waits for its imaging


@dataclass(frozen=True)
class SimulationStatus:
    simulation: Simulation | None
    hosts: tuple[HostState, ...] = ()
    farm_running: bool = False
    stale_overrides: tuple[str, ...] = ()
    labs: tuple[LabStatus, ...] = ()

    @property
    def healthy(self) -> bool:
        # a missing simulation layer means the inventory reaches the real school again
        return (self.simulation is not None and all(h.state in ("running", "not installed") for h in self.hosts)
                and not self.stale_overrides and all(lab.healthy for lab in self.labs))  # fmt: skip


@dataclass(frozen=True)
class DownResult:
    sim_id: str | None
    containers_removed: int
    switches_stopped: bool
    overrides_removed: tuple[str, ...] = field(default_factory=tuple)
    labs_stopped: int = 0


def _sim_root() -> Path:
    return private.directory(state_dir() / "sim")


def _locked(what: str) -> contextlib.AbstractContextManager[None]:
    """One ``up`` or ``down`` at a time (a second one waits)."""
    return locks.hold(locks.path("simulation"), what, wait=True)


def current() -> Simulation | None:
    """The recorded simulation, if one was started and not taken down."""
    path = _sim_root() / "state.json"
    if not path.exists():
        return None
    try:
        data = json.loads(path.read_text())
        data["hosts"] = tuple(SimulatedHost(**h) for h in data["hosts"])
        data["overrides"] = tuple(data["overrides"])
        data["labs"] = tuple(LabRecord.from_json(lab) for lab in data.get("labs", ()))
        return Simulation(**data)
    except (ValueError, TypeError, KeyError) as exc:
        raise SimulationError(
            f"the simulation state {path} is unreadable: {exc}", "run 'schooltech sim down' to clear it"
        ) from exc


def up(
    inventory: Path,
    *,
    schools: Sequence[str] = (),
    rooms: Sequence[str] = (),
    max_pcs: int | None = None,
    startup_configs: Mapping[str, str] | None = None,
    sim_id: str | None = None,
    detach: bool = True,
    imaging: bool = False,
    execution_node: bool = False,
    progress: Progress | None = None,
) -> Simulation:
    """Start (or keep) the simulation of *inventory*, limited to *schools*, *rooms*, *max_pcs* per room.

    Each school with simulated PCs also gets an execution node (a container, :mod:`.node`). With
    *execution_node*, the simulation layer names it, so every lab job of the school runs there;
    without, jobs run here. That choice is not part of the scope: asking for the other one while
    the simulation runs switches the layer (:func:`use_execution_node`) and keeps everything else.

    With *imaging*, the simulated PCs that have an imaging target also get the imaging lab: a VM
    each, the boot server at its inventory address, their containers stopped until
    :func:`installed_pc_ready`.

    Idempotent: the same request while a healthy simulation of it runs returns that
    simulation. A different request while one runs is refused. On failure everything
    started so far is removed again. With *detach* (the CLI) the emulated switches
    outlive this process; without (tests), they stop when it exits.
    """
    report = progress or (lambda _message: None)
    inventory = inventory.resolve()
    scope = {"schools": sorted(schools), "rooms": sorted(rooms), "max_pcs": max_pcs,
             "startup_configs": sorted(f"{name}={hashlib.sha256(text.encode()).hexdigest()[:16]}"
                                       for name, text in (startup_configs or {}).items())}  # fmt: skip
    if imaging:  # only then: a request without it matches what was recorded before imaging existed
        scope["imaging"] = True
    with _locked("sim up"):
        running = current()
        if running is not None:
            if running.inventory == str(inventory) and running.scope == scope and status().healthy:
                report(f"simulation {running.sim_id} is already running")
                return _with_execution_node(running, execution_node)
            if running.inventory != str(inventory) or running.scope != scope:
                raise UsageError(
                    f"simulation {running.sim_id} of {running.inventory} is running with another scope",
                    "run 'schooltech sim down' first",
                )
            report(f"simulation {running.sim_id} is not healthy: starting it again")
            _down(running)
        plan = _plan(inventory, schools, rooms, max_pcs)
        if plan.pcs:  # a simulation of switches only needs neither podman nor the lab-PC image
            check_host_prerequisites()
        if imaging:
            check_imaging_prerequisites()
            plan.labs = _lab_plans(plan)
        emulated = sorted(sw.name for sw in plan.switches)
        unknown = sorted(set(startup_configs or {}) - set(emulated))
        if unknown:
            raise UsageError(f"--startup-config {', '.join(unknown)}: no emulated switch of that name in this scope",
                             f"emulated switches: {', '.join(emulated) or 'none'}")  # fmt: skip
        return _start(inventory, plan, scope, startup_configs or {}, sim_id, detach, execution_node, report)


@dataclass
class _Plan:
    pcs: list[SimulatedHost]
    switches: list[SimulatedHost]
    school_files: dict[str, Path]
    skipped: Counter[str]
    schools: dict[str, LoadedSchool] = field(default_factory=dict)
    labs: list[LabPlan] = field(default_factory=list)
    identities: dict[str, hardware.HardwareIdentity] = field(default_factory=dict)  # PC -> its hardware


def _plan(inventory: Path, schools: Sequence[str], rooms: Sequence[str], max_pcs: int | None) -> _Plan:
    """Choose what to simulate from the real (not simulated) inventory."""
    require_school_files(inventory)
    loaded, findings = load_schools(inventory, simulation=False)
    errors = [f for f in findings if f.severity is Severity.ERROR]
    if errors:
        from ..errors import InventoryError  # noqa: PLC0415 - only on this error path

        raise InventoryError(list(errors))
    known = {s.code for s in loaded}
    unknown = [code for code in schools if code not in known]
    if unknown:
        raise UnknownSchool(unknown, known)
    plan = _Plan([], [], {}, Counter())
    for school in loaded:
        if schools and school.code not in schools:
            continue
        plan.school_files[school.code] = school.parsed.path.resolve()
        plan.schools[school.code] = school
        fleet = resolve_school(school)
        per_room: Counter[str] = Counter()
        for name, host in sorted(fleet.hosts.items()):
            values = fleet.host_vars(name)
            if host.kind == "switch":
                if values["switch_platform"] in EMULATED_PLATFORMS:
                    plan.switches.append(SimulatedHost(name, school.code, "switch", 0))
                else:
                    plan.skipped[f"no emulator for {values['switch_platform']} switches"] += 1
                continue
            room = values["room"]
            if rooms and room not in rooms:
                continue
            if not values["managed"]:
                plan.skipped["not managed by Ansible (asset record only)"] += 1
            elif values["os_family"] != "linux":
                plan.skipped[f"{values['os_family']} PCs cannot run as Linux containers"] += 1
            elif max_pcs is not None and per_room[room] >= max_pcs:
                plan.skipped[f"over --max-pcs {max_pcs} in the room"] += 1
            else:
                per_room[room] += 1
                plan.pcs.append(SimulatedHost(name, school.code, "pc", 0, room))
                plan.identities[name] = hardware.identity_for(name, values.get("model"), values.get("serial_number"),
                                                              values.get("mac"))  # fmt: skip
    unmatched = set(rooms) - {pc.room for pc in plan.pcs} - {
        r for s in loaded for r in (room.name for room in s.model.rooms)}
    if unmatched:
        raise UsageError(f"no room named {', '.join(sorted(unmatched))}", "check the room names in the school file")
    if not plan.pcs and not plan.switches:
        raise UsageError("nothing to simulate: no managed Linux PCs and no emulated switches in that scope",
                         "check --school and --room")
    return plan


def _lab_plans(plan: _Plan) -> list[LabPlan]:
    """The imaging lab of the simulated PCs that have an imaging target (one lab: two VMs at most at once)."""
    labs: list[LabPlan] = []
    for code, school in plan.schools.items():
        simulated = {pc.name for pc in plan.pcs if pc.school == code}
        fleet = resolve_school(school)
        targets = [target for target in imaging_targets(fleet, code) if target.name in simulated]
        networks = {t.name: (fleet.host_vars(t.name)["subnet"], fleet.host_vars(t.name)["gateway"]) for t in targets}
        labs += lab_plans(code, targets, networks)
    if not labs:
        raise UsageError("--imaging: none of the simulated PCs has an imaging profile",
                         "simulate a room with one ('imaging_profile' in the school file)")  # fmt: skip
    if len(labs) > 1:
        where = ", ".join(f"{lab.school} ({lab.boot_server})" for lab in labs)
        raise UsageError(f"--imaging: the simulated PCs need {len(labs)} imaging labs: {where}",
                         "one lab runs at a time on this host: limit 'sim up' with --school or --room")  # fmt: skip
    return labs


def _start(inventory: Path, plan: _Plan, scope: dict[str, Any], startup_configs: Mapping[str, str],
           sim_id: str | None, detach: bool, execution_node: bool, report: Progress) -> Simulation:
    now = dt.datetime.now(dt.UTC)
    # containers are named after the id on the whole machine: unique even across state directories
    sim_id = sim_id or f"sim-{now:%Y%m%dT%H%M%SZ}-{secrets.token_hex(2)}".lower()
    workdir = _sim_root() / sim_id
    if workdir.exists():
        shutil.rmtree(workdir)
    workdir.mkdir(parents=True)
    farm_pid: int | None = None
    layers: list[Path] = []
    labs: list[LabRecord] = []
    try:
        minute_seconds = _minute_seconds()
        private = workdir / "keys" / "id_ed25519"
        hosts: list[SimulatedHost] = []
        control_port = None
        if plan.pcs:
            hosts += _start_containers(plan, sim_id, workdir, report)
        _start_labs(plan.labs, sim_id, workdir, labs, report)
        if plan.switches:
            report(f"starting {len(plan.switches)} emulated switches")
            specs = _switch_specs(plan, workdir, startup_configs, minute_seconds)
            farm = start_switches(specs, workdir / "switches", detached=detach)
            farm_pid, control_port = farm.process.pid, farm.control.port
            _check_management_paths(farm, startup_configs)
            _private_file(workdir / "switch_known_hosts", farm.known_hosts())
            hosts += [SimulatedHost(sw.name, sw.school, "switch", farm.port(sw.name)) for sw in plan.switches]
        simulation = Simulation(
            sim_id=sim_id, started=now.isoformat(timespec="seconds"), inventory=str(inventory), scope=scope,
            hosts=tuple(hosts), skipped=dict(plan.skipped), overrides=(), farm_pid=farm_pid,
            control_port=control_port, workdir=str(workdir), labs=tuple(labs), execution_node=execution_node,
        )
        report("writing the simulation layer beside the school files")
        layers = [directory / SIM_OVERRIDE_NAME for directory in {p.parent for p in plan.school_files.values()}]
        overrides = _write_overrides(simulation, plan.school_files, private, workdir, minute_seconds)
        simulation = Simulation(**{**asdict(simulation), "hosts": simulation.hosts, "overrides": overrides,
                                   "labs": simulation.labs})  # fmt: skip
        (_sim_root() / "state.json").write_text(json.dumps(asdict(simulation), indent=2))
        return simulation
    except BaseException:
        for layer in layers:  # a layer without its simulation would point the inventory at nothing
            layer.unlink(missing_ok=True)
        for record in labs:
            stop_lab(record)
        if plan.pcs:
            pcs.stop_pcs(sim_id)
        if farm_pid is not None:
            stop_detached(farm_pid)
        shutil.rmtree(workdir, ignore_errors=True)
        raise


def _start_containers(plan: _Plan, sim_id: str, workdir: Path, report: Progress) -> list[SimulatedHost]:
    """Start the lab PCs and each school's execution node; record their host keys."""
    report("lab-PC image: building it once (about a minute) or using the cached one")
    image = ensure_image(progress=report)
    private, public = pcs.ensure_ssh_keypair(workdir / "keys")
    aptrepo.build_repo(workdir / "repo", INITIAL_PACKAGES)
    schools = sorted({pc.school for pc in plan.pcs})
    report(f"starting {len(plan.pcs)} lab PCs and {len(schools)} execution node(s)")
    started = pcs.start_pcs([*_pc_specs(plan, workdir), *(node.node_spec(code) for code in schools)], sim_id=sim_id,
                            image=image, authorized_key=public, repo_dir=workdir / "repo")  # fmt: skip
    ports = {handle.name: handle.port for handle in started}
    imaged = {target.name for lab in plan.labs for target in lab.pcs}
    hosts = [SimulatedHost(pc.name, pc.school, "pc", ports[pc.name.lower()], pc.room, pc.name in imaged)
             for pc in plan.pcs]  # fmt: skip
    _record_host_keys(sorted(h.port for h in hosts), workdir / "known_hosts")
    return hosts + _start_nodes(schools, sim_id, ports, private, workdir / "known_hosts")


def _start_nodes(schools: Sequence[str], sim_id: str, ports: Mapping[str, int], private_key: Path,
                 known_hosts: Path) -> list[SimulatedHost]:  # fmt: skip
    """Give each started execution node the PCs' login and record its host key."""
    nodes = []
    for code in schools:
        name = node.node_name(code)
        port = ports[name.lower()]
        node.give_login(pcs.container_name(sim_id, name.lower()), private_key, known_hosts)
        nodes.append(SimulatedHost(name, code, "node", port, host_key=node.scan_host_key(port)))
    return nodes


def _pc_specs(plan: _Plan, workdir: Path) -> list[pcs.PcSpec]:
    """The PCs to start, each with its own hardware identity written out to mount (:mod:`.hardware`)."""
    specs = []
    for pc in plan.pcs:
        tree = workdir / "hardware" / pc.name.lower()
        hardware.write_tree(tree, plan.identities[pc.name])
        specs.append(pcs.PcSpec(pc.name.lower(), volumes=hardware.volumes(tree)))
    return specs


def _start_labs(plans: list[LabPlan], sim_id: str, workdir: Path, started: list[LabRecord], report: Progress) -> None:
    """Stop the imaged PCs' containers ("not installed yet") and start their labs, adding each to *started*."""
    for lab in plans:
        report(f"imaging lab: {len(lab.pcs)} PC(s) not installed yet (containers stopped); "
               f"boot server {lab.boot_server} at {lab.boot_address}")  # fmt: skip
        for target in lab.pcs:
            pcs.stop_pc(pcs.container_name(sim_id, target.name.lower()))
        started.append(start_lab(lab, workdir / "imaging" / lab.school))


def _minute_seconds() -> float:
    """How long an emulated minute lasts: ``SCHOOLTECH_SIM_MINUTE_SECONDS``, else ``SIM_MINUTE_SECONDS``."""
    text = os.environ.get(MINUTE_SECONDS_ENV, "").strip()
    if not text:
        return SIM_MINUTE_SECONDS
    try:
        value = float(text)
    except ValueError:
        value = 0.0
    if not value > 0:
        raise UsageError(f"{MINUTE_SECONDS_ENV}={text!r} is not a positive number of seconds",
                         f"for example {MINUTE_SECONDS_ENV}=3 (a 5-minute revert timer then lasts 15 s)")  # fmt: skip
    return value


def _private_file(path: Path, text: str) -> None:
    path.touch(mode=0o600)
    path.chmod(0o600)
    path.write_text(text)


def _switch_specs(plan: _Plan, workdir: Path, startup_configs: Mapping[str, str],
                  minute_seconds: float) -> list[SwitchSpec]:  # fmt: skip
    """The emulated switches' specs; records the service account's password and the canary secrets."""
    password = secrets.token_urlsafe(18)
    _private_file(workdir / "switch-password", password + "\n")
    canaries = generate_canaries()
    _private_file(workdir / "canary-secrets.json", json.dumps(canaries_json(canaries), indent=2) + "\n")
    specs: list[SwitchSpec] = []
    for code, school in plan.schools.items():
        names = {sw.name for sw in plan.switches if sw.school == code}
        specs += school_switch_specs(school, password=password, canaries=canaries, minute_seconds=minute_seconds,
                                     startup_configs=startup_configs, names=names)  # fmt: skip
    return specs


def _check_management_paths(farm: SwitchFarm, startup_configs: Mapping[str, str]) -> None:
    """Every emulated switch must be reachable when the simulation starts."""
    for name in sorted(farm.ports):
        status = farm.control.management_path(name)
        if status.intact:
            continue
        why = "; ".join(status.problems)
        if name in startup_configs:
            raise UsageError(f"--startup-config {name}: the switch would be unreachable: {why}",
                             "a switch's saved config keeps its management SVI, VLAN, uplink trunk and vty lines "
                             "(see docs/simulation.md)")  # fmt: skip
        raise SimulationError(f"emulated switch {name} booted unreachable: {why}",
                              "check its uplinks in the school file ('schooltech check')")  # fmt: skip


def _record_host_keys(ports: Sequence[int], known_hosts: Path) -> None:
    """Write the lab PCs' SSH host keys, so that Ansible can check them strictly from the first login."""

    def scan(port: int) -> list[str]:
        result = run_host_command(["ssh-keyscan", "-T", "5", "-t", "ed25519", "-p", str(port), LOOPBACK],
                                  what="read the lab PCs' SSH host keys")  # fmt: skip
        return [line for line in result.stdout.splitlines() if line and not line.startswith("#")]

    with ThreadPoolExecutor(max_workers=8) as pool:
        lines = [line for found in pool.map(scan, ports) for line in found]
    if len(lines) < len(ports):
        raise SimulationError(f"read {len(lines)} SSH host keys from {len(ports)} lab PCs",
                              "a lab PC's sshd did not answer ssh-keyscan; try 'schooltech sim up' again")  # fmt: skip
    known_hosts.write_text("\n".join(lines) + "\n")


def _write_overrides(simulation: Simulation, school_files: Mapping[str, Path], private_key: Path,
                     workdir: Path, minute_seconds: float) -> tuple[str, ...]:
    """One ``.schooltech-sim.yml`` per directory holding simulated school files."""
    by_dir: dict[Path, dict[str, Any]] = {}
    for code, path in school_files.items():
        by_dir.setdefault(path.parent, {})[code] = {
            "devices": {h.name: {"host": LOOPBACK, "port": h.port} for h in simulation.pcs if h.school == code},
            "switches": {h.name: {"host": LOOPBACK, "port": h.port} for h in simulation.switches if h.school == code},
        }
        by_dir[path.parent][code].update(_layer_node(simulation, code))
    written = []
    for directory, schools in by_dir.items():
        document = {
            "schooltech_sim": 1,
            "simulation": simulation.sim_id,
            "started": simulation.started,
            "connection": {
                "ssh_user": ADMIN_USER,
                "ssh_private_key": str(private_key),
                "ssh_known_hosts": str(workdir / "known_hosts"),
                "switch_username": SWITCH_USERNAME,
                "switch_password_file": str(workdir / "switch-password"),
                "switch_known_hosts": str(simulation.switch_known_hosts),
                "switch_minute_seconds": minute_seconds,
            },
            "schools": schools,
        }
        path = directory / SIM_OVERRIDE_NAME
        header = (f"# Written by 'schooltech sim up' ({simulation.sim_id}); removed by 'schooltech sim down'.\n"
                  "# While this file exists, the schools below run against their simulation on 127.0.0.1.\n")
        path.write_text(header + yaml.safe_dump(document, sort_keys=False))
        written.append(str(path))
    return tuple(written)


def _layer_node(simulation: Simulation, school: str) -> dict[str, Any]:
    """The ``execution_node`` entry of *school* in the simulation layer: only with ``execution_node``."""
    found = [h for h in simulation.nodes if h.school == school and h.host_key]
    if not simulation.execution_node or not found:
        return {}
    return {"execution_node": node.layer_entry(found[0].port, str(found[0].host_key))}


def use_execution_node(enabled: bool) -> Simulation:
    """Send every lab job of the simulated schools to their execution node (*enabled*), or run them here.

    Rewrites the simulation layers (the rest of each layer is kept) and the recorded simulation.
    """
    with _locked("sim up --execution-node"):
        simulation = current()
        if simulation is None:
            raise UsageError("no simulation is running", "start one with 'schooltech sim up'")
        return _with_execution_node(simulation, enabled)


def _with_execution_node(simulation: Simulation, enabled: bool) -> Simulation:
    if simulation.execution_node == enabled:
        return simulation
    changed = replace(simulation, execution_node=enabled)
    for layer in map(Path, simulation.overrides):
        text = layer.read_text()
        header = "".join(line for line in text.splitlines(keepends=True) if line.startswith("#"))
        document = yaml.safe_load(text)
        for code, entry in document["schools"].items():
            entry.pop("execution_node", None)
            entry.update(_layer_node(changed, code))
        layer.write_text(header + yaml.safe_dump(document, sort_keys=False))
    (_sim_root() / "state.json").write_text(json.dumps(asdict(changed), indent=2))
    return changed


def status() -> SimulationStatus:
    """The recorded simulation and what is actually running."""
    simulation = current()
    if simulation is None:
        return SimulationStatus(None)
    containers = {c.container: c for role in ("pc", "node") for c in pcs.status(simulation.sim_id, role)} if (
        simulation.pcs) else {}  # fmt: skip
    farm_running = simulation.farm_pid is not None and is_emulator(simulation.farm_pid)
    states = []
    for host in simulation.hosts:
        if host.kind in ("pc", "node"):
            found = containers.get(simulation.container(host.name))
            state = "missing" if found is None else ("running" if found.running else "stopped")
            if state == "stopped" and host.imaged and not simulation.handed_over_marker(host.name).exists():
                state = "not installed"
        else:
            state = "running" if farm_running else "stopped"
        states.append(HostState(host.name, host.kind, host.port, state))
    stale = tuple(path for path in simulation.overrides if not Path(path).exists())
    labs = tuple(lab_status(record) for record in simulation.labs)
    return SimulationStatus(simulation, tuple(states), farm_running, stale, labs)


def down(inventory: Path | None = None) -> DownResult:
    """Stop the simulation and remove its containers, switches, state and simulation layers.

    With *inventory*, also remove simulation layers found there that no recorded
    simulation owns (left by a machine restart, say).
    """
    with _locked("sim down"):
        simulation = current()
        result = _down(simulation) if simulation else DownResult(None, 0, False)
        strays = []
        if inventory is not None and inventory.exists():
            root = inventory if inventory.is_dir() else inventory.parent
            for path in root.rglob(SIM_OVERRIDE_NAME):
                path.unlink()
                strays.append(str(path))
        return DownResult(result.sim_id, result.containers_removed, result.switches_stopped,
                          result.overrides_removed + tuple(strays), result.labs_stopped)


def _down(simulation: Simulation) -> DownResult:
    for record in simulation.labs:  # first: its VMs and services must not outlive the state that names them
        stop_lab(record)
    removed_overrides = []
    for path in simulation.overrides:
        with contextlib.suppress(FileNotFoundError):
            Path(path).unlink()
            removed_overrides.append(path)
    stopped = stop_detached(simulation.farm_pid) if simulation.farm_pid is not None else False
    containers = pcs.stop_pcs(simulation.sim_id) if simulation.pcs else 0
    shutil.rmtree(simulation.workdir, ignore_errors=True)
    (_sim_root() / "state.json").unlink(missing_ok=True)
    return DownResult(simulation.sim_id, containers, stopped, tuple(removed_overrides), len(simulation.labs))


def publish(name: str, version: str) -> dict[str, str]:
    """A new release arrives in the running simulation's school repository: offer *version* of *name*.

    Returns what the repository offers now (package -> version).
    """
    simulation = current()
    if simulation is None:
        raise UsageError("no simulation is running", "start one with 'schooltech sim up'")
    with _locked(f"publishing {name} {version} to the simulation's repository"):
        return aptrepo.publish(simulation.repo_dir, name, version)


def stop_pc(simulation: Simulation, pc: str) -> None:
    """Failure injection: the PC goes dark (its container stops)."""
    pcs.stop_pc(simulation.container(pc))


def start_pc(simulation: Simulation, pc: str) -> None:
    pcs.start_pc(simulation.container(pc))


def installed_pc_ready(simulation: Simulation, pc: str) -> None:
    """The imaged PC *pc* was installed: its container (re)starts and plays the installed OS (SSH answers)."""
    host = next((h for h in simulation.pcs if h.name == pc), None)
    if host is None or not host.imaged:
        imaged = ", ".join(h.name for h in simulation.pcs if h.imaged) or "none"
        raise UsageError(f"{pc} is not an imaged PC of simulation {simulation.sim_id}", f"imaged PCs: {imaged}")
    pcs.stop_pc(simulation.container(pc))  # a fresh boot of the freshly installed system
    pcs.start_pc(simulation.container(pc))
    marker = simulation.handed_over_marker(pc)
    marker.parent.mkdir(parents=True, exist_ok=True)
    marker.touch()


def kill_node(simulation: Simulation, school: str) -> None:
    """Failure injection: *school*'s execution node dies at once (``podman kill``), mid-job if one runs."""
    container = simulation.container(simulation.node(school).name)
    run_host_command(["podman", "kill", container], what=f"kill {container}")


def start_node(simulation: Simulation, school: str) -> None:
    """*school*'s execution node runs again (same port, host key and installed software); returns once SSH answers."""
    pcs.start_pc(simulation.container(simulation.node(school).name))


def break_package_manager(simulation: Simulation, pc: str) -> None:
    """Failure injection: apt-get install fails on this PC until repaired."""
    pcs.break_package_manager(simulation.container(pc))


def repair_package_manager(simulation: Simulation, pc: str) -> None:
    pcs.repair_package_manager(simulation.container(pc))

"""The lab's isolated Ethernet segment: network namespaces named per run, one bridge, veth ports.

Every interface lives inside the run's namespaces; the host's own interfaces are never
touched and the segment has no route out (no NAT, no uplink)::

    stlab-<run>-lan     br0, the "switch"; tap0..tapN (one per VM); rt0, bs0, pr0 (ports)
    stlab-<run>-router  eth0 (peer of rt0): the school router's address
    stlab-<run>-boot    eth0 (peer of bs0): the boot server's address
    stlab-<run>-probe   eth0 (peer of pr0): a client port for tests (a DHCP probe)

``<run>`` is ``<pid of the owning process>-<4 hex digits>``: two runs never share a name, and
:func:`remove_orphans` can tell a crashed run (owner gone) from a live one of someone else.
Removing a run kills every process still inside its namespaces, then deletes them.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import secrets
import signal
from dataclasses import dataclass, field
from ipaddress import IPv4Address, IPv4Network, IPv6Network

from schooltech_fleet.errors import SimulationError
from schooltech_fleet.sim.prereqs import run_host_command

PREFIX = "stlab-"
BRIDGE = "br0"
#: bridge port -> namespace role whose eth0 is its peer
_PORTS = {"rt0": "router", "bs0": "boot", "pr0": "probe"}
ROLES = ("lan", "router", "boot", "probe")
_SUBNET = IPv4Network("10.77.0.0/24")


@dataclass(frozen=True)
class Addressing:
    """The segment's IPv4 plan (and the IPv6 prefix the router advertises, if any).

    Without router advertisements iPXE waits about 15 s for IPv6 autoconfiguration on every
    boot, as it does on an IPv4-only school network; ``ipv6_prefix=None`` reproduces that.
    """

    subnet: IPv4Network = _SUBNET
    router: IPv4Address = _SUBNET[1]
    boot_server: IPv4Address = _SUBNET[2]
    probe: IPv4Address = _SUBNET[250]
    pool_start: IPv4Address = _SUBNET[100]
    pool_end: IPv4Address = _SUBNET[199]
    ipv6_prefix: IPv6Network | None = field(default_factory=lambda: IPv6Network("fd77::/64"))

    def __post_init__(self) -> None:
        for name in ("router", "boot_server", "probe", "pool_start", "pool_end"):
            address = getattr(self, name)
            if address not in self.subnet or address in (self.subnet.network_address, self.subnet.broadcast_address):
                raise SimulationError(f"lab addressing: {name} {address} is not a host address of {self.subnet}")
        if self.pool_start > self.pool_end:
            raise SimulationError(f"lab addressing: pool {self.pool_start}-{self.pool_end} is empty")
        fixed = {self.router, self.boot_server, self.probe}
        if len(fixed) < 3 or any(self.pool_start <= address <= self.pool_end for address in fixed):
            raise SimulationError(
                "lab addressing: router, boot server and probe need distinct addresses outside the DHCP pool"
            )

    @property
    def prefix_length(self) -> int:
        return self.subnet.prefixlen

    @property
    def broadcast(self) -> IPv4Address:
        return self.subnet.broadcast_address


@dataclass(frozen=True)
class Namespaces:
    """The names of one run's namespaces."""

    run_id: str

    def name(self, role: str) -> str:
        """``stlab-<run>-<role>`` for role lan, router, boot or probe."""
        if role not in ROLES:
            raise SimulationError(f"no lab namespace role {role!r} (known: {', '.join(ROLES)})")
        return f"{PREFIX}{self.run_id}-{role}"

    @property
    def all(self) -> tuple[str, ...]:
        return tuple(self.name(role) for role in ROLES)


_RUNS_STARTED = itertools.count()


def new_run_id(owner: int | None = None) -> str:
    """A fresh run id owned by process *owner* (this one by default).

    The owner's pid (orphans are found by it), a count unique within this process, a random tail.
    """
    return f"{owner or os.getpid()}-{next(_RUNS_STARTED)}{secrets.token_hex(2)}"


def tap_name(index: int) -> str:
    """The tap of the VM at *index* (inside the lan namespace, so short names never collide)."""
    return f"tap{index}"


def in_namespace(namespace: str, argv: list[str]) -> list[str]:
    """*argv* run inside *namespace*."""
    return ["ip", "netns", "exec", namespace, *argv]


def create(namespaces: Namespaces, addressing: Addressing, taps: int) -> None:
    """Create the namespaces, the bridge, its ports and *taps* taps; remove everything again on failure."""
    try:
        _create(namespaces, addressing, taps)
    except BaseException:
        remove(namespaces.run_id)
        raise


def _create(namespaces: Namespaces, addressing: Addressing, taps: int) -> None:
    lan = namespaces.name("lan")
    for namespace in namespaces.all:
        _ip(["netns", "add", namespace], f"create network namespace {namespace}")
        _ip(["-n", namespace, "link", "set", "lo", "up"], f"bring up lo in {namespace}")
    # no STP: a lab switch forwards at once (a PC's PXE ROM would time out during STP learning)
    bridge = ["link", "add", BRIDGE, "type", "bridge", "stp_state", "0", "forward_delay", "0"]
    _ip(["-n", lan, *bridge], "create the bridge")
    _ip(["-n", lan, "link", "set", BRIDGE, "up"], "bring up the bridge")
    hosts = {"router": addressing.router, "boot": addressing.boot_server, "probe": addressing.probe}
    for port, role in _PORTS.items():
        peer_ns = namespaces.name(role)
        veth = ["link", "add", port, "type", "veth", "peer", "name", "eth0", "netns", peer_ns]
        _ip(["-n", lan, *veth], f"create {port}")
        _ip(["-n", lan, "link", "set", port, "master", BRIDGE, "up"], f"attach {port} to the bridge")
        address = f"{hosts[role]}/{addressing.prefix_length}"
        _ip(["-n", peer_ns, "addr", "add", address, "dev", "eth0"], f"address {role}")
        _ip(["-n", peer_ns, "link", "set", "eth0", "up"], f"bring up eth0 in {peer_ns}")
    if addressing.ipv6_prefix is not None:
        router_v6 = f"{addressing.ipv6_prefix[1]}/{addressing.ipv6_prefix.prefixlen}"
        router_ns = namespaces.name("router")
        _ip(["-n", router_ns, "addr", "add", router_v6, "dev", "eth0", "nodad"], "address the router (IPv6)")
    for index in range(taps):
        tap = tap_name(index)
        _ip(["-n", lan, "tuntap", "add", tap, "mode", "tap"], f"create {tap}")
        _ip(["-n", lan, "link", "set", tap, "master", BRIDGE, "up"], f"attach {tap} to the bridge")


def remove(run_id: str) -> None:
    """Kill every process inside the run's namespaces and delete them (missing ones are fine)."""
    existing = set(list_namespaces())
    for namespace in Namespaces(run_id).all:
        if namespace not in existing:
            continue
        for pid in _pids_in(namespace):
            _kill(pid)
        run_host_command(["ip", "netns", "del", namespace], what=f"delete network namespace {namespace}", check=False)


def remove_orphans() -> list[str]:
    """Remove the runs whose owning process has exited (a crashed test session); return their ids."""
    orphans = sorted({run for run in _run_ids() if not _owner_alive(run)})
    for run in orphans:
        remove(run)
    return orphans


def list_namespaces() -> list[str]:
    """Every lab namespace on this host (``stlab-*``)."""
    result = run_host_command(["ip", "netns", "list"], what="list network namespaces")
    names = [line.split()[0] for line in result.stdout.splitlines() if line.strip()]
    return [name for name in names if name.startswith(PREFIX)]


def _run_ids() -> set[str]:
    runs = set()
    for name in list_namespaces():
        run, _, role = name[len(PREFIX):].rpartition("-")
        if role in ROLES and run:
            runs.add(run)
    return runs


def _owner_alive(run_id: str) -> bool:
    pid = run_id.split("-", 1)[0]
    return pid.isdigit() and os.path.exists(f"/proc/{pid}")


def _pids_in(namespace: str) -> list[int]:
    result = run_host_command(["ip", "netns", "pids", namespace], what=f"list processes in {namespace}", check=False)
    return [int(word) for word in result.stdout.split() if word.isdigit()]


def _kill(pid: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGKILL)


def _ip(args: list[str], what: str) -> None:
    run_host_command(["ip", *args], what=what, timeout=30)

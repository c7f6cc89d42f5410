"""The audit comparison: what the inventory declares against what was found on the wire.

Pure and fast (dictionary look-ups only: 30,000 x 30,000 devices in well under a second).

1. **Identity.** Each PC that answered is matched to one declared device, in three passes
   over all PCs, each pass only among devices still unmatched: the same **serial and MAC**;
   else the same **MAC** (any of the PC's); else the same **name** (the inventory name it
   was reached by, then the name it gives itself). A PC so matched *is* that asset: a name
   that differs is a **renamed** finding, never a missing device plus an unknown one.
2. **Seen.** A declared device is seen if its PC answered or its MAC (declared, or one its
   PC reported) is in any switch's MAC table, uplinks included.
3. **Classes.** *missing*: declared, not seen. *unknown*: a MAC on an access port that no
   declared device has (and a PC that answered but matches nothing). *moved*: a device's MAC
   on a port of another room. *mismatch*: serial, MAC, model, RAM or disk differs.
   *renamed*: see 1. Sightings on uplinks and access-point ports come from devices behind
   them and are never unknown or moved by themselves.
4. **Not checked.** A switch whose table could not be read checks nothing: the devices of
   its rooms that were not otherwise seen are *not checked* rather than missing, and so is
   an unmanaged device without a declared MAC (nothing can see it). A managed PC seen on a
   switch but not reached over SSH is seen, and its hardware is *not checked*.

The model rule: every word of the declared model appears, case-insensitively, among the
words of the vendor and model the PC reports ("Dell OptiPlex 7010 SFF" matches "Dell Inc.
OptiPlex 7010 SFF"). RAM and the largest disk match within 10%: an operating system reports
less memory than is installed, and disk makers count in 10^9 bytes.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from enum import StrEnum
from typing import Any

from .declared import DeclaredDevice, DeclaredPort, DeclaredSchool
from .discovery import DiscoveredPc, Discovery, MacSighting

TOLERANCE = 0.10
"""How far reported RAM or disk size may be from the declared size, as a fraction of it."""


class FindingClass(StrEnum):
    MISSING = "missing"
    UNKNOWN = "unknown"
    MOVED = "moved"
    MISMATCH = "mismatch"
    RENAMED = "renamed"


_ORDER = {kind: n for n, kind in enumerate(FindingClass)}
_UNANSWERED = "on a switch port, but not reached over SSH: its serial, model, RAM and disk were not compared"


@dataclass(frozen=True)
class AuditFinding:
    """One difference between the records and reality."""

    kind: FindingClass
    device: str  # the declared name; for an unknown device, its MAC (or the name it was reached by)
    room: str | None  # the declared room; for an unknown device, the room of the port it is on
    expected: str
    found: str
    hint: str
    field: str | None = None  # a mismatch's field: serial, mac, model, ram or disk
    switch: str | None = None  # where it was seen, when a switch saw it
    port: int | None = None
    interface: str | None = None


@dataclass(frozen=True)
class NotChecked:
    """A device or switch the audit could not check, and why."""

    name: str
    room: str | None
    reason: str


@dataclass(frozen=True)
class AuditResult:
    """The outcome of comparing one school's inventory with one discovery."""

    school: str
    rooms: tuple[str, ...]  # the rooms audited
    all_rooms: bool  # no room was asked for: the whole school (ports of no room included)
    collected: str  # when the discovery was collected (ISO 8601 UTC)
    declared: int  # devices audited
    seen: int  # of those, how many were seen
    findings: tuple[AuditFinding, ...]
    not_checked: tuple[NotChecked, ...]

    def count(self, kind: FindingClass) -> int:
        return sum(1 for finding in self.findings if finding.kind is kind)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def model_matches(declared: str, vendor: str | None, model: str | None) -> bool:
    """Every word of *declared* is among the words of *vendor* and *model* (case-insensitive)."""
    found = set(f"{vendor or ''} {model or ''}".casefold().split())
    return all(word in found for word in declared.casefold().split())


def within(found: float, expected: int) -> bool:
    return abs(found - expected) <= TOLERANCE * expected


def _short(hostname: str) -> str:
    return hostname.split(".", 1)[0].casefold()


def _serial(text: str | None) -> str | None:
    return text.strip().upper() or None if text else None


def _where(sighting: MacSighting) -> str:
    return f"{sighting.switch} port {sighting.port} ({sighting.interface})"


class _Comparison:
    """One audit's working state: indexes of the declared side, matches and findings as they are made."""

    def __init__(self, declared: DeclaredSchool, discovery: Discovery) -> None:
        self.declared = declared
        self.discovery = discovery
        self.scope = set(declared.rooms)
        self.findings: list[AuditFinding] = []
        self.not_checked: list[NotChecked] = []
        self.matched: dict[str, DiscoveredPc] = {}  # declared name -> the PC that is it
        self.sightings: dict[str, list[MacSighting]] = defaultdict(list)
        for sighting in discovery.sightings:
            self.sightings[sighting.mac].append(sighting)
        self.switches_of: dict[str, set[str]] = defaultdict(set)  # room -> the switches with its ports
        for port in declared.ports:
            if port.room is not None:
                self.switches_of[port.room].add(port.switch)

    def run(self) -> AuditResult:
        strangers = self.identify()
        owner = self.owners()
        in_scope = [d for d in self.declared.devices if d.room in self.scope]
        seen = 0
        for device in in_scope:
            pc = self.matched.get(device.name)
            if pc is not None:
                self.compare(device, pc)
            if pc is not None or any(mac in self.sightings for mac in self.macs_of(device)):
                seen += 1
                if pc is None and device.managed:
                    self.not_checked.append(NotChecked(device.name, device.room, _UNANSWERED))
            else:
                self.absent(device)
        self.moved(owner)
        self.unknown(owner, strangers)
        for switch in self.discovery.unreachable_switches:
            self.not_checked.append(NotChecked(switch, None, "its MAC table could not be read: "
                                               "its ports were not checked for unknown or moved devices"))  # fmt: skip
        findings = sorted(self.findings, key=lambda f: (_ORDER[f.kind], f.room or "", f.device, f.field or ""))
        return AuditResult(self.declared.school, self.declared.rooms, self.declared.whole_school,
                           self.discovery.collected, len(in_scope), seen, tuple(findings),
                           tuple(self.not_checked))  # fmt: skip

    # -- identity ------------------------------------------------------------------------------------------

    def identify(self) -> list[DiscoveredPc]:
        """Match PCs to declared devices (serial+MAC, then MAC, then name); the PCs that match nothing."""
        devices = self.declared.devices
        by_serial_mac = {(_serial(d.serial), d.mac): d for d in reversed(devices) if d.serial and d.mac}
        by_mac = {d.mac: d for d in reversed(devices) if d.mac}
        by_name = {d.name.casefold(): d for d in reversed(devices)}
        pending = list(self.discovery.pcs)

        def serial_and_mac(pc: DiscoveredPc) -> Iterable[DeclaredDevice | None]:
            return (by_serial_mac.get((_serial(pc.serial), mac)) for mac in pc.macs) if pc.serial else ()

        def mac(pc: DiscoveredPc) -> Iterable[DeclaredDevice | None]:
            return (by_mac.get(mac) for mac in pc.macs)

        def name(pc: DiscoveredPc) -> Iterable[DeclaredDevice | None]:
            return (by_name.get(name) for name in (pc.host.casefold(), _short(pc.hostname)))

        for candidates in (serial_and_mac, mac, name):
            left = []
            for pc in pending:
                device = next((d for d in candidates(pc) if d is not None and d.name not in self.matched), None)
                if device is None:
                    left.append(pc)
                else:
                    self.matched[device.name] = pc
            pending = left
        return pending

    def owners(self) -> dict[str, DeclaredDevice]:
        """Every MAC a declared device has: its declared one and those its PC reported."""
        owner = {d.mac: d for d in reversed(self.declared.devices) if d.mac}
        devices = {d.name: d for d in self.declared.devices}
        for name, pc in self.matched.items():
            for mac in pc.macs:
                owner.setdefault(mac, devices[name])
        return owner

    def macs_of(self, device: DeclaredDevice) -> Iterable[str]:
        if device.mac:
            yield device.mac
        pc = self.matched.get(device.name)
        if pc is not None:
            yield from pc.macs

    # -- the classes ---------------------------------------------------------------------------------------

    def compare(self, device: DeclaredDevice, pc: DiscoveredPc) -> None:
        """Renamed and mismatch findings of a device whose PC answered."""
        add = self.findings.append
        fix_record = f"correct the record of {device.name} in the school file"
        if pc.host.casefold() != device.name.casefold():
            add(AuditFinding(FindingClass.RENAMED, device.name, device.room, f"named {device.name}",
                             f"recorded as {pc.host} when collected (same {self._how(device, pc)})",
                             "the record was renamed since this discovery; audit again to collect "
                             "under the new name"))  # fmt: skip
        elif _short(pc.hostname) != device.name.casefold():
            add(AuditFinding(FindingClass.RENAMED, device.name, device.room, f"hostname {device.name}",
                             f"the PC calls itself {pc.hostname} (same {self._how(device, pc)})",
                             "rebuild it or set its hostname to the inventory's name; if the new name is "
                             "right, rename the record"))  # fmt: skip
        if device.serial and pc.serial and _serial(device.serial) != _serial(pc.serial):
            add(AuditFinding(FindingClass.MISMATCH, device.name, device.room, f"serial {device.serial}",
                             f"serial {pc.serial}", f"a replaced board or a swapped PC? {fix_record}",
                             "serial"))  # fmt: skip
        if device.mac and pc.macs and device.mac not in pc.macs:
            add(AuditFinding(FindingClass.MISMATCH, device.name, device.room, f"MAC {device.mac}",
                             f"MAC {', '.join(pc.macs)}", f"a replaced network card? {fix_record}",
                             "mac"))  # fmt: skip
        if device.model and (pc.vendor or pc.model) and not model_matches(device.model, pc.vendor, pc.model):
            reported = " ".join(p for p in (pc.vendor, pc.model) if p)
            add(AuditFinding(FindingClass.MISMATCH, device.name, device.room, f"model {device.model}",
                             f"model {reported}", f"another PC in its place? {fix_record}", "model"))  # fmt: skip
        if device.ram_gb and pc.ram_mb and not within(pc.ram_mb / 1024, device.ram_gb):
            add(AuditFinding(FindingClass.MISMATCH, device.name, device.room, f"{device.ram_gb} GB RAM",
                             f"{pc.ram_mb / 1024:.1f} GB RAM", "memory removed or added? correct the PC or "
                             f"the ram_gb of model {device.model}", "ram"))  # fmt: skip
        if device.disk_gb and pc.disks:
            largest = max(pc.disks, key=lambda d: d.size_gb)
            if not within(largest.size_gb, device.disk_gb):
                add(AuditFinding(FindingClass.MISMATCH, device.name, device.room, f"{device.disk_gb} GB disk",
                                 f"{largest.size_gb} GB disk ({largest.name})", "a replaced disk? correct the "
                                 f"PC or the disk_gb of model {device.model}", "disk"))  # fmt: skip

    def _how(self, device: DeclaredDevice, pc: DiscoveredPc) -> str:
        if device.mac in pc.macs:
            return "serial and MAC" if device.serial and _serial(device.serial) == _serial(pc.serial) else "MAC"
        return "serial" if device.serial and _serial(device.serial) == _serial(pc.serial) else "name"

    def absent(self, device: DeclaredDevice) -> None:
        """A device neither reached nor on any switch: missing, or not checked if nothing could see it."""
        blind = sorted(self.switches_of.get(device.room, set()) & set(self.discovery.unreachable_switches))
        if blind:
            reason = f"not reached, and the MAC table of {', '.join(blind)} (its room's ports) could not be read"
            self.not_checked.append(NotChecked(device.name, device.room, reason))
            return
        if not device.managed and not device.mac:
            reason = "no MAC declared and not reachable over SSH: nothing can see it"
            self.not_checked.append(NotChecked(device.name, device.room, reason))
            return
        reached = "not reached over SSH, " if device.managed else ""
        if device.mac:
            found = f"{reached}MAC {device.mac} on no switch port"
            hint = "switched off, unplugged or gone? find it, or retire its record"
        else:
            found = f"{reached}no MAC declared to look for on the switches"
            hint = "switched off or gone? find it; declare its MAC so the switches can see it"
        self.findings.append(AuditFinding(FindingClass.MISSING, device.name, device.room,
                                          f"{device.role} in room {device.room}", found, hint))  # fmt: skip

    def _access(self, sighting: MacSighting) -> tuple[bool, DeclaredPort | None]:
        """Whether *sighting* is on an access port (a device plugged straight in), and what the port is declared as."""
        if sighting.uplink or sighting.port is None:
            return False, None
        port = self.declared.port(sighting.switch, sighting.port)
        return (port is None or not port.behind), port

    def moved(self, owner: dict[str, DeclaredDevice]) -> None:
        reported: set[tuple[str, str, int | None]] = set()
        for mac, sightings in self.sightings.items():
            device = owner.get(mac)
            if device is None:
                continue
            for sighting in sightings:
                access, port = self._access(sighting)
                if not access or port is None or port.room is None or port.room == device.room:
                    continue
                if device.room not in self.scope and port.room not in self.scope:
                    continue
                key = (device.name, sighting.switch, sighting.port)
                if key in reported:
                    continue
                reported.add(key)
                self.findings.append(AuditFinding(
                    FindingClass.MOVED, device.name, device.room, f"on a port of room {device.room}",
                    f"MAC {mac} on {_where(sighting)}, a port of room {port.room}",
                    f"plug it back in room {device.room}, or move its record to room {port.room}",
                    switch=sighting.switch, port=sighting.port, interface=sighting.interface,
                ))  # fmt: skip

    def unknown(self, owner: dict[str, DeclaredDevice], strangers: list[DiscoveredPc]) -> None:
        stranger_macs: dict[str, DiscoveredPc] = {mac: pc for pc in strangers for mac in pc.macs}
        for pc in strangers:
            seen = next((s for mac in pc.macs for s in self.sightings.get(mac, ()) if self._access(s)[0]), None)
            where = f", on {_where(seen)}" if seen else ""
            serial = f"serial {pc.serial}, " if pc.serial else ""
            on = self.declared.port(seen.switch, seen.port) if seen else None
            self.findings.append(AuditFinding(
                FindingClass.UNKNOWN, pc.host, on.room if on else None, "no device with its serial, MAC or name",
                f"PC {pc.hostname} ({serial}MAC {', '.join(pc.macs) or 'none'}){where}",
                "declare it in the school file (with its serial and MAC) or take it off the network",
                switch=seen.switch if seen else None, port=seen.port if seen else None,
                interface=seen.interface if seen else None,
            ))  # fmt: skip
        for mac, sightings in self.sightings.items():
            if mac in owner or mac in stranger_macs:
                continue
            for sighting in sightings:
                access, port = self._access(sighting)
                room = port.room if port else None
                if not access or (room not in self.scope and not self.declared.whole_school):
                    continue
                self.findings.append(AuditFinding(
                    FindingClass.UNKNOWN, mac, room, "no declared device with this MAC",
                    f"MAC {mac} on {_where(sighting)}, VLAN {sighting.vlan}"
                    + (f", a port of room {room}" if room else ""),
                    "find what is plugged in there: declare it (with its MAC) or unplug it",
                    switch=sighting.switch, port=sighting.port, interface=sighting.interface,
                ))  # fmt: skip
                break  # one finding per MAC: the first access port it was seen on

    def _rooms(self) -> int:
        return len({d.room for d in self.declared.devices} | {p.room for p in self.declared.ports if p.room})


def compare(declared: DeclaredSchool, discovery: Discovery) -> AuditResult:
    """Compare *declared* with *discovery* (see the module docstring for the rules)."""
    return _Comparison(declared, discovery).run()

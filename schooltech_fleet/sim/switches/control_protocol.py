"""The control channel: one JSON object per line over TCP on 127.0.0.1.

Request ``{"op": OP, "switch": NAME, ...}``; reply ``{"ok": true, "result": ...}`` or
``{"ok": false, "error": MESSAGE}``. Operations (parameters besides ``switch``):

=====================  =================  ===============================================
op                     parameters         result
=====================  =================  ===============================================
ping                   (no switch)        ``{name: ssh_port}``
running_config                            running-config text (``!`` ... ``end``)
saved_config                              what ``write memory`` last stored
set_running_config     ``text``           null; replaces the whole running-config
configure              ``text``           null; typed in config mode (merge)
reject                 ``pattern``        null; config lines matching the regex fail
drop_after             ``commands``       null; TCP reset after N more config commands
clear_faults                              null
reset                                     null; boot state (config, host key), faults
                                          and log cleared
command_log                               every command line received over SSH
disconnect                                number of SSH sessions aborted
management_path                           ``{"intact": bool, "problems": [why, ...]}``
                                          (see ``management.py``)
pending_revert                            null, or ``{"archive", "minutes",
                                          "seconds_left"}`` of the Rollback Confirmed
                                          Change waiting for ``configure confirm``
expire_revert                             the archive restored: the pending revert
                                          fires now
confirm_revert                            null; the pending revert is confirmed (as
                                          ``configure confirm`` typed at the console)
hold                   ``pattern``,       null; the (``skip``+1)-th next line received over
                       ``skip`` (opt.)    SSH that matches gets no answer until released
held                                      the line being held, or null
release                                   the line released (then run), or null
host_key                                  the SSH host public key (``ssh-ed25519 AAAA...``)
replace_host_key       ``private_key``    the new public key; ``private_key`` (OpenSSH
                       (optional)         text) or a generated one serves the next
                                          connections (a replaced switch, or a
                                          man-in-the-middle); open sessions stay
mac_table                                 ``[[vlan|null, mac, type, port], ...]``: what
                                          ``show mac address-table`` lists (``mac_table.py``)
stations                                  ``[{mac, interface, vlan, label}, ...]`` plugged
                                          into this switch
plug                   ``mac``,           whether the port is up (a shut port learns
                                          nothing); a device plugged into ``interface`` here
                       ``interface``,     (removed from wherever else it was: a moved PC
                       ``vlan`` (opt.),   keeps its VLAN and label unless given, a new one
                       ``label`` (opt.)   gets VLAN 1); every switch's table follows
unplug                 ``mac``            the station removed from this switch
=====================  =================  ===============================================

``SwitchControl`` (``control_client.py``) has a method of the same name for each operation,
taking the switch name first: ``management_path`` returns a ``PathStatus(intact,
problems)``, ``pending_revert`` a ``PendingRevert(archive, minutes, seconds_left)`` or None,
``expire_revert`` the archive restored, ``host_key`` and ``replace_host_key(switch,
private_key=None)`` the public key line, ``mac_table`` a list of ``MacEntry``, ``stations`` a
list of ``Station``, ``plug(switch, mac, interface, vlan=None, label=None)``,
``unplug(switch, mac)`` the ``Station`` removed.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from typing import Any

from schooltech_fleet.errors import FleetError
from schooltech_fleet.sim.switches.faults import FaultState
from schooltech_fleet.sim.switches.mac_table import Station, dotted_mac, entries
from schooltech_fleet.sim.switches.switch import EmulatedSwitch

MAX_LINE = 64 * 1024 * 1024
MAX_VLAN = 4094


class ControlRequestError(FleetError):
    """A control request that cannot be served (bad operation, switch or parameter)."""


def handle_request(switches: Mapping[str, EmulatedSwitch], ports: Mapping[str, int], raw: bytes) -> bytes:
    """Serve one request line and return the reply line (without the newline)."""
    try:
        request = json.loads(raw)
        if not isinstance(request, dict):
            raise ControlRequestError("a request must be a JSON object")
        reply: dict[str, Any] = {"ok": True, "result": _dispatch(switches, ports, request)}
    except FleetError as error:
        reply = {"ok": False, "error": error.message}
    except (ValueError, TypeError, KeyError, re.error) as error:
        reply = {"ok": False, "error": f"bad request: {error}"}
    return json.dumps(reply).encode()


def _dispatch(switches: Mapping[str, EmulatedSwitch], ports: Mapping[str, int], request: dict[str, Any]) -> Any:
    op = request.get("op")
    if op == "ping":
        return dict(ports)
    if op not in _OPERATIONS:
        raise ControlRequestError(f"unknown operation {op!r}")
    name = str(request.get("switch"))
    if name not in switches:
        raise ControlRequestError(f"no emulated switch named {name!r}")
    return _OPERATIONS[op](switches[name], request)


def _reject(switch: EmulatedSwitch, request: dict[str, Any]) -> None:
    switch.faults.rejected.append(re.compile(str(request["pattern"])))


def _drop_after(switch: EmulatedSwitch, request: dict[str, Any]) -> None:
    commands = request["commands"]
    if not isinstance(commands, int) or commands < 0:
        raise ControlRequestError("drop_after needs a non-negative integer 'commands'")
    switch.faults.drop_after = commands


def _management_path(switch: EmulatedSwitch) -> dict[str, Any]:
    problems = switch.management_path()
    return {"intact": not problems, "problems": problems}


def _pending_revert(switch: EmulatedSwitch) -> dict[str, Any] | None:
    pending = switch.rollback.pending
    if pending is None:
        return None
    return {"archive": pending.archive.name, "minutes": pending.minutes, "seconds_left": switch.rollback.seconds_left()}


def _expire_revert(switch: EmulatedSwitch) -> str:
    if switch.rollback.pending is None:
        raise ControlRequestError(f"no Rollback Confirmed Change is pending on {switch.spec.name}")
    return switch.rollback.revert()


def _confirm_revert(switch: EmulatedSwitch) -> None:
    if switch.rollback.pending is None:
        raise ControlRequestError(f"no Rollback Confirmed Change is pending on {switch.spec.name}")
    switch.rollback.confirm("console")


def _hold(switch: EmulatedSwitch, request: dict[str, Any]) -> None:
    skip = request.get("skip", 0)
    if not isinstance(skip, int) or skip < 0:
        raise ControlRequestError("hold needs a non-negative integer 'skip'")
    switch.faults.hold, switch.faults.hold_skip = re.compile(str(request["pattern"])), skip


def _release(switch: EmulatedSwitch) -> str | None:
    held, switch.faults.held = switch.faults.held, None
    if held is None:
        return None
    session, line = held
    session.process(line)
    return str(line).strip()


def _plug(switch: EmulatedSwitch, request: dict[str, Any]) -> bool:
    mac = dotted_mac(str(request["mac"]))
    before = next((s.stations[mac] for s in switch.fabric.switches.values() if mac in s.stations), None)
    vlan, label = request.get("vlan"), request.get("label")
    if vlan is not None and (not isinstance(vlan, int) or not 1 <= vlan <= MAX_VLAN):
        raise ControlRequestError("plug needs a VLAN id from 1 to 4094 as 'vlan'")
    switch.plug(Station(mac, str(request["interface"]),
                        vlan if vlan is not None else (before.vlan if before else 1),
                        str(label) if label is not None else (before.label if before else "")))  # fmt: skip
    return not switch.state.ports[str(request["interface"])].shutdown


def _clear_faults(switch: EmulatedSwitch, request: dict[str, Any]) -> None:
    switch.faults = FaultState()


_OPERATIONS: dict[str, Callable[[EmulatedSwitch, dict[str, Any]], Any]] = {
    "running_config": lambda switch, _: switch.running_config(),
    "saved_config": lambda switch, _: switch.saved_config,
    "set_running_config": lambda switch, request: switch.replace_running_config(str(request["text"])),
    "configure": lambda switch, request: switch.merge_config(str(request["text"])),
    "reject": _reject,
    "drop_after": _drop_after,
    "clear_faults": _clear_faults,
    "reset": lambda switch, _: switch.reset(),
    "command_log": lambda switch, _: list(switch.command_log),
    "disconnect": lambda switch, _: switch.disconnect(),
    "management_path": lambda switch, _: _management_path(switch),
    "pending_revert": lambda switch, _: _pending_revert(switch),
    "expire_revert": lambda switch, _: _expire_revert(switch),
    "confirm_revert": lambda switch, _: _confirm_revert(switch),
    "hold": _hold,
    "held": lambda switch, _: switch.faults.held[1].strip() if switch.faults.held else None,
    "release": lambda switch, _: _release(switch),
    "host_key": lambda switch, _: switch.host_key_line,
    "replace_host_key": lambda switch, request: switch.replace_host_key(request.get("private_key")),
    "mac_table": lambda switch, _: [[e.vlan, e.mac, e.kind, e.port] for e in entries(switch)],
    "stations": lambda switch, _: [vars(station) for station in switch.stations.values()],
    "plug": _plug,
    "unplug": lambda switch, request: vars(switch.unplug(str(request["mac"]))),
}

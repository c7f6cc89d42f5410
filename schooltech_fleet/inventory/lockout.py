"""The lock-out guard: nothing a school file declares may cut schooltech's own session to a switch.

schooltech reaches each switch in-band, over the management VLAN, along the chain of
uplinks from the router (:mod:`.topology`). A push makes every switch exactly what the
school file says, so on that chain:

- a port the file does not declare as an uplink is rendered as an unused port: an
  access port in the default VLAN, and shut with ``unused_ports: shutdown``
  (``leave`` skips only the shutdown: the port still drops out of trunk mode, and
  the management VLAN with it);
- an uplink whose ``vlans`` leave out the management VLAN prunes it;
- a management VLAN without subnet or gateway takes the switch's address or its
  route back to schooltech away.

A management VLAN with id 1 is a warning: it works (the switch is managed on
``interface Vlan1``), but every undeclared port lands in the management network.

Each cuts the session to the switch, and to every switch behind it, in the middle of
a push, with nobody on site to plug in a console cable. Paths are errors; a pruned
or undeclared link that carries no session today is a warning (it would, were the
path to fail over to it).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from .findings import Severity
from .model import Switch, Uplink
from .problems import Problem
from .school import LoadedSchool
from .topology import ManagementPath, behind, management_paths

ROUTER_UPLINK = "- {port: 28, description: to the school router}"


def lockout(school: LoadedSchool, today: dt.date) -> Iterator[Problem]:
    """Every declaration that would cut schooltech's session to one of the school's switches."""
    switches = school.model.switches
    if not switches:
        return
    paths = management_paths(switches)
    yield from _management_vlan(school)
    yield from _unreached(school, paths)
    yield from _one_sided_links(school, paths)
    yield from _pruned_uplinks(school, paths)


def _management_vlan(school: LoadedSchool) -> Iterator[Problem]:
    management = school.vlans.get("management")
    if management is None or management.id is None:
        return  # no VLAN to check (a VLAN without id is reported by the VLAN plan)
    declared = "management" in school.model.vlans
    where = ("vlans", "management") if declared else ("switches",)
    if management.subnet is None:
        yield Problem(where, "lockout", "VLAN 'management' has no subnet: the switches would be rendered without a "
                      "management address, and a push would remove the address schooltech connects to",
                      "add subnet: to vlans.management (the subnet of the switches' mgmt_ip)",
                      at_key=not declared)  # fmt: skip
    elif management.gateway is None:
        yield Problem(where, "lockout", "VLAN 'management' has no gateway: a push would remove the switches' default "
                      "gateway, and schooltech's session, which reaches them through the router, would be cut",
                      f"add gateway: to vlans.management (the router's address in {management.subnet})",
                      at_key=not declared)  # fmt: skip
    if management.id == 1:
        yield Problem(
            ("vlans", "management", "id") if declared else ("switches",),
            "lockout",
            "VLAN 'management' has id 1, the switches' default VLAN: every port not given another VLAN (an unused "
            "port left up, a device plugged in before it is declared) lands in the management network",
            "give the management VLAN an id of its own (the profiles use 99); moving a switch's management "
            "address is a management change: from the console, or 'net push --allow-management-change --reason'",
            Severity.WARNING,
            at_key=not declared,
        )


def _unreached(school: LoadedSchool, paths: dict[str, ManagementPath]) -> Iterator[Problem]:
    switches = school.model.switches
    if not any(path.root for path in paths.values()):
        names = ", ".join(switch.name for switch in switches)
        how = _rendered_unused({_unused_policy(school, s) for s in range(len(switches))})
        yield Problem(("switches",), "lockout",
                      f"no uplink leads to the router (an uplink without to:): schooltech cannot tell which port "
                      f"carries its session to {names}, and a push would render that port as an unused port ({how})",
                      f"give the switch that connects to the router an uplink without to:, such as {ROUTER_UPLINK}",
                      at_key=True)  # fmt: skip
        return
    for s, switch in enumerate(switches):
        if not paths[switch.name].reached:
            how = _rendered_unused({_unused_policy(school, s)})
            yield Problem(("switches", s, "name"), "lockout",
                          f"no chain of uplinks from the router reaches switch {switch.name}: schooltech cannot tell "
                          f"which of its ports carries the session, and a push would render that port as an unused "
                          f"port ({how})",
                          f"declare the link between {switch.name} and the switch it plugs into, on both switches "
                          "(uplinks: - {port: N, to: OTHER})")  # fmt: skip


def _one_sided_links(school: LoadedSchool, paths: dict[str, ManagementPath]) -> Iterator[Problem]:
    """A link declared on one switch only: the other's port on it would be rendered as unused."""
    switches = school.model.switches
    index = {switch.name: s for s, switch in reversed(list(enumerate(switches)))}
    declared = {(switch.name, uplink.to) for switch in switches for uplink in switch.uplinks}
    for switch in switches:
        for uplink in switch.uplinks:
            other = uplink.to
            if other is None or other == switch.name or other not in index or (other, switch.name) in declared:
                continue
            o = index[other]
            if paths[other].parent == switch.name or not paths[other].reached:
                cut: str | None = other  # the session to *other* arrives (or may arrive) on the undeclared port
            elif paths[switch.name].parent == other or not paths[switch.name].reached:
                cut = switch.name  # *other* forwards (or may forward) the session to this switch through it
            else:
                cut = None
            how = _rendered_unused({_unused_policy(school, o)})
            what = (f"switch {other} declares no uplink to {switch.name}, though {switch.name}'s uplink port "
                    f"{uplink.port} leads to it: {other}'s port on that link would be rendered as an unused port "
                    f"({how})")  # fmt: skip
            hint = (f"add the uplink to {other}: - {{port: N, to: {switch.name}}}, N being the port of {other} that "
                    f"the cable from {switch.name} port {uplink.port} plugs into")  # fmt: skip
            if cut is not None:
                yield Problem(("switches", o, "name"), "lockout",
                              f"{what}, cutting schooltech's session to {_with_behind(paths, cut)}", hint)  # fmt: skip
            else:
                yield Problem(("switches", o, "name"), "lockout",
                              f"{what}; no session runs over that link today, but the link would be cut", hint,
                              Severity.WARNING)  # fmt: skip


def _pruned_uplinks(school: LoadedSchool, paths: dict[str, ManagementPath]) -> Iterator[Problem]:
    management = school.vlans.get("management")
    if management is None or management.id is None:
        return
    for s, switch in enumerate(school.model.switches):
        for u, uplink in enumerate(switch.uplinks):
            if not uplink.vlans or "management" in uplink.vlans:
                continue  # no vlans: every VLAN of the school, management included
            where = ("switches", s, "uplinks", u, "vlans")
            what = f"uplink port {uplink.port} of {switch.name} leaves out the management VLAN"
            hint = "add management to its vlans, or leave vlans out to carry every VLAN"
            cut = _carried(paths, switch, uplink)
            if cut is None and not paths[switch.name].reached:
                yield Problem(where, "lockout", f"{what}: no chain of uplinks from the router reaches {switch.name}, "
                              "so this uplink may be the one that carries schooltech's session", hint)  # fmt: skip
            elif cut is not None:
                yield Problem(where, "lockout", f"{what}: it would cut schooltech's session to "
                              f"{_with_behind(paths, cut)}", hint)  # fmt: skip
            else:
                yield Problem(where, "lockout", f"{what}: no session runs over it today, but one would be cut if "
                              "the management path failed over to it", hint, Severity.WARNING)  # fmt: skip


def _carried(paths: dict[str, ManagementPath], switch: Switch, uplink: Uplink) -> str | None:
    """The switch whose management session arrives over *uplink* of *switch*, if any."""
    own = paths[switch.name]
    if own.reached and own.upstream_port == uplink.port and own.parent == uplink.to:
        return switch.name
    child = paths.get(uplink.to) if uplink.to is not None else None
    if child is not None and child.parent == switch.name and child.parent_port == uplink.port:
        return child.switch
    return None


def _with_behind(paths: dict[str, ManagementPath], switch: str) -> str:
    """``SW (and the 2 switches behind it: A, B)``."""
    others = behind(paths, switch)
    if not others:
        return switch
    count = "the switch" if len(others) == 1 else f"the {len(others)} switches"
    return f"{switch} (and {count} behind it: {', '.join(others)})"


def _unused_policy(school: LoadedSchool, index: int) -> str:
    policy = school.switch_settings(index).get("switch") or {}
    return str(policy.get("unused_ports") or "shutdown")


def _rendered_unused(policies: set[str]) -> str:
    if "shutdown" in policies:
        return "shut, as unused_ports: shutdown says"
    return "an access port in the default VLAN; unused_ports: leave skips only the shutdown"

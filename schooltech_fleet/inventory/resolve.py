"""Resolve schools into a fleet: hosts, groups and the variables of every host.

Variables shared by a room live on the room's group. A counted pattern is a
*batch* of identical devices (same role, OS, model, purchase dates): its shared
variables live on a batch group inside the room group. Only what differs per
device lives on the host. The groups that carry variables form one chain per host
(room, then batch), so ``room vars + batch vars + host vars`` is the resolved set,
in Ansible (child groups win over their parents) and in the CLI alike.

Group tree::

    all > type_secondary > school_rvs > site_rvs_main > room_rvs_c101 > batch_rvs_c101_1 > RVS-C101-PC01
    room_rvs_c101 > RVS-C101-TCH01                    (devices written out one by one)
    kind_ict_suite > room_rvs_c101
    role_lab_pc > batch_rvs_c101_1                    role_teacher_pc > RVS-C101-TCH01
    managed > family_linux > os_debian12 > batch_rvs_c101_1
    switches > platform_cisco_ios > RVS-SW-A1
"""

from __future__ import annotations

import shlex
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from ..errors import InventoryError
from .constructed import construct
from .fleet import Fleet, Host, group_name
from .layers import Layer, Source, deep_merge, merge_layers, source_of, trace_layers
from .model import MANAGED_FAMILIES, BootServer, OsFamily, SimEndpoint, SimulationLayer
from .nodes import SWITCH_VARIABLE, node_vars, simulated_node_vars, site_node
from .nodes import VARIABLE as NODE_VARIABLE
from .problems import located
from .school import DeviceRecord, LoadedSchool


@dataclass(frozen=True)
class ExplainedVar:
    name: str
    value: Any
    source: Source | None
    note: str = ""


def _json(value: Any) -> Any:
    return None if value is None else str(value)


class _Trace:
    """Collects the source of each variable when explaining one host."""

    def __init__(self) -> None:
        self.sources: dict[str, tuple[Source | None, str]] = {}

    def add(self, name: str, layer: Layer | None, path: tuple[str | int, ...] = (), note: str = "") -> None:
        self.sources[name] = (source_of(layer, path) if layer is not None else None, note)


def resolve_school(school: LoadedSchool) -> Fleet:
    """The hosts and groups of one valid school."""
    fleet = Fleet(schools={school.code: str(school.parsed.path.resolve())})
    fleet.networks[school.code] = sorted({str(vlan.subnet) for vlan in school.vlans.values() if vlan.subnet})
    model = school.model
    code = school.code
    school_group = group_name("school", code)
    fleet.group(school_group, group_name("type", model.school.type.value))
    for site in model.sites:
        fleet.group(group_name("site", code, site.name), school_group)
    room_groups = [_room_group(fleet, school, r) for r in range(len(model.rooms))]
    simulated = school.simulated
    layer = school.simulation.model if school.simulation is not None else None
    if simulated is not None and layer is not None:
        fleet.simulated[code] = layer.simulation
    for device in school.devices:
        if simulated is not None and device.name not in simulated.devices:
            continue  # a simulated school is only its simulated devices: nothing real is reached
        host = _device_host(fleet, school, device, room_groups[device.room])
        if simulated is not None and layer is not None:
            host.vars.update(simulation_vars(layer, simulated.devices[device.name], "device"))
        fleet.hosts[host.name] = host
    for s, switch in enumerate(model.switches):
        if simulated is not None and switch.name not in simulated.switches:
            continue
        host = _switch_host(fleet, school, s)
        if simulated is not None and layer is not None:
            host.vars.update(simulation_vars(layer, simulated.switches[switch.name], "switch"))
        fleet.hosts[host.name] = host
    problems = construct(fleet, school)
    if problems:  # check_school and validate's evaluation report these first: only a bug gets here
        raise InventoryError([located(school, problem) for problem in problems])
    return fleet


def simulation_vars(layer: SimulationLayer, endpoint: SimEndpoint, kind: str) -> dict[str, Any]:
    """How to reach a simulated device or switch: its 127.0.0.1 endpoint and the simulation's login."""
    login = layer.connection
    values: dict[str, Any] = {"ansible_host": str(endpoint.host), "ansible_port": endpoint.port,
                              "simulation": layer.simulation}  # fmt: skip
    if kind == "device":
        values |= {
            "ansible_user": login.ssh_user,
            "ansible_ssh_private_key_file": login.ssh_private_key,
            "ansible_ssh_common_args": ssh_common_args(login.ssh_known_hosts),
        }
    else:
        values |= {"ansible_user": login.switch_username, "switch_password_file": login.switch_password_file}
        if login.switch_known_hosts is not None:
            values["switch_known_hosts"] = login.switch_known_hosts
        if login.switch_minute_seconds is not None:
            values["switch_minute_seconds"] = login.switch_minute_seconds
    return values


def ssh_common_args(known_hosts: str) -> str:
    """SSH arguments that check a simulated lab PC's host key strictly against *known_hosts*.

    Two parsers read them: Ansible splits the string as a shell would (``shlex``), then ssh reads
    each ``-o`` as a line of its config (quotes, backslashes, ``%`` tokens). The path is quoted for
    both, so whatever it holds stays one file name (``${...}``, which ssh would expand and nothing
    escapes, is refused in the simulation layer).
    """
    return shlex.join(["-o", f"UserKnownHostsFile={ssh_config_word(known_hosts)}", "-o", "StrictHostKeyChecking=yes"])


def ssh_config_word(value: str) -> str:
    """*value* as one word of an ssh config line: double-quoted, ``\\`` and ``"`` escaped, ``%`` doubled."""
    escaped = value.replace("\\", "\\\\").replace('"', '\\"').replace("%", "%%")
    return f'"{escaped}"'


def _site_parent(school: LoadedSchool, site: str | None) -> str:
    sites = school.model.sites
    if site is None and len(sites) == 1:
        site = sites[0].name
    return group_name("site", school.code, site) if site else group_name("school", school.code)


def _room_group(fleet: Fleet, school: LoadedSchool, r: int) -> str:
    room = school.model.rooms[r]
    name = group_name("room", school.code, room.name)
    group = fleet.group(name, _site_parent(school, room.site))
    fleet.group(name, group_name("kind", room.kind))
    group.vars = room_vars(school, r)
    return name


def room_vars(school: LoadedSchool, r: int, trace: _Trace | None = None) -> dict[str, Any]:
    """Variables every device of room *r* shares."""
    model = school.model
    room = model.rooms[r]
    header = model.school
    out: dict[str, Any] = {
        "school_code": header.code,
        "school_name": header.name,
        "school_type": header.type.value,
        "site": room.site or (model.sites[0].name if len(model.sites) == 1 else None),
        "building": room.building,
        "room": room.name,
        "room_title": room.title or room.name,
        "room_kind": room.kind,
    }
    if trace is not None:
        for name, path in (
            ("school_code", ("school", "code")),
            ("school_name", ("school", "name")),
            ("school_type", ("school", "type")),
        ):
            trace.add(name, school.school_layer(), path)
        for name, attr in (
            ("site", "site"),
            ("building", "building"),
            ("room", "name"),
            ("room_title", "title"),
            ("room_kind", "kind"),
        ):
            trace.add(name, school.room_layer(r), (attr,) if getattr(room, attr) else ())
    node = site_node(school, out["site"])
    if school.simulated is not None:  # a simulated school's jobs run on its simulated node or here, never out there
        out.update(_simulated_node(school, trace))
    elif node is not None:
        out[NODE_VARIABLE] = node_vars(node[1])
        if trace is not None:
            layer = school.school_layer("sites", node[0], NODE_VARIABLE)
            for leaf in out[NODE_VARIABLE]:
                written = leaf in node[1].model_fields_set
                trace.add(f"{NODE_VARIABLE}.{leaf}", layer, (leaf,) if written else (),
                          f"jobs of site {out['site']} run on this node" if leaf == "host" else
                          "" if written else ("default" if leaf == "port" else "not recorded yet"))  # fmt: skip
    vlan, vlan_layer = school.room_vlan(r)
    out.update(vlan_vars(school, vlan, vlan_layer, trace))
    sets, sets_layer = school.room_software_sets(r)
    out.update(_software_vars(school, sets, sets_layer, trace))
    out["imaging"] = imaging_vars(school, r, vlan)
    if trace is not None:
        trace.add("imaging", school.room_imaging_profile(r)[1], note="the room's imaging profile and boot server")
    out["licences"] = _licences(school, room.name, trace)
    out.update(_calendar_vars(school, room.name, trace))
    layers = school.settings_layers()
    if room.settings is not None:
        layers.append((school.room_layer(r, "settings"), room.settings.model_dump(mode="json", exclude_unset=True)))
    settings = merge_layers(layers) if room.settings is not None else school.settings
    out.update(settings)
    out["ansible_user"] = (settings.get("accounts") or {}).get("admin_user")
    if trace is not None:
        for dotted, source in trace_layers(layers).items():
            trace.sources[dotted] = (source, "")
        trace.add("ansible_user", None, note="settings accounts.admin_user")
    return out


def vlan_vars(
    school: LoadedSchool, vlan: str | None, layer: Layer | None, trace: _Trace | None = None
) -> dict[str, Any]:
    entry = school.vlans.get(vlan) if vlan else None
    out = {
        "vlan": vlan,
        "vlan_id": entry.id if entry else None,
        "subnet": _json(entry.subnet) if entry else None,
        "gateway": _json(entry.gateway) if entry else None,
    }
    if trace is not None and vlan is not None:
        trace.add("vlan", layer)
        for var, attr in (("vlan_id", "id"), ("subnet", "subnet"), ("gateway", "gateway")):
            trace.add(var, school.catalogue_layer("vlans", vlan, attr))
    return out


def imaging_vars(school: LoadedSchool, r: int, vlan: str | None) -> dict[str, Any] | None:
    """How the PCs of room *r* on *vlan* are imaged: the profile and the boot server serving the VLAN; None if never."""
    name, _ = school.room_imaging_profile(r)
    profile = school.imaging_profiles.get(name) if name is not None else None
    if name is None or profile is None:
        return None
    servers = school.boot_servers_for(school.room_site(r), vlan) if vlan is not None else []
    return {
        "profile": name,
        "os": profile.os.value,
        "disk_layout": profile.disk_layout,
        "boot_server": _boot_server(servers[0]) if servers else None,
    }


def _boot_server(server: BootServer) -> dict[str, Any]:
    """What an imaging run needs of a boot server: its name, address and SSH login."""
    return {"name": server.name, "address": str(server.address), "ssh_user": server.ssh_user,
            "ssh_port": server.ssh_port}  # fmt: skip


def firmware_vars(school: LoadedSchool, device: DeviceRecord) -> dict[str, Any]:
    """How a managed device boots, from its model's entry under ``models:`` (UEFI without Secure Boot if none)."""
    if not device.managed:
        return {}
    model = school.pc_model(device.model)
    return {"firmware": model.firmware, "secure_boot": model.secure_boot}


def _software_vars(school: LoadedSchool, sets: list[str], layer: Layer | None, trace: _Trace | None) -> dict[str, Any]:
    packages: dict[str, dict[str, Any]] = {}
    windows: list[str] = []
    for name in sets:
        entry = school.software_sets.get(name)
        if entry is None:
            continue
        for package in entry.packages:
            packages[package.name] = package.model_dump(mode="json", exclude_none=True)
        windows.extend(p for p in entry.windows_packages if p not in windows)
    if trace is not None:
        trace.add("software_sets", layer)
        note = "packages of the software sets " + ", ".join(sets)
        trace.add("software_packages", None, note=note)
        trace.add("windows_packages", None, note=note)
        trace.add("software_catalogue", None, note="every package of every software set of the school")
    return {
        "software_sets": list(sets),
        "software_packages": list(packages.values()),
        "windows_packages": windows,
        "software_catalogue": school.software_catalogue,
    }


def _licences(school: LoadedSchool, room: str, trace: _Trace | None) -> list[dict[str, Any]]:
    """The licences deployed in *room*, each with the packages of the software it licenses."""
    out = []
    for i, licence in enumerate(school.model.licences):
        if room in licence.rooms:
            entry = licence.model_dump(mode="json", exclude={"rooms"}, exclude_none=True)
            licensed = school.software_sets.get(licence.software_set) if licence.software_set else None
            entry["packages"] = [p.name for p in licensed.packages] if licensed else []
            out.append(entry)
            if trace is not None:
                trace.add(f"licences[{licence.id}]", school.school_layer("licences", i))
    return out


def _calendar_vars(school: LoadedSchool, room: str, trace: _Trace | None) -> dict[str, Any]:
    cal = school.model.calendar
    freezes = [
        {"name": f.name, "start": f.start.isoformat(), "end": f.end.isoformat()}
        for f in cal.exam_freezes
        if not f.rooms or room in f.rooms
    ]
    if trace is not None:
        for i, f in enumerate(cal.exam_freezes):
            if not f.rooms or room in f.rooms:
                trace.add(f"exam_freezes[{f.name}]", school.school_layer("calendar", "exam_freezes", i))
        trace.add("lessons", school.school_layer("calendar", "lessons"))
        trace.add("terms", school.school_layer("calendar", "terms"))
    return {
        "exam_freezes": freezes,
        "lessons": cal.lessons.model_dump(mode="json"),
        "terms": [t.model_dump(mode="json") for t in cal.terms],
    }


WINDOWS_CONNECTION = {"ansible_connection": "winrm", "ansible_winrm_transport": "ntlm"}
_BATCH_FIELDS = ("model", "purchased", "warranty_end")
# field of the asset record -> variable ("serial" is a reserved name in Ansible: a play keyword)
_OWN_FIELDS = {"mac": "mac", "serial": "serial_number"}


def batch_vars(device: DeviceRecord) -> dict[str, Any]:
    """Variables that every device of the same counted pattern shares."""
    family = device.os.family
    out: dict[str, Any] = {
        "device_role": device.role.value,
        "os": device.os.value,
        "os_family": family.value,
        "managed": family in MANAGED_FAMILIES,
    }
    for attr in _BATCH_FIELDS:
        value = getattr(device, attr)
        if value is not None:
            out[attr] = str(value)
    if family is OsFamily.WINDOWS:
        out.update(WINDOWS_CONNECTION)
    return out


def own_vars(device: DeviceRecord) -> dict[str, Any]:
    """Variables that only this device has."""
    out: dict[str, Any] = {}
    for attr, var in _OWN_FIELDS.items():
        value = getattr(device, attr)
        if value is not None:
            out[var] = value
    if device.ip is not None:
        out["ip"] = out["ansible_host"] = str(device.ip)
    return out


def _override_vars(school: LoadedSchool, device: DeviceRecord) -> dict[str, Any]:
    """A device layer's VLAN and settings on top of its room's."""
    out: dict[str, Any] = {}
    if device.vlan is not None:
        out.update(vlan_vars(school, device.vlan, None))
        out["imaging"] = imaging_vars(school, device.room, device.vlan)
    if device.settings is not None:
        override = device.settings.model_dump(mode="json", exclude_unset=True)
        room = school.model.rooms[device.room]
        below = school.settings
        if room.settings is not None:
            below = deep_merge(below, room.settings.model_dump(mode="json", exclude_unset=True))
        merged = deep_merge(below, override)
        out.update({key: merged[key] for key in override})
    return out


def _role_and_os_groups(fleet: Fleet, device: DeviceRecord) -> tuple[str, str]:
    """Create ``role_*`` and ``managed|unmanaged > family_* > os_*``; return the role and OS groups."""
    family = group_name("family", device.os.family.value)
    os_group = group_name("os", device.os.value)
    role_group = group_name("role", device.role.value)
    fleet.group(family, "managed" if device.managed else "unmanaged")
    fleet.group(os_group, family)
    fleet.group(role_group)
    return role_group, os_group


def _device_host(fleet: Fleet, school: LoadedSchool, device: DeviceRecord, room_group: str) -> Host:
    if device.n is None:
        role_group, os_group = _role_and_os_groups(fleet, device)
        values = {**batch_vars(device), **firmware_vars(school, device), **own_vars(device),
                  **_override_vars(school, device)}  # fmt: skip
        return Host(device.name, school.code, "device", (room_group, role_group, os_group), (room_group,), values)
    batch = group_name("batch", school.code, school.model.rooms[device.room].name, str(device.entry + 1))
    if batch not in fleet.groups:
        fleet.group(batch, room_group).vars = {
            **batch_vars(device),
            **firmware_vars(school, device),
            **_override_vars(school, device),
        }
        for parent in _role_and_os_groups(fleet, device):
            fleet.group(batch, parent)
    return Host(device.name, school.code, "device", (batch,), (room_group, batch), own_vars(device))


def _switch_host(fleet: Fleet, school: LoadedSchool, s: int) -> Host:
    switch = school.model.switches[s]
    platform_group = group_name("platform", switch.platform)
    fleet.group(platform_group, "switches")
    parent = _site_parent(school, switch.site)
    settings = school.settings
    if switch.settings is not None:
        settings = deep_merge(settings, switch.settings.model_dump(mode="json", exclude_unset=True))
    values: dict[str, Any] = {
        "school_code": school.code,
        "school_name": school.model.school.name,
        "school_type": school.model.school.type.value,
        "site": switch.site or (school.model.sites[0].name if len(school.model.sites) == 1 else None),
        "building": switch.building,
        "switch_platform": switch.platform,
        "switch_model": switch.model,
        "mgmt_ip": str(switch.mgmt_ip),
        "ansible_host": str(switch.mgmt_ip),
        "access_ports": switch.access_ports,
        "uplink_ports": switch.uplink_ports,
        **{key: settings.get(key) for key in ("timezone", "ntp_servers", "syslog_servers", "snmp", "switch")},
    }
    for attr, var in {**_OWN_FIELDS, "purchased": "purchased", "warranty_end": "warranty_end"}.items():
        value = getattr(switch, attr)
        if value is not None:
            values[var] = str(value)
    node = site_node(school, values["site"])
    if node is not None and node[1].switches_via_node:
        values[SWITCH_VARIABLE] = node_vars(node[1])
    fleet.group(parent)
    return Host(switch.name, school.code, "switch", (parent, platform_group), (), values)


def resolve(schools: Iterable[LoadedSchool]) -> Fleet:
    """The fleet of several valid schools."""
    fleet = Fleet()
    for school in schools:
        fleet.merge(resolve_school(school))
    return fleet


def explain(school: LoadedSchool, host: str) -> list[ExplainedVar]:
    """Every resolved variable of *host* with the file and line that set it."""
    devices = {d.name: d for d in school.devices}
    trace = _Trace()
    if host in devices:
        device = devices[host]
        values = room_vars(school, device.room, trace)
        values.update(batch_vars(device))
        values.update(firmware_vars(school, device))
        values.update(own_vars(device))
        _trace_device(school, device, trace)
        if device.vlan is not None:
            values.update(vlan_vars(school, device.vlan, school.device_layer(device.path, "vlan"), trace))
            values["imaging"] = imaging_vars(school, device.room, device.vlan)
        if device.settings is not None:
            layer = school.device_layer(device.path, "settings")
            override = device.settings.model_dump(mode="json", exclude_unset=True)
            for key in override:
                values[key] = deep_merge({key: values.get(key)}, {key: override[key]})[key]
            for dotted, source in trace_layers([(layer, override)]).items():
                trace.sources[dotted] = (source, "")
    else:
        fleet = resolve_school(school)
        values = fleet.host_vars(host)
        s = next(i for i, sw in enumerate(school.model.switches) if sw.name == host)
        for name in values:
            trace.add(name, school.school_layer("switches", s))
        node = site_node(school, values.get("site"))
        if SWITCH_VARIABLE in values and node is not None:
            trace.add(SWITCH_VARIABLE, school.school_layer("sites", node[0], NODE_VARIABLE), ("switches_via_node",),
                      f"sessions with this switch go through the execution node of site {values['site']}")  # fmt: skip
    values.update(_trace_simulation(school, host, trace))
    values.update(_trace_composed(school, host, trace))
    return _explained(values, trace)


def _trace_composed(school: LoadedSchool, host: str, trace: _Trace) -> dict[str, Any]:
    """The variables the school file's ``compose`` gives *host*, with their sources."""
    compose = school.model.ansible.compose
    if not compose:
        return {}
    values = resolve_school(school).hosts[host].vars
    composed = {name: values[name] for name in compose if name in values}
    for name in composed:
        trace.add(name, school.school_layer("ansible", "compose"), (name,), "composed: ansible.compose")
    return composed


_SIMULATION_SOURCES = {
    "ansible_host": ("host",),
    "ansible_port": ("port",),
    "simulation": ("..", "simulation"),
    "ansible_ssh_private_key_file": ("..", "connection", "ssh_private_key"),
    "ansible_ssh_common_args": ("..", "connection", "ssh_known_hosts"),
    "switch_password_file": ("..", "connection", "switch_password_file"),
    "switch_known_hosts": ("..", "connection", "switch_known_hosts"),
    "switch_minute_seconds": ("..", "connection", "switch_minute_seconds"),
}


def _trace_simulation(school: LoadedSchool, host: str, trace: _Trace) -> dict[str, Any]:
    """The simulation layer's variables of *host* (the most specific layer), with their sources."""
    simulated, parsed = school.simulated, school.simulation
    if simulated is None or parsed is None or parsed.model is None:
        return {}
    section = "devices" if host in simulated.devices else "switches"
    endpoint = getattr(simulated, section)[host]
    values = simulation_vars(parsed.model, endpoint, "device" if section == "devices" else "switch")
    for name in values:
        path = _SIMULATION_SOURCES.get(
            name, ("..", "connection", "ssh_user" if section == "devices" else "switch_username")
        )
        if path[0] == "..":
            trace.add(name, Layer("simulation", parsed, ()), path[1:], "while 'schooltech sim up' runs")
        else:
            trace.add(name, Layer("simulation", parsed, ("schools", school.code, section, host)), path,
                      "while 'schooltech sim up' runs")  # fmt: skip
    return values


def _simulated_node(school: LoadedSchool, trace: _Trace | None) -> dict[str, Any]:
    """The ``execution_node`` of a simulated school's rooms: its simulated node, if the layer names one."""
    simulated, parsed = school.simulated, school.simulation
    if simulated is None or simulated.execution_node is None or parsed is None or parsed.model is None:
        return {}
    values = simulated_node_vars(simulated.execution_node, parsed.model.connection.ssh_private_key)
    if trace is not None:
        node = Layer("simulation", parsed, ("schools", school.code, NODE_VARIABLE))
        for leaf in values:
            layer, path = (Layer("simulation", parsed, ()), ("connection", "ssh_private_key")) if (
                leaf == "identity_file") else (node, (leaf,))  # fmt: skip
            trace.add(f"{NODE_VARIABLE}.{leaf}", layer, path, "while 'schooltech sim up --execution-node' runs")
    return {NODE_VARIABLE: values}


def _trace_device(school: LoadedSchool, device: DeviceRecord, trace: _Trace) -> None:
    entry = school.device_layer(device.path)
    pattern_note = f"device {device.n} of a counted pattern" if device.n is not None else ""
    for name in ("device_role", "os", "os_family", "managed", "model", "purchased", "warranty_end"):
        attr = {"device_role": "role", "os_family": "os", "managed": "os"}.get(name, name)
        trace.add(name, entry, (attr,), pattern_note)
    k = device.k
    for attr, name in _OWN_FIELDS.items():
        path: tuple[str | int, ...] = (attr,) if device.n is None else ("assets", k, attr)
        trace.add(name, entry, path, pattern_note)
    for name in WINDOWS_CONNECTION:
        trace.add(name, None, note="Windows lab PCs are reached over WinRM")
    listed = device.model is not None and device.model in school.pc_models
    for name in ("firmware", "secure_boot"):
        if listed:
            trace.add(name, school.catalogue_layer("models", str(device.model), name))
        else:
            trace.add(name, None, note="the model is not listed under models: UEFI without Secure Boot")
    for name in ("ip", "ansible_host"):
        trace.add(
            name,
            entry,
            ("ip",) if device.n is None else ("ip_start",),
            pattern_note + (f", ip_start + {k}" if device.n is not None else ""),
        )


def _explained(values: dict[str, Any], trace: _Trace) -> list[ExplainedVar]:
    out: list[ExplainedVar] = []
    dotted_parents = {key.split(".")[0] for key in trace.sources if "." in key}
    for name, value in values.items():
        if name in dotted_parents and isinstance(value, dict):
            for dotted, (source, note) in sorted(trace.sources.items()):
                if dotted.startswith(name + "."):
                    out.append(ExplainedVar(dotted, _leaf(value, dotted.split(".")[1:]), source, note))
            continue
        if name in ("licences", "exam_freezes"):
            for key, (source, note) in trace.sources.items():
                if key.startswith(name + "["):
                    out.append(
                        ExplainedVar(
                            key,
                            next((v for v in value if v.get("id", v.get("name")) == key[len(name) + 1 : -1]), None),
                            source,
                            note,
                        )
                    )
            if not value:
                out.append(ExplainedVar(name, value, None, "none assigned"))
            continue
        source, note = trace.sources.get(name, (None, ""))
        out.append(ExplainedVar(name, value, source, note))
    return out


def _leaf(value: Any, path: list[str]) -> Any:
    for step in path:
        value = value.get(step) if isinstance(value, dict) else None
    return value

"""How a school's switches boot in the simulation: their config, login, management path and clock.

Every emulated switch boots from a realistic running-config generated from the inventory
(``realistic_config.py``) or, with ``--startup-config``, from a saved one. Either way the
simulation's service account is a line of that config: ``username schooltech privilege 15
secret 5 <hash>`` (in a saved config it replaces any ``username schooltech`` line, or is
added after its last ``username`` line, else before ``end``).

Its management path comes from the inventory's uplink tree (``inventory/topology.py``): the
school's management VLAN, the switch's ``mgmt_ip``, the port its sessions arrive on and the
parent switch's port that leads here (when the parent is emulated too). Sessions come from
the **controller address**: the last usable address of the management subnet (10.70.99.254
in 10.70.99.0/24). A switch the tree does not reach, whose upstream port is not declared, or
whose school has no management VLAN with a subnet, has no management path to check.

Its MAC address table starts with the devices the inventory puts on its ports
(``switch_stations.py``); the management tree links the switches, so each also learns the
others' devices on its port towards them (``switches/mac_table.py``).
"""

from __future__ import annotations

import ipaddress
import re
import secrets
from collections.abc import Collection, Mapping
from dataclasses import asdict

from ..inventory.school import LoadedSchool
from ..inventory.topology import management_paths
from ..network.intent import switch_intent
from .realistic_config import CanarySecrets, SchoolSwitch, realistic_config
from .switch_stations import school_stations
from .switches import ManagementSpec, SwitchSpec, catalyst_interfaces
from .switches.ios_passwords import md5_crypt

EMULATED_PLATFORMS = frozenset({"cisco_ios"})
SWITCH_USERNAME = "schooltech"
_SERVICE_ACCOUNT = re.compile(rf"^username {SWITCH_USERNAME}(\s|$)")
_CANARY_BYTES = 4


def generate_canaries() -> CanarySecrets:
    """Fresh canary secrets for one simulation: ``CANARY-<what>-<random>``."""
    names = ("enable_secret", "admin_password", "snmp_community", "snmp_auth_password", "snmp_priv_password",
             "tacacs_key", "ntp_key")  # fmt: skip
    return CanarySecrets(**{name: f"CANARY-{name.split('_')[0]}-{secrets.token_hex(_CANARY_BYTES)}" for name in names})


def canaries_json(canaries: CanarySecrets) -> dict[str, str]:
    """The canary secrets as recorded in the simulation's ``canary-secrets.json``."""
    return asdict(canaries)


def service_account_line(password: str) -> str:
    """``username schooltech privilege 15 secret 5 <md5-crypt of password>``."""
    return f"username {SWITCH_USERNAME} privilege 15 secret 5 {md5_crypt(password)}"


def with_service_account(config: str, password: str) -> str:
    """A saved config with the simulation's service account line in it (see the module docstring)."""
    lines = [line for line in config.splitlines() if not _SERVICE_ACCOUNT.match(line)]
    users = [index for index, line in enumerate(lines) if line.startswith("username ")]
    ends = [index for index, line in enumerate(lines) if line.strip() == "end"]
    position = users[-1] + 1 if users else (ends[0] if ends else len(lines))
    lines.insert(position, service_account_line(password))
    return "\n".join(lines) + "\n"


def controller_address(subnet: ipaddress.IPv4Network) -> ipaddress.IPv4Address:
    """Where the simulated sessions come from: the last usable address of the management subnet."""
    return subnet.broadcast_address - 1


def school_switch_specs(school: LoadedSchool, *, password: str, canaries: CanarySecrets, minute_seconds: float,
                        startup_configs: Mapping[str, str] | None = None,
                        names: Collection[str] | None = None) -> list[SwitchSpec]:  # fmt: skip
    """The emulated switches of ``school`` (only ``names`` if given), each booting as the module docstring says."""
    switches = school.model.switches
    emulated = {sw.name for sw in switches if sw.platform in EMULATED_PLATFORMS and (names is None or sw.name in names)}
    paths = management_paths(switches)
    vlans = {vlan.id: vlan for vlan in school.vlans.values() if vlan.id is not None}
    subnets = {vid: vlan.subnet for vid, vlan in vlans.items() if vlan.subnet is not None}
    gateways = {vid: vlan.gateway for vid, vlan in vlans.items() if vlan.gateway is not None}
    dns = tuple(str(server) for server in school.settings.get("dns_servers") or ())
    stations = school_stations(school)
    specs = []
    for index, switch in enumerate(switches):
        if switch.name not in emulated:
            continue
        interfaces = catalyst_interfaces(switch.access_ports, switch.uplink_ports)
        saved = (startup_configs or {}).get(switch.name)
        if saved is not None:
            config = with_service_account(saved, password)
        else:
            target = SchoolSwitch(switch_intent(school, index), school.model.school.name, paths[switch.name].root,
                                  md5_crypt(password), subnets, gateways, dns)  # fmt: skip
            config = realistic_config(target, canaries)
        specs.append(SwitchSpec(switch.name, 0, SWITCH_USERNAME, password, interfaces, startup_config=config,
                                management=_management(school, switch.name, emulated),
                                minute_seconds=minute_seconds, model=switch.model, base_mac=switch.mac or "",
                                stations=stations[switch.name]))  # fmt: skip
    return specs


def _management(school: LoadedSchool, name: str, emulated: Collection[str]) -> ManagementSpec | None:
    management = school.vlans.get("management")
    if management is None or management.id is None or management.subnet is None:
        return None
    switches = {switch.name: switch for switch in school.model.switches}
    path = management_paths(school.model.switches)[name]
    switch = switches[name]
    interfaces = catalyst_interfaces(switch.access_ports, switch.uplink_ports)
    if not path.reached or path.upstream_port is None or path.upstream_port > len(interfaces):
        return None
    parent = parent_interface = None
    if path.parent is not None and path.parent in emulated and path.parent_port is not None:
        upstream = switches[path.parent]
        parent_ports = catalyst_interfaces(upstream.access_ports, upstream.uplink_ports)
        if path.parent_port <= len(parent_ports):
            parent, parent_interface = path.parent, parent_ports[path.parent_port - 1]
    address = ipaddress.IPv4Interface(f"{switch.mgmt_ip}/{management.subnet.prefixlen}")
    return ManagementSpec(management.id, str(address), str(controller_address(management.subnet)),
                          interfaces[path.upstream_port - 1], parent, parent_interface)  # fmt: skip

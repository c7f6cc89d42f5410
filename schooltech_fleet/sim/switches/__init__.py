"""Emulated Cisco IOS (Catalyst, IOS 15.2) switches reachable over real SSH on 127.0.0.1.

Built on fake-switches: its Cisco core, command processors and SSH shell, extended so that an
unmodified Netmiko ``cisco_ios`` push engine and hier_config see what a real switch shows.

    specs = [SwitchSpec("sw1", 0, "admin", "secret", catalyst_interfaces(24))]
    with start_switches(specs, workdir) as farm:
        port = farm.port("sw1")
        farm.control.reject("sw1", r"^storm-control")
"""

from schooltech_fleet.sim.switches.control_client import PathStatus, PendingRevert, SwitchControl
from schooltech_fleet.sim.switches.farm import SwitchFarm, is_emulator, start_switches, stop_detached
from schooltech_fleet.sim.switches.spec import ManagementSpec, SwitchSpec, catalyst_interfaces, dump_specs, load_specs

__all__ = [
    "ManagementSpec",
    "PathStatus",
    "PendingRevert",
    "SwitchControl",
    "SwitchFarm",
    "SwitchSpec",
    "catalyst_interfaces",
    "dump_specs",
    "is_emulator",
    "load_specs",
    "start_switches",
    "stop_detached",
]

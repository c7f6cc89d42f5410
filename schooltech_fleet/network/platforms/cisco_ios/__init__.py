"""Cisco IOS (Catalyst access switches): live-tested against the simulated school."""

from __future__ import annotations

from .. import Platform
from .secrets import SECRETS

PLATFORM = Platform(
    name="cisco_ios",
    title="Cisco IOS (Catalyst)",
    netmiko_device_type="cisco_ios",
    hier_config_platform="CISCO_IOS",
    access_port="GigabitEthernet1/0/{n}",
    uplink_port="TenGigabitEthernet1/1/{n}",
    # IOS marks errors with a leading "%" (% Invalid input, % Incomplete command, % Ambiguous
    # command, %Default VLAN 1 may not be deleted, % ... overlaps with ...), plus "Command
    # rejected: ..." and "Bad mask". Some "%" lines only inform: PortFast's warning, and the
    # note that an access VLAN was created.
    error_pattern=(
        r"(^|\n)\s*%(?!\s*Warning)(?!\s*Portfast has been configured)(?!\s*Access VLAN does not exist)"
        r"|Command rejected|Bad mask"
    ),
    volatile=(
        r"^Building configuration",
        r"^Current configuration",
        r"^! (Last|NVRAM) config",
        r"^ntp clock-period",
        r"^! Time:",
    ),
    independent_sections=True,  # its post-load callbacks (ACL remarks/sequences, VLAN ranges) stay in a section
    secrets=SECRETS,
)

"""HPE Aruba ArubaOS-Switch (ProCurve): golden-file tested; no emulator exists for it."""

from __future__ import annotations

from .. import Platform
from .secrets import SECRETS

PLATFORM = Platform(
    name="hp_procurve",
    title="HPE Aruba ArubaOS-Switch (ProCurve)",
    netmiko_device_type="hp_procurve",
    hier_config_platform="HP_PROCURVE",
    access_port="{n}",
    uplink_port="{number}",
    error_pattern=r"Invalid input|Incomplete input|Ambiguous input|Module not present|Value .* out of range",
    volatile=(r"^; .* Configuration Editor; Created on release", r"^; Ver #", r"^Running configuration:"),
    comment_prefix=";",
    # hier_config moves VLAN membership (vlan N / untagged PORTS) into the interface sections
    independent_sections=False,
    secrets=SECRETS,
)

"""VLAN configuration mode ``(config-vlan)#``."""

from __future__ import annotations

from typing import Any

from fake_switches.cisco.command_processor.config_vlan import ConfigVlanCommandProcessor

from schooltech_fleet.sim.switches.cli_args import Args
from schooltech_fleet.sim.switches.cli_errors import CommandRejected
from schooltech_fleet.sim.switches.modes_base import ConfigSubMode
from schooltech_fleet.sim.switches.state import DEFAULT_VLAN

MAX_VLAN_NAME = 32


class VlanMode(ConfigSubMode, ConfigVlanCommandProcessor):  # type: ignore[misc]
    """``vlan N``: ``name WORD`` / ``no name``."""

    mode_name = "config-vlan"
    keywords = ("exit", "name")
    no_keywords = ("name",)

    vlan_ids: list[int]

    def init(self, *args: Any) -> None:
        super().init(*args)
        self.vlan_ids = list(self.vlan)

    def cmd_name(self, args: Args, negated: bool) -> None:
        """``name WORD`` (32 characters at most, one word)."""
        name = None
        if negated:
            args.remaining()
        else:
            name = args.word()
            args.end()
            if len(name) > MAX_VLAN_NAME:
                raise args.invalid(args.index - 1)
        if DEFAULT_VLAN in self.vlan_ids:
            raise CommandRejected("%Default VLAN 1 may not have its name changed.")
        for vlan_id in self.vlan_ids:
            self.state.vlans[vlan_id] = name

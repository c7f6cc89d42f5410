"""One emulated switch: configuration, saved config, faults, and fake-switches' core to open sessions."""

from __future__ import annotations

import ipaddress
import logging
import re
from typing import Any

from fake_switches.cisco.cisco_core import BaseCiscoSwitchCore
from fake_switches.switch_configuration import SwitchConfiguration
from fake_switches.terminal import TerminalController

from schooltech_fleet.errors import SimulationError
from schooltech_fleet.sim.switches import render
from schooltech_fleet.sim.switches.exec_modes import make_exec_modes
from schooltech_fleet.sim.switches.faults import FaultState
from schooltech_fleet.sim.switches.host_keys import generate_private_key, load_private_key, public_line
from schooltech_fleet.sim.switches.logins import MAX_PRIVILEGE, Login, authenticate, check_enable, local_users
from schooltech_fleet.sim.switches.mac_table import Station, dotted_mac
from schooltech_fleet.sim.switches.management import Fabric, path_problems
from schooltech_fleet.sim.switches.modes_base import IosMode
from schooltech_fleet.sim.switches.piping import IosPipingProcessor
from schooltech_fleet.sim.switches.rollback import ConfigRollback
from schooltech_fleet.sim.switches.session import DiscardingTerminal, IosShellSession
from schooltech_fleet.sim.switches.spec import SwitchSpec
from schooltech_fleet.sim.switches.state import DEFAULT_HOSTNAME, DEFAULT_VLAN, SwitchState
from schooltech_fleet.sim.switches.vty import ssh_access

LOGGER = logging.getLogger("schooltech_fleet.sim.switches")
_HEADER = re.compile(r"^(Building configuration|Current configuration|Using \d+ out of)")
_VLAN1_BLOCK = re.compile(r"^interface Vlan1\s*$", re.MULTILINE)
LOOPBACK = ipaddress.IPv4Address("127.0.0.1")


class ConfigLoadError(SimulationError):
    """A configuration text contained lines the emulator refused."""


class EmulatedSwitch:
    """A Catalyst switch running IOS 15.2, as far as the emulator goes."""

    def __init__(self, spec: SwitchSpec) -> None:
        self.spec = spec
        self.faults = FaultState()
        self.command_log: list[str] = []
        self.sessions: set[Any] = set()
        self.connections: set[Any] = set()
        self.path_problems: list[str] = []
        self.host_key_text = self._boot_host_key = spec.host_key or generate_private_key()
        self.host_key = load_private_key(self.host_key_text)
        self.core = IosSwitchCore(self)
        self.fabric = Fabric({spec.name: self})
        self.rollback = ConfigRollback(self)
        self.state = SwitchState.factory_default(spec.interfaces, hostname=spec.name)
        self.state = self._boot_state()
        self.saved_config = self.running_config()
        self._boot_saved_config = self.saved_config
        self.stations = {station.mac: station for station in spec.stations}

    def _boot_state(self) -> SwitchState:
        if self.spec.startup_config is None:
            return SwitchState.factory_default(self.spec.interfaces, hostname=self.spec.name)
        return self.parse_config(self.spec.startup_config)

    @property
    def reachable(self) -> bool:
        """Whether sessions can reach the switch (its management path, when it has one, is intact)."""
        return not self.path_problems

    @property
    def session_source(self) -> ipaddress.IPv4Address:
        """The address SSH sessions come from: the management controller, else 127.0.0.1."""
        management = self.spec.management
        return ipaddress.IPv4Address(management.controller) if management else LOOPBACK

    def management_path(self) -> list[str]:
        """Why sessions cannot reach this switch now (empty: they can); see ``management.py``."""
        return path_problems(self, self.fabric.switches)

    def login(self, username: str, password: str) -> Login | None:
        """The login the running-config grants these credentials over SSH (``logins.py``), or None."""
        if not self.reachable:
            return None
        access = ssh_access(self.state, self.session_source)
        if access.refused is not None:
            LOGGER.info("%s: SSH login refused: %s", self.spec.name, access.refused)
            return None
        if not local_users(self.state):
            if (username, password) != (self.spec.username, self.spec.password):
                return None
            return Login(username, MAX_PRIVILEGE if self.spec.enable_secret is None else 1)
        return authenticate(self.state, access.line, username, password)

    def check_enable(self, typed: str) -> bool | None:
        """Whether ``typed`` is the enable secret; None when none is set."""
        return check_enable(self.state, typed, self.spec.enable_secret)

    @property
    def host_key_line(self) -> str:
        """The SSH host public key (``ssh-ed25519 AAAA...``)."""
        return public_line(self.host_key)

    def replace_host_key(self, private_key: str | None = None) -> str:
        """A new SSH host key (given, else generated) for the next connections; returns its public line."""
        key = load_private_key(private_key or generate_private_key())
        self.host_key_text, self.host_key = private_key or key.toString("openssh").decode(), key
        return self.host_key_line

    def running_config(self) -> str:
        """``show running-config`` from the first ``!`` to ``end``."""
        return render.running_config(self.state)

    def write_memory(self) -> None:
        """``write memory``: the startup-config becomes the running-config (archived with ``write-memory``)."""
        self.saved_config = self.running_config()
        self.rollback.after_write_memory()

    def parse_config(self, text: str) -> SwitchState:
        """The state a factory-default switch reaches after ``text`` is typed in config mode.

        ``text`` is a whole configuration: an ``interface Vlan1`` block in it is complete (Vlan1
        is shut only if the block says ``shutdown``, as IOS would have written it).

        Raises ConfigLoadError listing every refused line; the current state is untouched.
        """
        current = self.state
        self.state = SwitchState.factory_default(self.spec.interfaces, DEFAULT_HOSTNAME)
        if _VLAN1_BLOCK.search(text):  # a saved config shows "shutdown" if Vlan1 was shut: its block is complete
            self.state.svis[DEFAULT_VLAN].shutdown = False
        try:
            errors = self._apply(text)
            if errors:
                raise ConfigLoadError(f"switch {self.spec.name}: configuration refused:\n" + "\n".join(errors))
            return self.state
        finally:
            self.state = current

    def replace_running_config(self, text: str) -> None:
        """Replace the whole running-config by ``text`` (like ``configure replace``)."""
        self.state = self.parse_config(text)
        self.fabric.enforce()

    def merge_config(self, text: str) -> None:
        """Type ``text`` in config mode; refused lines raise ConfigLoadError after the rest applied."""
        errors = self._apply(text)
        self.fabric.enforce()
        if errors:
            raise ConfigLoadError(f"switch {self.spec.name}: configuration refused:\n" + "\n".join(errors))

    def reset(self) -> None:
        """Back to the state the switch booted with (config, host key, the stations on its ports); faults, the
        command log, the archive and a pending revert are cleared."""
        self.replace_host_key(self._boot_host_key)
        self.state = self._boot_state()
        self.saved_config = self._boot_saved_config
        for station in self.spec.stations:  # its boot stations come home from wherever they were moved
            for switch in self.fabric.switches.values():
                switch.stations.pop(station.mac, None)
        self.stations = {station.mac: station for station in self.spec.stations}
        self.faults = FaultState()
        self.command_log.clear()
        self.rollback.clear()
        self.fabric.enforce()

    def plug(self, station: Station) -> None:
        """Plug ``station`` into its port here; the same MAC anywhere else in the farm is unplugged first."""
        if station.interface not in self.state.ports:
            raise SimulationError(f"switch {self.spec.name} has no interface {station.interface}")
        for switch in self.fabric.switches.values():
            switch.stations.pop(station.mac, None)
        self.stations[station.mac] = station

    def unplug(self, mac: str) -> Station:
        """Unplug the station with ``mac`` from this switch (its entries vanish farm-wide); returns it."""
        try:
            return self.stations.pop(dotted_mac(mac))
        except KeyError:
            raise SimulationError(f"no station {dotted_mac(mac)} is plugged into {self.spec.name}") from None

    def disconnect(self) -> int:
        """Abort every open SSH connection (as a reload would); returns how many sessions were open."""
        sessions = list(self.sessions)
        for session in sessions:
            session.abort()
        for connection in list(self.connections):
            connection.transport.abortConnection()
        return len(sessions)

    def _apply(self, text: str) -> list[str]:
        """Feed ``text`` through a headless configuration session; return error descriptions."""
        terminal = DiscardingTerminal()
        session = self.core.headless_session(terminal)
        errors: list[str] = []
        session.receive("configure terminal")
        for number, line in enumerate(text.splitlines(), start=1):
            if _HEADER.match(line) or line.strip() == "end":
                if line.strip() == "end":
                    break
                continue
            if not session.active_mode().in_config:
                session.receive("configure terminal")
            if not session.run_line(line):
                error = session.command_processor.last_error
                detail = " ".join(part.strip() for part in error.lines("")) if error else "refused"
                errors.append(f"  line {number}: {line.strip()!r}: {detail.strip()}")
        return errors


class IosSwitchConfiguration(SwitchConfiguration):  # type: ignore[misc]
    """fake-switches' switch configuration, pointing at the ``EmulatedSwitch`` that owns the state."""

    def __init__(self, switch: EmulatedSwitch) -> None:
        super().__init__(str(LOOPBACK), name=switch.spec.name, auto_enabled=switch.spec.enable_secret is None)
        self.switch = switch


class IosSwitchCore(BaseCiscoSwitchCore):  # type: ignore[misc]
    """fake-switches' Cisco core, launching sessions on the IOS modes of this package."""

    def __init__(self, switch: EmulatedSwitch) -> None:
        super().__init__(IosSwitchConfiguration(switch))
        self.switch = switch

    def launch(self, protocol: str, terminal_controller: TerminalController,
               login: Login | None = None) -> IosShellSession:  # fmt: skip
        """A new CLI session for ``login`` (called by the SSH shell for each login)."""
        login = login or Login(self.switch.spec.username, MAX_PRIVILEGE)
        processor = make_exec_modes(auto_enable=login.privilege >= MAX_PRIVILEGE, username=login.username)
        processor.init(self.switch_configuration, terminal_controller, LOGGER, IosPipingProcessor(LOGGER))
        return IosShellSession(processor, self.switch)

    def headless_session(self, terminal_controller: TerminalController) -> IosShellSession:
        """A privileged session without SSH, for loading configuration text."""
        processor = make_exec_modes(auto_enable=True)
        processor.init(self.switch_configuration, terminal_controller, LOGGER, IosPipingProcessor(LOGGER))
        return IosShellSession(processor, self.switch, record=False)

    def new_command_processor(self) -> IosMode:
        return make_exec_modes(auto_enable=True)

    @staticmethod
    def get_default_ports() -> list[Any]:
        return []

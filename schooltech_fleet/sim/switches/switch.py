"""One emulated switch: configuration, saved config, faults, and fake-switches' core to open sessions."""

from __future__ import annotations

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
from schooltech_fleet.sim.switches.modes_base import IosMode
from schooltech_fleet.sim.switches.piping import IosPipingProcessor
from schooltech_fleet.sim.switches.session import DiscardingTerminal, IosShellSession
from schooltech_fleet.sim.switches.spec import SwitchSpec
from schooltech_fleet.sim.switches.state import DEFAULT_HOSTNAME, SwitchState

LOGGER = logging.getLogger("schooltech_fleet.sim.switches")
_HEADER = re.compile(r"^(Building configuration|Current configuration|Using \d+ out of)")


class ConfigLoadError(SimulationError):
    """A configuration text contained lines the emulator refused."""


class EmulatedSwitch:
    """A Catalyst switch running IOS 15.2, as far as the emulator goes."""

    def __init__(self, spec: SwitchSpec) -> None:
        self.spec = spec
        self.faults = FaultState()
        self.command_log: list[str] = []
        self.sessions: set[Any] = set()
        self.core = IosSwitchCore(self)
        self.state = SwitchState.factory_default(spec.interfaces, hostname=spec.name)
        self.state = self._boot_state()
        self.saved_config = self.running_config()
        self._boot_saved_config = self.saved_config

    def _boot_state(self) -> SwitchState:
        if self.spec.startup_config is None:
            return SwitchState.factory_default(self.spec.interfaces, hostname=self.spec.name)
        return self.parse_config(self.spec.startup_config)

    def running_config(self) -> str:
        """``show running-config`` from the first ``!`` to ``end``."""
        return render.running_config(self.state)

    def write_memory(self) -> None:
        """``write memory``: the startup-config becomes the running-config."""
        self.saved_config = self.running_config()

    def parse_config(self, text: str) -> SwitchState:
        """The state a factory-default switch reaches after ``text`` is typed in config mode.

        Raises ConfigLoadError listing every refused line; the current state is untouched.
        """
        current = self.state
        self.state = SwitchState.factory_default(self.spec.interfaces, DEFAULT_HOSTNAME)
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

    def merge_config(self, text: str) -> None:
        """Type ``text`` in config mode; refused lines raise ConfigLoadError after the rest applied."""
        errors = self._apply(text)
        if errors:
            raise ConfigLoadError(f"switch {self.spec.name}: configuration refused:\n" + "\n".join(errors))

    def reset(self) -> None:
        """Back to the state the switch booted with; faults and the command log are cleared."""
        self.state = self._boot_state()
        self.saved_config = self._boot_saved_config
        self.faults = FaultState()
        self.command_log.clear()

    def disconnect(self) -> int:
        """Abort every open SSH session (as a reload would); returns how many there were."""
        sessions = list(self.sessions)
        for session in sessions:
            session.abort()
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
        super().__init__("127.0.0.1", name=switch.spec.name, auto_enabled=switch.spec.enable_secret is None)
        self.switch = switch


class IosSwitchCore(BaseCiscoSwitchCore):  # type: ignore[misc]
    """fake-switches' Cisco core, launching sessions on the IOS modes of this package."""

    def __init__(self, switch: EmulatedSwitch) -> None:
        super().__init__(IosSwitchConfiguration(switch))
        self.switch = switch

    def launch(self, protocol: str, terminal_controller: TerminalController) -> IosShellSession:
        """A new CLI session (called by the SSH shell for each connection)."""
        processor = make_exec_modes(auto_enable=self.switch.spec.enable_secret is None)
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

"""One CLI session: runs lines through the IOS modes, prints errors, applies injected faults."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from fake_switches.cisco.cisco_core import CiscoShellSession
from fake_switches.terminal import TerminalController

from schooltech_fleet.sim.switches.cli_errors import InvalidInput
from schooltech_fleet.sim.switches.modes_base import IosMode

if TYPE_CHECKING:
    from schooltech_fleet.sim.switches.switch import EmulatedSwitch


class ConnectionDropRequested(Exception):
    """Raised inside a session when ``drop_after`` fires; the SSH layer aborts the TCP connection."""


class IosShellSession(CiscoShellSession):  # type: ignore[misc]
    """Runs each line, prints IOS-style errors, applies injected faults, keeps the command log.

    After each line of an SSH session the farm's management paths are evaluated again.
    """

    def __init__(self, processor: IosMode, switch: EmulatedSwitch, *, record: bool = True) -> None:
        self.switch = switch
        self.record = record
        super().__init__(processor)

    def active_mode(self) -> IosMode:
        """The deepest mode, whose prompt is showing."""
        mode: IosMode = self.command_processor
        while mode.sub_processor is not None:
            mode = mode.sub_processor
        return mode

    def receive(self, line: str) -> bool:
        """Handle one line typed over SSH; False closes the connection."""
        mode = self.active_mode()
        if self.record and line.strip() and mode.replace_input is False:
            self.switch.command_log.append(line.strip())
            if self.switch.faults.holds(line):  # no answer until the control channel releases it
                self.switch.faults.held = (self, line)
                return True
        return self.process(line)

    def process(self, line: str) -> bool:
        """Run one received line with the injected faults; False closes the connection."""
        mode = self.active_mode()
        if self.record and mode.in_config and line.strip():
            if self.switch.faults.drop_now():
                raise ConnectionDropRequested(self.switch.spec.name)
            if mode.continuing_to is None and self.switch.faults.rejects(line):
                indent = len(line) - len(line.lstrip())
                self._print(InvalidInput(indent, depth=0).lines(mode.get_prompt()))
                mode.show_prompt()
                return True
        self.run_line(line)
        if self.record:
            self.switch.fabric.enforce()
        return not self.command_processor.is_done

    def run_line(self, line: str) -> bool:
        """Run ``line``; on failure print the error like IOS and return False."""
        prompt = self.active_mode().get_prompt()
        processor: IosMode = self.command_processor
        if processor.process_command(line):
            return True
        error = processor.last_error or InvalidInput(0, depth=0)
        self._print(error.lines(prompt))
        processor.show_prompt()
        return False

    def _print(self, lines: list[str]) -> None:
        self.command_processor.terminal_controller.write("\n".join(lines) + "\n")


class DiscardingTerminal(TerminalController):  # type: ignore[misc]
    """Terminal of headless sessions: output is thrown away."""

    def write(self, text: str) -> None:
        pass

    def add_any_key_handler(self, callback: Callable[..., None], *params: Any) -> None:
        pass

    def remove_any_key_handler(self) -> None:
        pass

"""What every emulated IOS mode shares: keyword dispatch, ``no`` forms, falling back to the parent.

Builds on fake-switches' ``BaseCommandProcessor`` (prompts, sub-modes, continuations, piping)
but replaces its ``do_*`` dispatch with IOS semantics:

* keywords may be abbreviated; unknown, incomplete and ambiguous input raise ``CliError``;
* a line a configuration sub-mode cannot parse is tried by its parent mode, and if the parent
  accepts it the sub-mode is left (``hostname X`` typed in ``(config-if)#`` lands in
  ``(config)#``), so ``end`` works from any sub-mode;
* when every mode refuses a line the error of the mode that understood most of it is kept in
  ``last_error`` for the session to print.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from fake_switches.command_processing.base_command_processor import BaseCommandProcessor

from schooltech_fleet.sim.switches.cli_args import Args
from schooltech_fleet.sim.switches.cli_errors import AmbiguousCommand, CliError, InvalidInput, deepest

if TYPE_CHECKING:
    from schooltech_fleet.sim.switches.state import SwitchState
    from schooltech_fleet.sim.switches.switch import EmulatedSwitch


class IosMode(BaseCommandProcessor):  # type: ignore[misc]
    """Base of every mode; subclasses list ``keywords`` and implement ``cmd_<keyword>``.

    A handler is called as ``cmd_<keyword>(args, negated)`` with the words after the keyword.
    """

    keywords: ClassVar[tuple[str, ...]] = ()
    no_keywords: ClassVar[tuple[str, ...]] = ()
    prompt_suffix: ClassVar[str] = "#"
    in_config: ClassVar[bool] = False
    falls_back_to_parent: ClassVar[bool] = False
    supports_pipes: ClassVar[bool] = False

    last_error: CliError | None = None
    sub_processor: Any
    replace_input: str | bool
    _entered_sub_mode = False
    _stay_in_sub_mode = False

    def init(self, switch_configuration: Any, terminal_controller: Any, logger: Any,
             piping_processor: Any, *args: Any) -> None:  # fmt: skip
        """Called by fake-switches each time the mode is entered."""
        super().init(switch_configuration, terminal_controller, logger, piping_processor, *args)
        self.last_error = None

    @property
    def switch(self) -> EmulatedSwitch:
        """The emulated switch this session talks to."""
        switch: EmulatedSwitch = self.switch_configuration.switch
        return switch

    @property
    def state(self) -> SwitchState:
        """The switch's current configuration."""
        return self.switch.state

    def get_prompt(self) -> str:
        return self.state.hostname + self.prompt_suffix

    def process_command(self, line: str) -> bool:
        """Run ``line`` in the deepest active mode, falling back towards this one."""
        self.last_error = None
        child: IosMode | None = self.sub_processor
        fallback_error: CliError | None = None
        if child is not None:
            if child.process_command(line):
                if child.is_done:
                    self.sub_processor = None
                    self.on_child_done(child)
                return True
            fallback_error = child.last_error
            if not child.falls_back_to_parent or isinstance(fallback_error, AmbiguousCommand):
                self.last_error = fallback_error
                return False
        if self.continuing_to is not None:
            self.continue_command(line)
            self._prompt_if_idle()
            return True
        command = line
        if child is None and self.supports_pipes and " | " in line:
            command, pipe = line.split(" | ", 1)
            if not self.activate_piping(pipe):
                self.last_error = InvalidInput(len(command) + 3, depth=0)
                return False
        self._entered_sub_mode = self._stay_in_sub_mode = False
        try:
            self.execute(command)
        except CliError as error:
            self.finish_piping()
            self.last_error = deepest(fallback_error, error)
            return False
        if child is not None and not (self._entered_sub_mode or self._stay_in_sub_mode):
            self.sub_processor = None
        if not self._entered_sub_mode:
            self._prompt_if_idle()
        return True

    def move_to(self, new_processor: IosMode, *args: Any) -> None:
        """Enter a sub-mode (fake-switches re-initialises the processor and shows its prompt)."""
        self._entered_sub_mode = True
        super().move_to(new_processor, *args)

    def on_child_done(self, child: IosMode) -> None:
        """A sub-mode exited (``exit``/``end``): show this mode's prompt again."""
        if not self.is_done:
            self.show_prompt()

    def stay_in_sub_mode(self) -> None:
        """Called by a handler (``do ...``) that must not leave the sub-mode it was typed in."""
        self._stay_in_sub_mode = True

    def _prompt_if_idle(self) -> None:
        if self.continuing_to or self.awaiting_keystroke or self.is_done:
            return
        self.finish_piping()
        self.show_prompt()

    def execute(self, line: str) -> None:
        """Dispatch one line to ``cmd_<keyword>``; comments and empty lines do nothing."""
        args = Args(line)
        if not args or line.lstrip().startswith("!"):
            return
        keyword = args.keyword(*self.keywords, *(("no",) if self.no_keywords else ()))
        negated = keyword == "no"
        if negated:
            keyword = args.keyword(*self.no_keywords)
        handler = getattr(self, "cmd_" + keyword.replace("-", "_"))
        handler(args, negated)

    def cmd_exit(self, args: Args, negated: bool) -> None:
        """``exit``: leave this mode."""
        args.end()
        self.is_done = True


class ConfigMode(IosMode):
    """Base of every configuration mode (``(config...)#`` prompts)."""

    in_config = True
    mode_name: ClassVar[str] = "config"

    def get_prompt(self) -> str:
        return f"{self.state.hostname}({self.mode_name})#"


class ConfigSubMode(ConfigMode):
    """A mode under ``(config)#``: lines it cannot parse are tried by global configuration."""

    falls_back_to_parent = True

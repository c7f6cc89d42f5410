"""User EXEC (``Switch>``) and privileged EXEC (``Switch#``) modes."""

from __future__ import annotations

from fake_switches.cisco.command_processor.default import DefaultCommandProcessor
from fake_switches.cisco.command_processor.enabled import EnabledCommandProcessor, version_text

from schooltech_fleet.errors import SimulationError
from schooltech_fleet.sim.switches import render
from schooltech_fleet.sim.switches.cli_args import Args
from schooltech_fleet.sim.switches.cli_errors import InvalidInput, UnknownCommand
from schooltech_fleet.sim.switches.config_global import GlobalConfigMode, make_config_mode
from schooltech_fleet.sim.switches.interface_names import resolve_interface
from schooltech_fleet.sim.switches.mac_table import dotted_mac, show_mac_address_table
from schooltech_fleet.sim.switches.modes_base import IosMode

_ENABLE_ATTEMPTS = 3
MAX_REVERT_MINUTES = 120
CONFIG_BANNER = "Enter configuration commands, one per line.  End with CNTL/Z."


class ExecMode(IosMode):
    """Shared by both EXEC levels: a lone unknown word is looked up as a host name, as in IOS."""

    supports_pipes = True

    def execute(self, line: str) -> None:
        try:
            super().execute(line)
        except InvalidInput as error:
            words = line.split()
            if error.depth == 0 and len(words) == 1:
                raise UnknownCommand(words[0]) from None
            raise

    def cmd_terminal(self, args: Args, negated: bool) -> None:
        """``terminal length N`` / ``terminal width N`` / ``terminal [no] monitor``: accepted."""
        setting = args.keyword("length", "width", "monitor", "no")
        if setting == "no":
            args.keyword("monitor")
        elif setting in ("length", "width"):
            args.integer(0, 512)
        args.end()

    def cmd_logout(self, args: Args, negated: bool) -> None:
        """``logout``: close the session."""
        self.cmd_exit(args, negated)

    def cmd_quit(self, args: Args, negated: bool) -> None:
        """``quit``: close the session."""
        self.cmd_exit(args, negated)

    def show_version(self) -> None:
        """``show version`` (fake-switches' Catalyst text)."""
        ports = len(self.state.ports)
        self.write(version_text(hostname=self.state.hostname, vlan_port_count=len(self.state.svis),
                                port_count=ports))  # fmt: skip


class PrivilegedExecMode(ExecMode, EnabledCommandProcessor):  # type: ignore[misc]
    """``Switch#``: show, configure (with the revert timer), write memory, copy, archive config."""

    keywords = ("archive", "configure", "copy", "enable", "exit", "logout", "quit", "show", "terminal", "write")

    def __init__(self, config: GlobalConfigMode, username: str) -> None:
        super().__init__(config)
        config.exec_mode = self
        self.username = username

    def cmd_enable(self, args: Args, negated: bool) -> None:
        """``enable`` when already enabled does nothing."""

    def cmd_archive(self, args: Args, negated: bool) -> None:
        """``archive config``: store the running-config in the configuration archive."""
        args.keyword("config")
        args.end()
        self.switch.rollback.archive()

    def cmd_configure(self, args: Args, negated: bool) -> None:
        """``configure terminal [revert timer M]``, ``configure confirm``, ``configure revert now|timer M``.

        ``configure`` alone asks where from. See ``rollback.py`` for the revert timer.
        """
        if args.done:
            self.write("Configuring from terminal, memory, or network [terminal]? ")
            self.continue_to(self._configure_from)
            return
        action = args.keyword("confirm", "revert", "terminal")
        rollback = self.switch.rollback
        if action == "confirm":
            args.end()
            rollback.confirm(self.username)
        elif action == "revert":
            if args.keyword("now", "timer") == "now":
                args.end()
                rollback.revert()
            else:
                minutes = args.integer(1, MAX_REVERT_MINUTES)
                args.end()
                rollback.restart(minutes)
        elif args.done:
            self._enter_config()
        else:
            args.keyword("revert")
            args.keyword("timer")
            minutes = args.integer(1, MAX_REVERT_MINUTES)
            args.end()
            archived = rollback.start(minutes, self.username)
            self.write_line(f"Rollback Confirmed Change: Backing up current running config to {archived.name}")
            self.write_line("")
            self._enter_config()

    def _configure_from(self, answer: str) -> None:
        if answer.strip() and not "terminal".startswith(answer.strip().lower()):
            self.write_line('?Must be "terminal", "memory" or "network"')
            return
        self._enter_config()

    def _enter_config(self) -> None:
        self.write_line(CONFIG_BANNER)
        self.move_to(self.config_processor)

    def cmd_write(self, args: Args, negated: bool) -> None:
        """``write`` / ``write memory``: save the running-config."""
        args.optional_keyword("memory")
        args.end()
        self.write_line("Building configuration...")
        self.switch.write_memory()
        self.write_line("[OK]")

    def cmd_copy(self, args: Args, negated: bool) -> None:
        """``copy running-config startup-config`` (asks for the destination file name)."""
        args.keyword("running-config", "system:running-config")
        args.keyword("startup-config", "nvram:startup-config")
        args.end()
        self.write("Destination filename [startup-config]? ")
        self.continue_to(self._copy_confirmed)

    def _copy_confirmed(self, answer: str) -> None:
        if answer.strip() and answer.strip() != "startup-config":
            self.write_line("%Error opening nvram:" + answer.strip() + " (Permission denied)")
            return
        self.cmd_write(Args(""), negated=False)

    def cmd_show(self, args: Args, negated: bool) -> None:
        """``show running-config [interface X]``, ``startup-config``, ``vlan [brief]``, ``version``, ``archive``,
        ``archive config rollback timer``, ``mac address-table [dynamic|static] [vlan N] [address M]
        [interface X]``."""
        topic = args.keyword("archive", "mac", "running-config", "startup-config", "version", "vlan")
        if topic == "mac":
            self._show_mac_address_table(args)
        elif topic == "archive":
            if args.done:
                self.write_lines(self.switch.rollback.show_archive())
                return
            for word in ("config", "rollback", "timer"):
                args.keyword(word)
            args.end()
            self.write_lines(self.switch.rollback.show_timer())
        elif topic == "running-config":
            self._show_running_config(args)
        elif topic == "startup-config":
            args.end()
            saved = self.switch.saved_config
            self.write_lines([f"Using {len(saved)} out of 524288 bytes", *saved.splitlines(), ""])
        elif topic == "vlan":
            args.optional_keyword("brief")
            args.end()
            self.write_lines(render.show_vlan_brief(self.state))
        else:
            args.end()
            self.show_version()

    def _show_mac_address_table(self, args: Args) -> None:
        args.keyword("address-table")
        kind = interface = mac = None
        vlan: int | None = None
        while not args.done:
            choice = args.keyword("address", "dynamic", "interface", "static", "vlan")
            if choice in ("dynamic", "static"):
                kind = choice
            elif choice == "vlan":
                vlan = args.vlan_id()
            elif choice == "address":
                try:
                    mac = dotted_mac(args.word())
                except SimulationError:
                    raise args.invalid(args.index - 1) from None
            else:
                interface = resolve_interface(args, self.state, allow_new_svi=False)
        self.write_lines(show_mac_address_table(self.switch, kind=kind, vlan=vlan, interface=interface, mac=mac))

    def _show_running_config(self, args: Args) -> None:
        if args.optional_keyword("interface") is None:
            self.write_lines(render.show_running_config(self.state))
            return
        name = resolve_interface(args, self.state, allow_new_svi=False)
        self.write_lines(render.show_running_interface(self.state, name))

    def write_lines(self, lines: list[str]) -> None:
        """Write lines one by one so ``| include``-style pipes can filter them."""
        for line in lines:
            self.write_line(line)

    def run_from_config(self, line: str) -> None:
        """``do LINE`` typed in configuration mode; pipes are honoured."""
        command, _, pipe = line.partition(" | ")
        if pipe and not self.activate_piping(pipe):
            raise InvalidInput(0, depth=0)
        try:
            Args(command).keyword("show", "write", "terminal")
            self.execute(command)
        finally:
            self.finish_piping()


class UserExecMode(ExecMode, DefaultCommandProcessor):  # type: ignore[misc]
    """``Switch>``: only ``enable`` (with the enable secret), ``terminal``, ``show version``."""

    keywords = ("enable", "exit", "logout", "quit", "show", "terminal")
    prompt_suffix = ">"

    def __init__(self, enabled: PrivilegedExecMode) -> None:
        super().__init__(enabled)
        self._attempts = 0

    def cmd_show(self, args: Args, negated: bool) -> None:
        """``show version``."""
        args.keyword("version")
        args.end()
        self.show_version()

    def cmd_enable(self, args: Args, negated: bool) -> None:
        """``enable``: prompts for the enable secret (the running-config's, else the spec's), three attempts."""
        args.end()
        if self.switch.check_enable("") is None:
            self.write_line("% No password set")
            return
        self._attempts = 0
        self._ask_secret()

    def _ask_secret(self) -> None:
        self.write("Password: ")
        self.replace_input = ""
        self.continue_to(self._check_secret)

    def _check_secret(self, secret: str) -> None:
        self.replace_input = False
        if self.switch.check_enable(secret):
            self.move_to(self.enabled_processor)
            return
        self._attempts += 1
        if self._attempts < _ENABLE_ATTEMPTS:
            self._ask_secret()
        else:
            self.write_line("% Bad secrets")
            self.write_line("")

    def on_child_done(self, child: IosMode) -> None:
        """``exit`` in privileged EXEC ends the whole session."""
        self.is_done = True


def make_exec_modes(auto_enable: bool, username: str = "console") -> IosMode:
    """The mode tree of a new session of ``username``, starting enabled or at ``Switch>``."""
    enabled = PrivilegedExecMode(make_config_mode(), username)
    return enabled if auto_enable else UserExecMode(enabled)

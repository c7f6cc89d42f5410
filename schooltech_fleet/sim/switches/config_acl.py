"""Named ACL modes ``(config-ext-nacl)#`` and ``(config-std-nacl)#``, with sequence numbers like IOS 12.3+."""

from __future__ import annotations

from typing import Any

from fake_switches.command_processing.base_command_processor import BaseCommandProcessor

from schooltech_fleet.sim.switches.acl import parse_ace, parse_standard_ace
from schooltech_fleet.sim.switches.cli_args import Args, match_keyword
from schooltech_fleet.sim.switches.cli_errors import CommandRejected
from schooltech_fleet.sim.switches.modes_base import ConfigSubMode
from schooltech_fleet.sim.switches.state import AccessList, AclEntry

MAX_SEQUENCE = 2_147_483_647
MAX_REMARK = 100


class AclMode(ConfigSubMode, BaseCommandProcessor):  # type: ignore[misc]
    """``[N] permit|deny ...``, ``remark TEXT``, ``no N``, ``no permit|deny|remark ...`` (standard or extended)."""

    keywords = ("deny", "exit", "permit", "remark")
    no_keywords = ("deny", "permit", "remark")

    acl: AccessList

    def init(self, *args: Any) -> None:
        super().init(*args)
        self.acl = args[4]

    def get_prompt(self) -> str:
        return f"{self.state.hostname}(config-{'std' if self.acl.kind == 'standard' else 'ext'}-nacl)#"

    def execute(self, line: str) -> None:
        words = line.split()
        if words and words[0].isdigit():
            self._numbered_entry(Args(line))
        elif len(words) > 1 and match_keyword(words[0], ["no"]) and words[1].isdigit():
            args = Args(line)
            args.word()
            sequence = args.integer(1, MAX_SEQUENCE)
            args.remaining()
            self.acl.entries[:] = [entry for entry in self.acl.entries if entry.sequence != sequence]
        else:
            super().execute(line)

    def _numbered_entry(self, args: Args) -> None:
        sequence = args.integer(1, MAX_SEQUENCE)
        action = args.keyword("deny", "permit", "remark")
        text = self._entry_text(action, args)
        if action == "remark":
            self.acl.entries.insert(self.acl.position_for(sequence), AclEntry(None, text))
            return
        if any(entry.sequence == sequence for entry in self.acl.entries):
            raise CommandRejected("% Duplicate sequence number")
        if not self._is_duplicate(text):
            self.acl.entries.insert(self.acl.position_for(sequence), AclEntry(sequence, text))

    def _entry_text(self, action: str, args: Args) -> str:
        return entry_text(self.acl, action, args)

    def _is_duplicate(self, text: str) -> bool:
        return any(entry.text == text for entry in self.acl.entries)

    def _add_or_remove(self, action: str, args: Args, negated: bool) -> None:
        text = self._entry_text(action, args)
        if negated:
            self.acl.entries[:] = [entry for entry in self.acl.entries if entry.text != text]
        else:
            add_entry(self.acl, text)

    def cmd_permit(self, args: Args, negated: bool) -> None:
        """``permit PROTOCOL SOURCE [PORTS] DESTINATION [PORTS] [OPTIONS]``."""
        self._add_or_remove("permit", args, negated)

    def cmd_deny(self, args: Args, negated: bool) -> None:
        """``deny PROTOCOL SOURCE [PORTS] DESTINATION [PORTS] [OPTIONS]``."""
        self._add_or_remove("deny", args, negated)

    def cmd_remark(self, args: Args, negated: bool) -> None:
        """``remark TEXT`` (up to 100 characters); it takes no sequence number."""
        self._add_or_remove("remark", args, negated)


def entry_text(acl: AccessList, action: str, args: Args) -> str:
    """The canonical text of a ``permit``, ``deny`` or ``remark`` entry of ``acl``."""
    if action == "remark":
        remark = args.rest()
        if len(remark) > MAX_REMARK:
            raise args.invalid()
        return f"remark {remark}"
    return parse_standard_ace(action, args) if acl.kind == "standard" else parse_ace(action, args)


def add_entry(acl: AccessList, text: str) -> None:
    """Append an entry typed without a sequence number (an identical entry is not added twice)."""
    if text.startswith("remark "):
        acl.entries.append(AclEntry(None, text))
    elif not any(entry.text == text for entry in acl.entries):
        acl.entries.append(AclEntry(acl.next_sequence(), text))

"""Interface names as IOS accepts them: ``gi1/0/1``, ``Gi 1/0/1``, ``vlan 10``, ``Te1/1/1``."""

from __future__ import annotations

import re

from schooltech_fleet.sim.switches.cli_args import MAX_VLAN, MIN_VLAN, Args, match_keyword
from schooltech_fleet.sim.switches.cli_errors import AmbiguousCommand, InvalidInput
from schooltech_fleet.sim.switches.state import SwitchState

VLAN_TYPE = "Vlan"
_NAME = re.compile(r"^([A-Za-z-]+)([0-9][0-9/.:]*)$")


def split_interface_name(name: str) -> tuple[str, str]:
    """``GigabitEthernet1/0/1`` -> (``GigabitEthernet``, ``1/0/1``); ValueError if malformed."""
    match = _NAME.match(name)
    if not match:
        raise ValueError(f"not an interface name: {name!r}")
    return match.group(1), match.group(2)


def resolve_interface(args: Args, state: SwitchState, *, allow_new_svi: bool) -> str:
    """Consume the rest of ``args`` as an interface name and return its full IOS spelling.

    Physical interfaces must exist on the switch; ``VlanN`` may be new when ``allow_new_svi``.
    """
    words = args.remaining()
    if not words:
        raise args.incomplete()
    text = "".join(word for word, _ in words)
    start = words[0][1]
    prefix = re.match(r"[A-Za-z-]*", text)
    type_text = prefix.group() if prefix else ""
    number = text[len(type_text) :]
    types = {split_interface_name(name)[0] for name in state.ports} | {VLAN_TYPE}
    matches = match_keyword(type_text.lower(), [kind.lower() for kind in types]) if type_text else []
    if not matches:
        raise InvalidInput(start, depth=args.index)
    if len(matches) > 1:
        raise AmbiguousCommand(args.line, depth=args.index)
    kind = next(kind for kind in types if kind.lower() == matches[0])
    number_position = start + len(type_text) if len(words[0][0]) > len(type_text) else words[-1][1]
    if not number:
        raise args.incomplete()
    if kind == VLAN_TYPE:
        if not number.isdigit() or not MIN_VLAN <= int(number) <= MAX_VLAN:
            raise InvalidInput(number_position, depth=args.index)
        if not allow_new_svi and int(number) not in state.svis:
            raise InvalidInput(number_position, depth=args.index)
        return f"{VLAN_TYPE}{int(number)}"
    name = kind + number
    if name not in state.ports:
        raise InvalidInput(number_position, depth=args.index)
    return name

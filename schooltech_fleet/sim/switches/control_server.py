"""Twisted side of the control channel (see ``control_protocol``)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from twisted.internet import protocol as _protocol
from twisted.protocols import basic as _basic

from schooltech_fleet.sim.switches.control_protocol import MAX_LINE, handle_request
from schooltech_fleet.sim.switches.switch import EmulatedSwitch

# Twisted's zope interfaces confuse mypy without the mypy-zope plugin: use it untyped.
protocol: Any = _protocol
basic: Any = _basic


class ControlLineProtocol(basic.LineReceiver):  # type: ignore[misc]
    """One client connection: a JSON request per line, a JSON reply per line."""

    delimiter = b"\n"
    MAX_LENGTH = MAX_LINE

    def __init__(self, switches: Mapping[str, EmulatedSwitch], ports: Mapping[str, int]) -> None:
        self.switches = switches
        self.ports = ports

    def lineReceived(self, line: bytes) -> None:
        self.sendLine(handle_request(self.switches, self.ports, line))


class ControlFactory(protocol.Factory):  # type: ignore[misc]
    """Builds a ``ControlLineProtocol`` per control connection."""

    def __init__(self, switches: Mapping[str, EmulatedSwitch], ports: Mapping[str, int]) -> None:
        self.switches = switches
        self.ports = ports

    def buildProtocol(self, addr: object) -> ControlLineProtocol:
        return ControlLineProtocol(self.switches, self.ports)

"""Scalars as a school file writes them: text, numbers and booleans never turn into one another.

The YAML reader (:mod:`.yamlsource`) gives text, whole numbers, decimals, booleans and null.
Every model of the format validates in pydantic's strict mode, so a field that wants a number
refuses ``true`` and ``"10"``, one that wants a boolean refuses ``"yes"`` and ``1``, and one
that wants text refuses ``10``. (Lax mode would take ``id: true`` as VLAN 1 and
``seats: true`` as one seat.) A decimal field takes a whole number: 5 is 5.0.

Dates, times, addresses and the names of enumerations are parsed from text, and from text
only: pydantic would otherwise read a number as a date (seconds since 1970), as an address
(167772161 is 10.0.0.1) or as a time (seconds after midnight). Each of these types refuses
anything but text before parsing (``TEXT`` then lets the parser read the string).
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import re
from collections.abc import Callable
from typing import Annotated, Any

from pydantic import BeforeValidator, PlainSerializer, Strict
from pydantic_core import PydanticCustomError

TEXT = Strict(False)
"""Parse this field from its text (an enumeration's name, a date, an address): strict mode wants the object."""

HINTED = "hinted"
"""The error type of a refusal that carries its hint: its context holds the message and the hint."""


def hinted(message: str, hint: str) -> PydanticCustomError:
    """A validation error with a hint (``schooltech check`` shows both): what is wrong, and what to write."""
    return PydanticCustomError(HINTED, "{message}", {"message": message, "hint": hint})


def written(value: Any) -> str:
    """What a parsed YAML value is, in the words of a school file: ``true``, ``the number 10``, ``the text '10'``."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return f"the number {value}"
    if isinstance(value, str):
        return f"the text {value!r}"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return "nothing (null)" if value is None else type(value).__name__


def _text_only(what: str, hint: str, pattern: re.Pattern[str], error_type: str, *parsed: type) -> Callable[[Any], Any]:
    """A before-validator: text matching *pattern* goes on to be parsed; text that does not is an *error_type* error."""

    def check(value: Any) -> Any:
        if isinstance(value, parsed):  # already parsed (a model merged with another)
            return value
        if isinstance(value, str):
            if pattern.match(value):
                return value
            raise PydanticCustomError(error_type, "not {what}", {"what": what})
        raise hinted(f"expected {what}, found {written(value)}", hint)

    return check


_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}\Z")
_TIME = re.compile(r"[0-9]{2}:[0-9]{2}\Z")
_ANY = re.compile(r"")

DATE_HINT = "write dates as YYYY-MM-DD, e.g. 2026-09-03"
TIME_HINT = 'write times as quoted "HH:MM", e.g. "08:45"'
ADDRESS_HINT = "write it as four numbers, e.g. 10.20.16.21"

Date = Annotated[dt.date, BeforeValidator(_text_only("a date", DATE_HINT, _DATE, "date_parsing", dt.date)), TEXT]
"""A date written ``YYYY-MM-DD`` (pydantic alone would take 1700000000, or a date with a time of day)."""

Time = Annotated[
    dt.time,
    BeforeValidator(_text_only("a time of day", TIME_HINT, _TIME, "time_parsing", dt.time)),
    TEXT,
    PlainSerializer(lambda t: t.strftime("%H:%M"), return_type=str),
]
"""A local time of day written ``HH:MM`` (no seconds, no time zone)."""

IPv4 = Annotated[
    ipaddress.IPv4Address,
    BeforeValidator(_text_only("an IPv4 address", ADDRESS_HINT, _ANY, "ip_v4_address", ipaddress.IPv4Address)),
    TEXT,
]
"""An IPv4 address written as text."""


def _strict_network(value: Any) -> Any:
    if isinstance(value, ipaddress.IPv4Network):
        return value
    if not isinstance(value, str):
        raise hinted(f"expected an IPv4 subnet, found {written(value)}", "write it as 10.20.16.0/21")
    try:
        return ipaddress.IPv4Network(value, strict=True)
    except ValueError as exc:
        if "host bits set" in str(exc):
            suggestion = ipaddress.IPv4Network(value, strict=False)
            raise ValueError(f"{value} has host bits set; the subnet is {suggestion}") from exc
        raise ValueError(f"not an IPv4 subnet ({exc}); write it as 10.20.16.0/21") from exc


Subnet = Annotated[ipaddress.IPv4Network, BeforeValidator(_strict_network), TEXT]
"""An IPv4 subnet written ``10.20.16.0/21``, without host bits."""


def _not_a_boolean(value: Any) -> Any:
    # Literal[1] takes true (True == 1 in Python), even in strict mode
    if isinstance(value, bool):
        raise hinted(f"expected the number 1, found {written(value)}", "write 1, not true")
    return value


ONE_NOT_TRUE = BeforeValidator(_not_a_boolean)
"""For ``Literal[1]`` fields (format versions): ``true`` is not 1."""

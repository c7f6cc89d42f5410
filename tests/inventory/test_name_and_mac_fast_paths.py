"""Device names and MAC addresses, read 30,000 times a district, give what the rule as written gives.

``render_name`` reads each naming pattern once (not once per device) and a MAC address already
written as six lower-case pairs is taken as it is; the rule each replaced is written out here and
both are held equal on generated input.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from schooltech_fleet.inventory.model import _normalise_mac
from schooltech_fleet.inventory.school import render_name

_FIELD = re.compile(r"\{(school|room|n)(?::(0?\d))?\}")


def name_as_written(pattern: str, school: str, room: str, n: int) -> str | None:
    if re.search(r"[{}]", _FIELD.sub("", pattern)):
        return None
    values: dict[str, Any] = {"school": school, "room": room, "n": n}

    def fill(match: re.Match[str]) -> str:
        value, width = values[match.group(1)], match.group(2)
        return f"{value:0{int(width)}d}" if width and isinstance(value, int) else str(value)

    return _FIELD.sub(fill, pattern)


def mac_as_written(value: str) -> str | ValueError:
    digits = "".join(c for c in value.lower() if c in "0123456789abcdef")
    if len(digits) != 12 or digits != value.lower().replace(":", "").replace("-", "").replace(".", ""):
        return ValueError()
    return ":".join(digits[i : i + 2] for i in range(0, 12, 2))


PIECES = st.sampled_from(["{school}", "{room}", "{n}", "{n:02}", "{n:4}", "{room:03}", "{x}", "{", "}", "-", "PC",
                          "L", "{n:0}", "{school:2}"])  # fmt: skip


@given(st.lists(PIECES, max_size=6).map("".join), st.sampled_from(["RVS", "A1"]), st.sampled_from(["C101", "LAB"]),
       st.integers(0, 12000))  # fmt: skip
def test_a_name_is_what_the_pattern_as_written_gives(pattern: str, school: str, room: str, n: int) -> None:
    assert render_name(pattern, school, room, n) == name_as_written(pattern, school, room, n)


HEX = "0123456789abcdefABCDEF"


@given(st.one_of(
    st.lists(st.text(HEX, min_size=2, max_size=2), min_size=6, max_size=6).flatmap(
        lambda pairs: st.sampled_from([":", "-", "", "."]).map(lambda sep: sep.join(pairs))),
    st.text("0123456789abcdefABCDEFg:-. \n", max_size=20),
))  # fmt: skip
def test_a_mac_address_reads_as_the_rule_as_written_reads_it(value: str) -> None:
    expected = mac_as_written(value)
    if isinstance(expected, ValueError):
        with pytest.raises(ValueError, match="not a MAC address"):
            _normalise_mac(value)
    else:
        assert _normalise_mac(value) == expected


def test_a_mac_address_with_a_newline_after_it_is_not_taken_as_it_is() -> None:
    with pytest.raises(ValueError, match="not a MAC address"):
        _normalise_mac("3c:52:82:1a:2b:3c\n")

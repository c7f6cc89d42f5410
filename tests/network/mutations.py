"""Change a switch config the way hands, consoles and odd firmware do, deterministically from a seed.

Each mutation edits a list of config lines in place and says what it did, so that a failing
case can be read and replayed. The edits aim at what the plan's section pruning must get
right: lines inside sections, whole sections, headers that appear twice, collapsed VLAN
lists (``vlan 30-32``), ACL entries, banners (not indented: hier_config reads them whole),
comments between a header and its lines, odd spacing and volatile lines.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable

from schooltech_fleet.network.render import vlan_list

Mutation = Callable[[random.Random, list[str]], str]

_VOLATILE = (
    "Building configuration...",
    "Current configuration : 8123 bytes",
    "! Last configuration change at 10:11:12 UTC Sat Nov 28 2026 by admin",
    "! NVRAM config last updated at 09:00:01 UTC Fri Nov 27 2026",
    "ntp clock-period 36028797",
)
_TOP_LINES = (
    "logging host 10.9.9.{n}",
    "ntp server 10.9.8.{n}",
    "ip default-gateway 10.9.7.{n}",
    "no ip http server",
    "snmp-server location rack {n}",
    "ip domain-name site{n}.example",
)


def _children(lines: list[str]) -> list[int]:
    return [i for i, line in enumerate(lines) if line.startswith(" ")]


def _headers(lines: list[str]) -> list[int]:
    return [i for i, line in enumerate(lines) if line[:1] not in ("", " ", "!", ";") and line != "end"]


def _section_end(lines: list[str], header: int) -> int:
    end = header + 1
    while end < len(lines) and lines[end].startswith(" "):
        end += 1
    return end


def _position(rng: random.Random, lines: list[str]) -> int:
    """Where a new top-level line or section may go: before a header (so no section is split)."""
    return rng.choice(_headers(lines) or [len(lines)])


def drop_line(rng: random.Random, lines: list[str]) -> str:
    index = rng.choice(_children(lines) or [0])
    return f"dropped line {index + 1} {lines.pop(index)!r}"


def alter_line(rng: random.Random, lines: list[str]) -> str:
    index = rng.choice(_children(lines) or [0])
    before = lines[index]
    numbers = list(re.finditer(r"\d+", before))
    if numbers and rng.random() < 0.6:
        number = rng.choice(numbers)
        after = f"{before[: number.start()]}{rng.randint(1, 4094)}{before[number.end() :]}"
    elif before.strip() == "shutdown":
        after = before.replace("shutdown", "no shutdown")
    else:
        after = f"{before} edited"
    lines[index] = after
    return f"line {index + 1} {before!r} -> {after!r}"


def drop_section(rng: random.Random, lines: list[str]) -> str:
    header = rng.choice(_headers(lines))
    removed = lines[header : _section_end(lines, header)]
    del lines[header : header + len(removed)]
    return f"dropped section {removed[0]!r} ({len(removed)} lines)"


def duplicate_header(rng: random.Random, lines: list[str]) -> str:
    """The same header again elsewhere, with some of its lines (hier_config merges the two)."""
    header = rng.choice(_headers(lines))
    body = lines[header + 1 : _section_end(lines, header)]
    copy = [lines[header], *rng.sample(body, k=rng.randint(0, len(body)))]
    if rng.random() < 0.5:
        copy.append(" description second copy")
    at = _position(rng, lines)
    lines[at:at] = copy
    return f"{copy[0]!r} again at line {at + 1} with {copy[1:]}"


def collapsed_vlans(rng: random.Random, lines: list[str]) -> str:
    """A ``vlan 30-32,40`` line (as IOS shows unnamed VLANs), or a trunk's allowed list rewritten."""
    ids = sorted(rng.sample([10, 20, 30, 31, 32, 33, 40, 41, 42, 50, 99, 100, 101, 102, 103], k=rng.randint(2, 6)))
    text = vlan_list(ids)
    trunks = [i for i, line in enumerate(lines) if line.startswith(" switchport trunk allowed vlan ")]
    if trunks and rng.random() < 0.4:
        index = rng.choice(trunks)
        lines[index] = f" switchport trunk allowed vlan {text}"
        return f"line {index + 1}: trunk allows {text}"
    if "," not in text and "-" not in text:
        text = f"{text},{ids[0] + 1000}"
    at = _position(rng, lines)
    lines.insert(at, f"vlan {text}")
    return f"'vlan {text}' at line {at + 1}"


def edit_acl(rng: random.Random, lines: list[str]) -> str:
    acls = [i for i, line in enumerate(lines) if line.startswith("ip access-list ")]
    if not acls:
        at = _position(rng, lines)
        lines[at:at] = ["ip access-list extended MGMT-ONLY", " permit tcp 10.9.0.0 0.0.255.255 any eq 22",
                        " deny   ip any any log"]  # fmt: skip
        return f"new ACL MGMT-ONLY at line {at + 1}"
    header = rng.choice(acls)
    entries = list(range(header + 1, _section_end(lines, header)))
    choice = rng.randrange(4)
    if choice == 0 and entries:
        return f"ACL entry {lines.pop(rng.choice(entries))!r} dropped"
    if choice == 1 and len(entries) > 1:
        first, second = rng.sample(entries, k=2)
        lines[first], lines[second] = lines[second], lines[first]
        return f"ACL entries at lines {first + 1} and {second + 1} swapped"
    if choice == 2:
        at = rng.choice([*entries, header + 1])
        lines.insert(at, f" deny   tcp any host 10.9.9.{rng.randint(1, 254)} eq 23")
        return f"ACL entry added at line {at + 1}"
    lines[header] = f"{lines[header]}-OLD"
    return f"ACL renamed to {lines[header]!r}"


def banner(rng: random.Random, lines: list[str]) -> str:
    """A banner (its lines are not indented, or oddly), or a line of an existing banner changed."""
    existing = [i for i, line in enumerate(lines) if line == "banner motd ^C"]
    if existing:
        at = existing[0] + rng.randint(1, 2)
        lines.insert(at, rng.choice([f"Room {rng.randint(1, 99)}", f"  indented {rng.randint(1, 99)}"]))
        return f"banner line {lines[at]!r} added at line {at + 1}"
    text = rng.choice([
        ["banner motd ^CAuthorised use only^C"],
        ["banner motd ^C", "Authorised use only", f"Room {rng.randint(1, 99)}", "^C"],
        ["banner motd ^C", "Authorised use only", "  by staff of the school", "^C"],  # an "indented" banner line
    ])  # fmt: skip
    at = _position(rng, lines)
    lines[at:at] = [*text, "!"]
    return f"banner of {len(text)} lines at line {at + 1}"


def hostname(rng: random.Random, lines: list[str]) -> str:
    index = next(i for i, line in enumerate(lines) if line.startswith("hostname "))
    lines[index] = f"hostname RENAMED-{rng.randint(1, 99)}"
    return f"hostname -> {lines[index]!r}"


def comment(rng: random.Random, lines: list[str]) -> str:
    """A comment or blank line anywhere, even between a header and its lines."""
    at = rng.randint(1, len(lines) - 1)
    lines.insert(at, rng.choice(["!", "! edited by hand", "", "!!"]))
    return f"comment at line {at + 1}"


def spacing(rng: random.Random, lines: list[str]) -> str:
    index = rng.choice(_children(lines) or [0])
    before = lines[index]
    choice = rng.randrange(3)
    if choice == 0:
        lines[index] = before.replace(" ", "  ", 2)
    elif choice == 1:
        lines[index] = f"{before}   "
    else:
        lines[index] = f"  {before}"  # deeper: a child of the line above
    return f"spacing of line {index + 1} {before!r} -> {lines[index]!r}"


def top_line(rng: random.Random, lines: list[str]) -> str:
    line = rng.choice(_TOP_LINES).format(n=rng.randint(1, 254))
    at = _position(rng, lines)
    lines.insert(at, line)
    return f"{line!r} at line {at + 1}"


def new_section(rng: random.Random, lines: list[str]) -> str:
    n = rng.randint(0, 9)
    at = _position(rng, lines)
    lines[at:at] = [f"interface Loopback{n}", " description added", f" ip address 10.255.0.{n + 1} 255.255.255.255",
                    "!"]  # fmt: skip
    return f"interface Loopback{n} at line {at + 1}"


def move_section(rng: random.Random, lines: list[str]) -> str:
    header = rng.choice(_headers(lines))
    section = lines[header : _section_end(lines, header)]
    del lines[header : header + len(section)]
    at = _position(rng, lines)
    lines[at:at] = section
    return f"section {section[0]!r} moved to line {at + 1}"


def volatile(rng: random.Random, lines: list[str]) -> str:
    line = rng.choice(_VOLATILE)
    at = 0 if line[0] in "BC" else rng.randint(0, len(lines) - 1)
    lines.insert(at, line)
    return f"volatile {line!r} at line {at + 1}"


MUTATIONS: tuple[Mutation, ...] = (
    drop_line, alter_line, drop_section, duplicate_header, collapsed_vlans, edit_acl, banner, hostname, comment,
    spacing, top_line, new_section, move_section, volatile,
)  # fmt: skip


def mutate(rng: random.Random, text: str, count: int, choices: tuple[Mutation, ...] = MUTATIONS
           ) -> tuple[str, list[str]]:  # fmt: skip
    """*text* after *count* random mutations (of *choices*), and what they were."""
    lines = text.rstrip("\n").split("\n")
    done = [rng.choice(choices)(rng, lines) for _ in range(count)]
    return "\n".join(lines) + "\n", done

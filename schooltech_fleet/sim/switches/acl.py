"""ACL entries: parsed from the CLI, rewritten the way IOS stores and shows them, and evaluated.

IOS canonicalises what it is given: ``10.0.0.5 0.0.0.0`` becomes ``host 10.0.0.5``,
``0.0.0.0 255.255.255.255`` becomes ``any``, host bits under the wildcard are cleared, protocol
numbers and well-known ports are shown by name (``eq 80`` is shown as ``eq www``).
"""

from __future__ import annotations

import ipaddress

from schooltech_fleet.sim.switches.cli_args import Args
from schooltech_fleet.sim.switches.state import AccessList

PROTOCOL_NAMES = {
    "ahp": 51, "eigrp": 88, "esp": 50, "gre": 47, "icmp": 1, "igmp": 2, "ip": 0,
    "ipinip": 94, "nos": 4, "ospf": 89, "pcp": 108, "pim": 103, "tcp": 6, "udp": 17,
}  # fmt: skip
_PROTOCOL_BY_NUMBER = {number: name for name, number in PROTOCOL_NAMES.items() if name != "ip"}

TCP_PORTS = {
    "bgp": 179, "chargen": 19, "cmd": 514, "daytime": 13, "discard": 9, "domain": 53,
    "echo": 7, "exec": 512, "finger": 79, "ftp": 21, "ftp-data": 20, "gopher": 70,
    "hostname": 101, "ident": 113, "irc": 194, "klogin": 543, "kshell": 544, "login": 513,
    "lpd": 515, "nntp": 119, "pim-auto-rp": 496, "pop2": 109, "pop3": 110, "smtp": 25,
    "sunrpc": 111, "tacacs": 49, "talk": 517, "telnet": 23, "time": 37, "uucp": 540,
    "whois": 43, "www": 80,
}  # fmt: skip
UDP_PORTS = {
    "biff": 512, "bootpc": 68, "bootps": 67, "discard": 9, "dnsix": 195, "domain": 53,
    "echo": 7, "isakmp": 500, "mobile-ip": 434, "nameserver": 42, "netbios-dgm": 138,
    "netbios-ns": 137, "netbios-ss": 139, "non500-isakmp": 4500, "ntp": 123,
    "pim-auto-rp": 496, "rip": 520, "snmp": 161, "snmptrap": 162, "sunrpc": 111,
    "syslog": 514, "tacacs": 49, "talk": 517, "tftp": 69, "time": 37, "who": 513, "xdmcp": 177,
}  # fmt: skip
ICMP_TYPES = {
    "echo-reply": 0, "unreachable": 3, "source-quench": 4, "redirect": 5, "echo": 8,
    "time-exceeded": 11, "parameter-problem": 12,
}  # fmt: skip
_ICMP_BY_NUMBER = {number: name for name, number in ICMP_TYPES.items()}
_PORT_OPERATORS = ("eq", "gt", "lt", "neq", "range")
_ALL_ONES = 0xFFFFFFFF


def parse_ace(action: str, args: Args) -> str:
    """Parse the rest of ``permit|deny ...`` and return the canonical entry text."""
    protocol = _protocol(args)
    ports = _PORT_NAMES.get(protocol)
    words = [action, protocol, _address(args)]
    if ports is not None:
        words += _port_match(args, ports)
    words.append(_address(args))
    if ports is not None:
        words += _port_match(args, ports)
    words += _options(args, protocol)
    return " ".join(words)


_PORT_NAMES: dict[str, dict[str, int]] = {"tcp": TCP_PORTS, "udp": UDP_PORTS}


def _protocol(args: Args) -> str:
    token = args.peek()
    if token is not None and token.isdigit():
        number = args.integer(0, 255)
        return _PROTOCOL_BY_NUMBER.get(number, str(number))
    return args.keyword(*PROTOCOL_NAMES)


def _address(args: Args) -> str:
    token = args.peek()
    if token is not None and token.lower() in ("any", "host"):
        if args.keyword("any", "host") == "any":
            return "any"
        return f"host {args.ipv4()}"
    address = int(ipaddress.IPv4Address(args.ipv4()))
    wildcard = int(ipaddress.IPv4Address(args.ipv4()))
    if wildcard == 0:
        return f"host {ipaddress.IPv4Address(address)}"
    if wildcard == _ALL_ONES:
        return "any"
    network = ipaddress.IPv4Address(address & ~wildcard & _ALL_ONES)
    return f"{network} {ipaddress.IPv4Address(wildcard)}"


def _port_match(args: Args, names: dict[str, int]) -> list[str]:
    token = args.peek()
    if token is None or token.lower() not in _PORT_OPERATORS:
        return []
    operator = args.keyword(*_PORT_OPERATORS)
    count = 2 if operator == "range" else 1
    return [operator] + [_port(args, names) for _ in range(count)]


def _port(args: Args, names: dict[str, int]) -> str:
    token = args.word()
    if token.isdigit() and int(token) <= 65535:
        number = int(token)
    elif token.lower() in names:
        number = names[token.lower()]
    else:
        raise args.invalid(args.index - 1)
    by_number = {value: name for name, value in names.items()}
    return by_number.get(number, str(number))


def _options(args: Args, protocol: str) -> list[str]:
    words: list[str] = []
    if protocol == "icmp" and not args.done and args.peek() not in ("log", "log-input"):
        token = args.peek() or ""
        if token.isdigit():
            number = args.integer(0, 255)
            words.append(_ICMP_BY_NUMBER.get(number, str(number)))
        else:
            words.append(args.keyword(*ICMP_TYPES))
    if protocol == "tcp" and (args.peek() or "").lower() == "established":
        words.append(args.keyword("established"))
    logging = args.optional_keyword("log", "log-input")
    if logging:
        words.append(logging)
    args.end()
    return words


def display_entry(text: str) -> str:
    """How ``show running-config`` prints an entry: ``deny`` is padded to ``permit``'s width."""
    if text.startswith("deny "):
        return "deny   " + text[len("deny ") :]
    return text


def parse_standard_ace(action: str, args: Args) -> str:
    """Parse the rest of a standard ``permit|deny SOURCE [WILDCARD] [log]`` and return its canonical text.

    IOS shows a single host without ``host`` (``permit 10.0.0.5``) and ``any`` for an all-ones wildcard.
    """
    token = (args.peek() or "").lower()
    if token in ("any", "host"):
        source = "any" if args.keyword("any", "host") == "any" else args.ipv4()
    else:
        address = args.ipv4()
        following = args.peek() or ""
        if following[:1].isdigit():
            wildcard = int(ipaddress.IPv4Address(args.ipv4()))
            network = ipaddress.IPv4Address(int(ipaddress.IPv4Address(address)) & ~wildcard & _ALL_ONES)
            source = "any" if wildcard == _ALL_ONES else (
                str(network) if wildcard == 0 else f"{network} {ipaddress.IPv4Address(wildcard)}")  # fmt: skip
        else:
            source = address
    logging = args.optional_keyword("log")
    args.end()
    return " ".join([action, source, *([logging] if logging else [])])


def permits(acl: AccessList, address: ipaddress.IPv4Address) -> bool:
    """Whether an access list lets ``address`` in, judged on the source address alone.

    The first matching entry decides; after the last one the implicit ``deny any`` applies.
    A list without entries (or only remarks) permits everything, as IOS treats it as absent.
    Extended entries count when their protocol is ``ip`` or ``tcp``.
    """
    rules = [entry.text.split() for entry in acl.entries if entry.sequence is not None]
    if not rules:
        return True
    for words in rules:
        action, source = words[0], words[1:]
        if acl.kind == "extended":
            if source[0] not in ("ip", "tcp"):
                continue
            source = source[1:]
        if _source_matches(source, address):
            return action == "permit"
    return False


def _source_matches(words: list[str], address: ipaddress.IPv4Address) -> bool:
    if words[0] == "any":
        return True
    if words[0] == "host":
        return ipaddress.IPv4Address(words[1]) == address
    base = int(ipaddress.IPv4Address(words[0]))
    wildcard = 0
    if len(words) > 1 and words[1][:1].isdigit():
        wildcard = int(ipaddress.IPv4Address(words[1]))
    return (int(address) & ~wildcard & _ALL_ONES) == (base & ~wildcard & _ALL_ONES)

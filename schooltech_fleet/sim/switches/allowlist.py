"""The configuration lines the emulator keeps verbatim: IOS 15.2 (Catalyst) keywords it does not model.

A line whose leading keywords are listed here is accepted, stored as typed (keywords spelled
out, single spaces) and shown by ``show running-config`` at ``order``; anything else still
answers ``% Invalid input detected``. Lines the emulator models (``hostname``, ``vlan``,
``interface``, ACLs, ``logging host``, ``ntp server``, ``snmp-server group|user|host|location|
contact``, ``banner``, the interface settings of ``render.py``) are tried first.

**Which earlier line a new one replaces** (the *identity* of a setting): the keywords of its
entry plus ``key`` argument words (``username NAME``, ``snmp-server community STRING``,
``ntp authentication-key N``), the whole line when ``key`` is ``ALL`` (list entries such as
``ip name-server A`` or ``ip helper-address A``), or the keywords plus the direction for
``access-class ... in|out``. ``no LINE`` removes every line whose identity starts with the
identity of LINE (``no ip name-server`` removes them all); for ``default_on`` settings it is
kept as ``no LINE``, as IOS shows ``no service pad`` or ``no ip http server``.

**Sections**: an entry with ``section`` opens a sub-mode (``line vty 0 4``, ``tacacs server
TAC1``, ``archive``, ``ip dhcp pool X``...) whose lines are its children, checked against
``SECTIONS[section]``; a line the sub-mode does not know is tried by its parent mode.

``order`` places a top-level line among IOS's NVGEN blocks (see ``render.py``): 1 after
``version``; 3 boot; 4 enable; 5-6 username and aaa; 7 clock/system; 8 global ``ip``/vtp/login;
9 crypto; 10 archive; 11 spanning-tree/errdisable/udld; 12 vlan internal allocation; (VLANs);
13 class-map/policy-map; 14 lldp/cdp; 15 ip ssh; (interfaces, ``ip default-gateway``);
17 ip http/route; (ACLs); 20 logging; 22 snmp-server; 23 tacacs/radius servers; (banners);
25 line; 26 ntp. Interface lines sort by ``order`` among the modelled ones (``render.py``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

ALL = -1
"""``key`` value: the whole line identifies the setting (lists)."""


def _direction(words: list[str]) -> tuple[str, ...]:
    """``access-class 10 in`` and ``access-class 20 out`` are two settings."""
    return tuple(word for word in words if word in ("in", "out"))[-1:]


@dataclass(frozen=True)
class Keyword:
    """One allowed line: its leading keywords (full spelling) and how it is stored and shown."""

    path: tuple[str, ...]
    order: float = 99.0
    key: int = 0
    section: str | None = None
    default_on: bool = False
    choices: tuple[str, ...] = ()
    secret: str | None = None
    identify: Callable[[list[str]], tuple[str, ...]] | None = None

    def identity(self, words: list[str]) -> tuple[str, ...]:
        """The words after the path that, with the path, name the setting a line makes."""
        if self.identify is not None:
            return self.path + self.identify(words)
        if self.key == ALL:
            return self.path + tuple(words)
        return self.path + tuple(words[: self.key])


def kw(text: str, order: float = 99.0, **options: object) -> Keyword:
    """``kw("ip ssh", 15, key=1)``: a Keyword from its space-separated path."""
    return Keyword(tuple(text.split()), order, **options)  # type: ignore[arg-type]


@dataclass(frozen=True)
class Section:
    """A sub-mode opened by a kept line: its prompt and the lines it accepts."""

    mode_name: str  # ``{0}`` stands for the header's first argument (``config-sg-{0}``: config-sg-radius)
    children: tuple[Keyword, ...]
    separated: bool = True  # followed by "!" in show running-config (``line`` sections are not)


GLOBAL: tuple[Keyword, ...] = (
    kw("service password-encryption", 1.2),
    kw("service timestamps", 1.1, key=1, choices=("debug", "log")),
    kw("service pad", 1.0, default_on=True),
    kw("service config", 1.0, default_on=True),
    kw("service sequence-numbers", 1.3),
    kw("service tcp-keepalives-in", 1.4),
    kw("service tcp-keepalives-out", 1.4),
    kw("service compress-config", 1.5),
    kw("service call-home", 1.6, default_on=True),
    kw("boot-start-marker", 3.0),
    kw("boot system", 3.1, key=ALL),
    kw("boot-end-marker", 3.9),
    kw("enable secret", 4.0, secret="secret"),
    kw("enable password", 4.1, secret="password"),
    kw("username", 5.0, key=1, secret="username"),
    kw("aaa new-model", 6.0),
    kw("aaa group server", 6.1, key=2, choices=("tacacs+", "radius"), section="aaa-group"),
    kw("aaa authentication login", 6.2, key=1),
    kw("aaa authentication enable", 6.2, key=1),
    kw("aaa authentication dot1x", 6.2, key=1),
    kw("aaa authorization exec", 6.3, key=1),
    kw("aaa authorization commands", 6.3, key=2),
    kw("aaa authorization console", 6.3),
    kw("aaa authorization network", 6.3, key=1),
    kw("aaa accounting exec", 6.4, key=1),
    kw("aaa accounting commands", 6.4, key=2),
    kw("aaa accounting connection", 6.4, key=1),
    kw("aaa accounting dot1x", 6.4, key=1),
    kw("aaa accounting system", 6.4, key=1),
    kw("aaa server radius dynamic-author", 6.5, section="aaa-dynamic-author"),
    kw("aaa session-id", 6.9),
    kw("clock timezone", 7.0),
    kw("clock summer-time", 7.1),
    kw("switch", 7.2, key=1),
    kw("system mtu", 7.3, key=1),
    kw("stack-mac persistent timer", 7.4),
    kw("ip routing", 8.0),
    kw("ip multicast-routing", 8.0),
    kw("ip dhcp excluded-address", 8.1, key=ALL),
    kw("ip dhcp pool", 8.15, key=1, section="dhcp-pool"),
    kw("ip dhcp snooping", 8.2, key=ALL),
    kw("ip dhcp relay information", 8.2, key=ALL),
    kw("ip arp inspection", 8.2, key=ALL),
    kw("ip device tracking", 8.25, key=ALL),
    kw("ip source-route", 8.3, default_on=True),
    kw("ip domain-lookup", 8.3, default_on=True),
    kw("ip domain lookup", 8.3, default_on=True),
    kw("ip domain-name", 8.31),
    kw("ip domain name", 8.31),
    kw("ip name-server", 8.32, key=ALL),
    kw("ip igmp snooping", 8.4, key=ALL),
    kw("ipv6 unicast-routing", 8.5),
    kw("vtp domain", 8.6),
    kw("vtp mode", 8.6, choices=("client", "off", "server", "transparent")),
    kw("vtp version", 8.6),
    kw("vtp password", 8.6),
    kw("login block-for", 8.7),
    kw("login delay", 8.7),
    kw("login quiet-mode", 8.7),
    kw("login on-failure", 8.71),
    kw("login on-success", 8.72),
    kw("security passwords min-length", 8.8),
    kw("security authentication failure rate", 8.8),
    kw("mls qos", 8.9, key=ALL),
    kw("crypto pki trustpoint", 9.0, key=1, section="pki-trustpoint"),
    kw("crypto key", 9.5, key=ALL),
    kw("archive", 10.0, section="archive"),
    kw("spanning-tree mode", 11.0, choices=("mst", "pvst", "rapid-pvst")),
    kw("spanning-tree portfast", 11.1, key=1),
    kw("spanning-tree extend system-id", 11.2),
    kw("spanning-tree loopguard default", 11.3),
    kw("spanning-tree vlan", 11.4, key=2),
    kw("spanning-tree mst configuration", 11.45, section="mst"),
    kw("spanning-tree mst", 11.46, key=2),
    kw("errdisable recovery cause", 11.5, key=1),
    kw("errdisable recovery interval", 11.6),
    kw("errdisable detect cause", 11.5, key=1),
    kw("port-channel load-balance", 11.7),
    kw("udld", 11.8, key=1),
    kw("vlan internal allocation policy", 12.0),
    kw("class-map", 13.0, key=ALL, section="class-map"),
    kw("policy-map", 13.1, key=1, section="policy-map"),
    kw("lldp run", 14.0),
    kw("lldp timer", 14.1),
    kw("lldp holdtime", 14.1),
    kw("cdp run", 14.2, default_on=True),
    kw("ip ssh", 15.0, key=1),
    kw("ip scp server enable", 15.1),
    kw("ip forward-protocol", 17.0, key=1),
    kw("ip http server", 17.1, default_on=True),
    kw("ip http secure-server", 17.1, default_on=True),
    kw("ip http authentication", 17.1),
    kw("ip http access-class", 17.1),
    kw("ip route", 17.2, key=ALL),
    kw("ip tacacs source-interface", 17.3),
    kw("ip radius source-interface", 17.3),
    kw("logging buffered", 20.0),
    kw("logging console", 20.0),
    kw("logging monitor", 20.0),
    kw("logging trap", 20.1),
    kw("logging facility", 20.1),
    kw("logging source-interface", 20.2),
    kw("logging origin-id", 20.2),
    kw("snmp-server community", 22.2, key=1),
    kw("snmp-server view", 22.21, key=ALL),
    kw("snmp-server trap-source", 22.22),
    kw("snmp-server source-interface", 22.22, key=1),
    kw("snmp-server engineID", 22.1, key=1),
    kw("snmp-server chassis-id", 22.35),
    kw("snmp-server ifindex persist", 22.23),
    kw("snmp-server enable traps", 22.5, key=ALL),
    kw("snmp-server trap link", 22.6, key=ALL),
    kw("tacacs-server host", 23.0, key=1, secret="key"),
    kw("tacacs-server timeout", 23.0),
    kw("tacacs-server directed-request", 23.0, default_on=True),
    kw("tacacs-server key", 23.01, secret="key"),
    kw("tacacs server", 23.1, key=1, section="tacacs-server"),
    kw("radius-server host", 23.2, key=1, secret="key"),
    kw("radius-server key", 23.21, secret="key"),
    kw("radius-server timeout", 23.21),
    kw("radius-server retransmit", 23.21),
    kw("radius-server attribute", 23.22, key=ALL),
    kw("radius-server dead-criteria", 23.22),
    kw("radius-server deadtime", 23.22),
    kw("radius server", 23.3, key=1, section="radius-server"),
    kw("line", 25.0, key=ALL, choices=("console", "vty", "aux"), section="line"),
    kw("ntp authentication-key", 26.0, key=1, secret="ntp-key"),
    kw("ntp authenticate", 26.1),
    kw("ntp trusted-key", 26.2, key=ALL),
    kw("ntp source", 26.3),
    kw("ntp logging", 26.3),
    kw("ntp update-calendar", 26.4),
    kw("ntp access-group", 26.45, key=1),
    kw("ntp master", 26.45),
)
"""Global configuration lines kept verbatim."""

PORT: tuple[Keyword, ...] = (
    kw("switchport voice vlan", 25.0),
    kw("switchport protected", 26.0),
    kw("switchport block", 36.0, key=1, choices=("multicast", "unicast")),
    kw("switchport port-security aging", 32.5, key=1, choices=("static", "time", "type")),
    kw("switchport port-security mac-address", 34.0, key=ALL),
    kw("switchport host", 24.5),
    kw("ip arp inspection", 41.0, key=1, choices=("limit", "trust")),
    kw("ip verify source", 42.0, key=ALL),
    kw("load-interval", 45.0),
    kw("speed", 46.0),
    kw("duplex", 47.0),
    kw("mdix auto", 48.0, default_on=True),
    kw("carrier-delay", 49.0),
    kw("authentication", 52.0, key=1),
    kw("mab", 53.0),
    kw("dot1x", 54.0, key=1),
    kw("channel-protocol", 55.0),
    kw("channel-group", 56.0),
    kw("power inline", 57.0),
    kw("srr-queue bandwidth", 58.0, key=1),
    kw("priority-queue out", 59.0),
    kw("mls qos trust", 70.0),
    kw("mls qos cos", 70.1),
    kw("auto qos", 71.0),
    kw("udld port", 72.0),
    kw("cdp enable", 73.0, default_on=True),
    kw("lldp transmit", 73.1, default_on=True),
    kw("lldp receive", 73.1, default_on=True),
    kw("spanning-tree guard", 82.0),
    kw("spanning-tree bpdufilter", 82.1),
    kw("spanning-tree link-type", 82.2),
    kw("spanning-tree cost", 82.3),
    kw("spanning-tree port-priority", 82.3),
    kw("spanning-tree vlan", 82.4, key=2),
    kw("service-policy", 90.0, key=1, choices=("input", "output")),
    kw("ip dhcp snooping trust", 95.0),
    kw("ip dhcp snooping limit rate", 95.1),
    kw("snmp trap link-status", 96.0, default_on=True),
    kw("snmp trap mac-notification", 96.1, key=ALL),
    kw("logging event", 97.0, key=1),
    kw("keepalive", 98.0, default_on=True),
    kw("errdisable", 98.5, key=ALL),
)
"""Switch-port (``interface GigabitEthernet...``) lines kept verbatim."""

SVI: tuple[Keyword, ...] = (
    kw("ip helper-address", 25.0, key=ALL),
    kw("ip redirects", 32.0, default_on=True),
    kw("ip unreachables", 33.0, default_on=True),
    kw("ip proxy-arp", 34.0, default_on=True),
    kw("ip route-cache", 35.0, default_on=True),
    kw("ip directed-broadcast", 36.0),
    kw("ip mtu", 37.0),
    kw("ip dhcp relay", 38.0, key=ALL),
    kw("ip igmp", 39.0, key=ALL),
    kw("ip pim", 39.5),
    kw("ip ospf", 39.6, key=1),
    kw("standby", 40.0, key=2),
    kw("ipv6", 41.0, key=ALL),
    kw("load-interval", 45.0),
    kw("bandwidth", 46.0),
)
"""SVI (``interface VlanN``) lines kept verbatim."""

SECTIONS: dict[str, Section] = {
    "line": Section(
        "config-line",
        (
            kw("access-class", identify=_direction),
            kw("ipv6 access-class", identify=_direction),
            kw("exec-timeout"),
            kw("session-timeout"),
            kw("absolute-timeout"),
            kw("password", secret="password"),
            kw("privilege level"),
            kw("logging synchronous"),
            kw("login"),
            kw("authorization", key=1),
            kw("accounting", key=1),
            kw("exec", default_on=True),
            kw("motd-banner", default_on=True),
            kw("escape-character"),
            kw("length"),
            kw("width"),
            kw("history size"),
            kw("stopbits"),
            kw("transport input"),
            kw("transport output"),
            kw("transport preferred"),
            kw("exec prompt timestamp"),
        ),
        separated=False,
    ),
    "tacacs-server": Section(
        "config-server-tacacs",
        (kw("address ipv4"), kw("key", secret="key"), kw("timeout"), kw("port"), kw("single-connection")),
    ),
    "radius-server": Section(
        "config-radius-server",
        (kw("address ipv4"), kw("key", secret="key"), kw("timeout"), kw("retransmit"), kw("automate-tester")),
    ),
    "aaa-group": Section(
        "config-sg-{0}",
        (
            kw("server name", key=ALL),
            kw("server", key=ALL),
            kw("ip vrf forwarding"),
            kw("ip tacacs source-interface"),
            kw("ip radius source-interface"),
        ),
    ),
    "aaa-dynamic-author": Section("config-locsvr-da-radius", (kw("client", key=1), kw("port"), kw("auth-type"))),
    "archive": Section(
        "config-archive",
        (
            kw("path"),
            kw("maximum"),
            kw("write-memory"),
            kw("time-period"),
            kw("log config", section="archive-log"),
            kw("rollback retry timeout"),
            kw("rollback filter adaptive"),
        ),
    ),
    "archive-log": Section(
        "config-archive-log-cfg",
        (
            kw("logging enable"),
            kw("logging size"),
            kw("logging persistent", key=1),
            kw("notify syslog"),
            kw("hidekeys"),
        ),
    ),
    "dhcp-pool": Section(
        "dhcp-config",
        (
            kw("network"),
            kw("default-router"),
            kw("dns-server"),
            kw("domain-name"),
            kw("lease"),
            kw("option", key=1),
            kw("netbios-name-server"),
        ),
    ),
    "pki-trustpoint": Section(
        "ca-trustpoint",
        (kw("enrollment", key=1), kw("subject-name"), kw("revocation-check"), kw("rsakeypair")),
    ),
    "mst": Section("config-mst", (kw("name"), kw("revision"), kw("instance", key=1))),
    "class-map": Section("config-cmap", (kw("match", key=ALL), kw("description"))),
    "policy-map": Section("config-pmap", (kw("class", key=1, section="policy-class"), kw("description"))),
    "policy-class": Section(
        "config-pmap-c",
        (
            kw("set", key=1),
            kw("police", key=ALL),
            kw("trust"),
            kw("bandwidth"),
            kw("priority"),
            kw("shape", key=1),
            kw("queue-limit"),
            kw("service-policy"),
        ),
    ),
}
"""The sub-modes of kept sections, by the ``section`` name of their header's Keyword."""

LINE_ALIASES = {"console": "con"}
"""Keywords IOS shows in a short form (``line console 0`` is shown as ``line con 0``)."""

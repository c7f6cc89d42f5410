"""``snmp-server`` commands. Like IOS, SNMPv3 users are stored but never shown in running-config."""

from __future__ import annotations

from schooltech_fleet.sim.switches.cli_args import Args
from schooltech_fleet.sim.switches.state import SnmpSettings, SnmpUser

_VERSIONS = ("1", "2c", "3")
_LEVELS = ("auth", "noauth", "priv")


def configure_snmp(snmp: SnmpSettings, args: Args, negated: bool) -> None:
    """Apply ``[no] snmp-server contact|location|group|user|host ...``."""
    topic = args.keyword("contact", "group", "host", "location", "user")
    if topic in ("contact", "location"):
        text = None if negated else args.rest()
        if negated:
            args.remaining()
        setattr(snmp, topic, text)
    elif topic == "group":
        _group(snmp, args, negated)
    elif topic == "user":
        _user(snmp, args, negated)
    else:
        _host(snmp, args, negated)


def _group(snmp: SnmpSettings, args: Args, negated: bool) -> None:
    name = args.word()
    version = args.keyword("v1", "v2c", "v3")
    level = args.keyword(*_LEVELS) if version == "v3" else None
    args.end()
    key = f"{name} {version}"
    snmp.groups[:] = [group for group in snmp.groups if not group.startswith(key + " ") and group != key]
    if not negated:
        snmp.groups.append(f"{key} {level}" if level else key)


def _user(snmp: SnmpSettings, args: Args, negated: bool) -> None:
    name = args.word()
    group = args.word()
    version = args.keyword("v1", "v2c", "v3")
    if negated:
        args.remaining()
        snmp.users.pop(name, None)
        return
    settings = [version]
    if version == "v3" and args.optional_keyword("auth"):
        settings += ["auth", args.keyword("md5", "sha"), args.word()]
        if args.optional_keyword("priv"):
            cipher = args.keyword("3des", "aes", "des")
            settings += ["priv", cipher]
            if cipher == "aes":
                settings.append(args.keyword("128", "192", "256"))
            settings.append(args.word())
    args.end()
    snmp.users[name] = SnmpUser(name, group, " ".join(settings))


def _host(snmp: SnmpSettings, args: Args, negated: bool) -> None:
    address = args.ipv4()
    words = [address]
    if args.optional_keyword("version"):
        version = args.keyword(*_VERSIONS)
        words += ["version", version]
        if version == "3":
            words.append(args.keyword(*_LEVELS))
    if negated and args.done:
        snmp.hosts[:] = [host for host in snmp.hosts if host.split()[0] != address]
        return
    user = args.word()
    args.end()
    snmp.hosts[:] = [host for host in snmp.hosts if not _same_host(host, address, user)]
    if not negated:
        snmp.hosts.append(" ".join([*words, user]))


def _same_host(entry: str, address: str, user: str) -> bool:
    words = entry.split()
    return words[0] == address and words[-1] == user

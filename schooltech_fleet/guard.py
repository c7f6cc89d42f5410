"""The network guard: which addresses a job, a switch session or a plan may contact. It fails closed.

Every command that contacts devices asks :func:`check_reachable` first, with each target's
address and the networks its school declares, and contacts nothing when it refuses:

- **while a simulation is recorded** in the state directory, only loopback, whatever else
  is set: a school whose simulation layer went missing points at its real addresses again;
- **``SCHOOLTECH_ALLOWED_NETWORKS`` unset**: only addresses inside the target's own school's
  declared networks (the subnets of its VLANs, the management network included). A target
  known by a DNS name is looked up as SSH will look it up, and every address it has must be
  inside; a name that does not resolve cannot be contacted at all, so it passes (Ansible
  reports the PC unreachable);
- **set to networks** (comma-separated, e.g. ``127.0.0.0/8`` as the tests and the demo set
  it, or a few schools' subnets): only addresses inside them; a name is refused without a
  lookup (such a list is for addresses, and the tests must never send a DNS query);
- **set to ``any``**: the explicit opt-out. Everything passes, and each use is a journal
  record (``guard-opt-out``) naming the targets the default would have refused.
"""

from __future__ import annotations

import ipaddress
import os
import socket
from collections.abc import Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor

from . import journal
from .errors import UsageError
from .paths import simulation_record

ENVIRONMENT = "SCHOOLTECH_ALLOWED_NETWORKS"
ANY = "any"
Network = ipaddress.IPv4Network | ipaddress.IPv6Network
LOOPBACK: tuple[Network, ...] = (ipaddress.ip_network("127.0.0.0/8"), ipaddress.ip_network("::1/128"))
_LOOKUPS = 16  # names looked up at once


def opted_out() -> bool:
    """Whether ``SCHOOLTECH_ALLOWED_NETWORKS=any`` turns the guard off."""
    return os.environ.get(ENVIRONMENT, "").strip().lower() == ANY


def allowed_networks() -> tuple[Network, ...] | None:
    """The networks ``SCHOOLTECH_ALLOWED_NETWORKS`` lists, or None when it lists none (unset, or ``any``)."""
    raw = os.environ.get(ENVIRONMENT, "").strip()
    if not raw or opted_out():
        return None
    hint = f"give networks such as 127.0.0.0/8, separated by commas (or '{ANY}' to allow every address, recorded)"
    try:
        networks = tuple(ipaddress.ip_network(part.strip(), strict=False) for part in raw.split(",") if part.strip())
    except ValueError as exc:
        raise UsageError(f"{ENVIRONMENT}={raw!r}: {exc}", hint) from None
    if not networks:
        raise UsageError(f"{ENVIRONMENT}={raw!r} names no network", hint)
    return networks


def check_reachable(addresses: Mapping[str, str], declared: Mapping[str, Iterable[str]]) -> None:
    """Refuse when any target may not be contacted (see the module docstring).

    *addresses*: host name -> the address (or DNS name) it is reached at; *declared*: host
    name -> the networks its school declares.
    """
    if simulation_record().exists():
        outside = [f"{host} ({address})" for host, address in addresses.items() if not _inside(address, LOOPBACK)]
        if outside:
            raise UsageError(
                f"a simulation is running ({simulation_record()}), so only 127.0.0.0/8 may be contacted; "
                f"refusing to contact {_shown(outside)}",
                "limit the command to the simulated school, or run 'schooltech sim status' (a simulation layer "
                "may be missing) and 'schooltech sim down' when the rehearsal is over",
            )
    networks = allowed_networks()
    if networks is not None:
        outside = [f"{host} ({address})" for host, address in addresses.items() if not _inside(address, networks)]
        if outside:
            raise UsageError(
                f"{ENVIRONMENT} allows only {', '.join(map(str, networks))}; refusing to contact {_shown(outside)}",
                "start the simulation first ('schooltech sim up'), or change SCHOOLTECH_ALLOWED_NETWORKS",
            )
        return
    outside = _outside_declared(addresses, declared)
    if opted_out():  # allowed only as a journal record: a record that cannot be written refuses (JournalError)
        journal.record({"event": "guard-opt-out", "setting": f"{ENVIRONMENT}={ANY}", "targets": len(addresses),
                        "outside_declared": outside})  # fmt: skip
        return
    if outside:
        raise UsageError(
            f"refusing to contact {_shown(outside)}: outside the networks their school declares",
            f"correct the address in the school file; or set {ENVIRONMENT} to the networks to allow "
            f"(or '{ANY}' to allow every address, recorded in the journal)",
        )


def _outside_declared(addresses: Mapping[str, str], declared: Mapping[str, Iterable[str]]) -> list[str]:
    """The targets (``host (address)``) outside their own school's declared networks."""
    names = {address for address in addresses.values() if not _is_address(address)}
    with ThreadPoolExecutor(max_workers=max(1, min(_LOOKUPS, len(names)))) as pool:
        resolved = dict(zip(names, pool.map(_lookup, names), strict=True))
    outside = []
    for host, address in addresses.items():
        networks = tuple(ipaddress.ip_network(network) for network in declared.get(host, ()))
        found = resolved.get(address, (address,))
        if not all(_inside(each, networks) for each in found):
            shown = address if address not in resolved else f"{address}: {', '.join(found)}"
            outside.append(f"{host} ({shown})")
    return outside


def _lookup(name: str) -> tuple[str, ...]:
    """Every address *name* resolves to, as SSH would look it up; none when it does not resolve."""
    try:
        return tuple(sorted({str(info[4][0]) for info in socket.getaddrinfo(name, None, type=socket.SOCK_STREAM)}))
    except (OSError, UnicodeError):
        return ()


def _shown(hosts: list[str]) -> str:
    return ", ".join(hosts[:5]) + (f" and {len(hosts) - 5} more" if len(hosts) > 5 else "")


def _is_address(text: str) -> bool:
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True


def _inside(address: str, networks: tuple[Network, ...]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:  # a DNS name: where it points is not known here
        return False
    return any(ip in network for network in networks)

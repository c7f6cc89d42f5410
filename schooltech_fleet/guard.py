"""Which addresses schooltech may contact: ``SCHOOLTECH_ALLOWED_NETWORKS``, and loopback during a simulation.

Unset, every address the inventory gives may be contacted (a real school). Set to a
comma-separated list of networks (the project's tests and demo set ``127.0.0.0/8``; a
technician may set one school's management and lab subnets), every job, switch session
and plan refuses before contacting anything when a target is outside them or is known
only by a name. While a simulation is recorded in the state directory, only loopback
addresses may be contacted, whatever the variable says: a school whose simulation layer
went missing points at its real addresses again, and is refused.
"""

from __future__ import annotations

import ipaddress
import os
from collections.abc import Mapping

from .errors import UsageError
from .paths import simulation_record

ENVIRONMENT = "SCHOOLTECH_ALLOWED_NETWORKS"
Network = ipaddress.IPv4Network | ipaddress.IPv6Network
LOOPBACK: tuple[Network, ...] = (ipaddress.ip_network("127.0.0.0/8"), ipaddress.ip_network("::1/128"))


def allowed_networks() -> tuple[Network, ...] | None:
    """The networks targets must be in, or None when any address is allowed."""
    raw = os.environ.get(ENVIRONMENT, "").strip()
    if not raw:
        return None
    hint = "give networks such as 127.0.0.0/8, separated by commas"
    try:
        networks = tuple(ipaddress.ip_network(part.strip(), strict=False) for part in raw.split(",") if part.strip())
    except ValueError as exc:
        raise UsageError(f"{ENVIRONMENT}={raw!r}: {exc}", hint) from None
    if not networks:
        raise UsageError(f"{ENVIRONMENT}={raw!r} names no network", hint)
    return networks


def check_reachable(addresses: Mapping[str, str]) -> None:
    """Refuse when any target (host name -> the address it is reached at) is outside the allowed networks."""
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
    if networks is None:
        return
    outside = [f"{host} ({address})" for host, address in addresses.items() if not _inside(address, networks)]
    if outside:
        raise UsageError(
            f"{ENVIRONMENT} allows only {', '.join(map(str, networks))}; refusing to contact {_shown(outside)}",
            "start the simulation first ('schooltech sim up'), or change SCHOOLTECH_ALLOWED_NETWORKS",
        )


def _shown(hosts: list[str]) -> str:
    return ", ".join(hosts[:5]) + (f" and {len(hosts) - 5} more" if len(hosts) > 5 else "")


def _inside(address: str, networks: tuple[Network, ...]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:  # a DNS name: where it points is not known here
        return False
    return any(ip in network for network in networks)

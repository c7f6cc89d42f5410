"""What an imaging run needs of a boot server, whichever kind serves the PCs.

The simulation's imaging lab (:mod:`schooltech_fleet.sim.imaging`) is one; a host running the
``pxe_server`` role is the other. An imaging run opens one entry per PC (its iPXE script, its
GRUB entry if it boots with Secure Boot, and its answer file behind a one-shot token), wakes
the PCs from inside their VLAN, and watches for the installer's callback, which closes the
entry: the PC's script becomes "boot from the local disk" (its GRUB entry "back to the
firmware"), so a second network boot never installs again.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from .answers import RenderedAnswer


@dataclass(frozen=True)
class BootSnapshot:
    """What a boot server has seen, read once per poll for every PC in flight."""

    asked: frozenset[str]  # normalised MACs that fetched their script (or answer) since their entry opened
    called_back: frozenset[str]  # tokens whose installer has called back


class BootServer(Protocol):
    """A boot server serving one school's PCs for the length of an imaging run."""

    @property
    def url(self) -> str:
        """``http://ADDRESS[:PORT]``, as the PCs reach it: every script and answer URL starts with it."""
        ...

    def open(self, mac: str, script: str, answer: RenderedAnswer, token: str, grub_entry: str | None = None) -> None:
        """Serve *script* (and *grub_entry*, over TFTP) to the PC *mac* and *answer* behind *token*
        until the PC calls back."""
        ...

    def close(self, mac: str) -> None:
        """Serve the PC *mac* the local-boot script (and entry) again and close its token (nothing if not open)."""
        ...

    def wake(self, mac: str) -> None:
        """Send one Wake-on-LAN magic packet for *mac* from inside the PC's VLAN."""
        ...

    def snapshot(self) -> BootSnapshot:
        """Which PCs have fetched their script (or answer file) since their entry was opened, and which
        installers have called back: one read (one SSH round trip on a live server) for all PCs."""
        ...

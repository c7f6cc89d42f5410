"""What an imaging run needs of a boot server, whichever kind serves the PCs.

The simulation's imaging lab (:mod:`schooltech_fleet.sim.imaging`) is one; a host running the
``pxe_server`` role is the other. An imaging run opens one entry per PC (its iPXE script and
its answer file behind a one-shot token), wakes the PCs from inside their VLAN, and watches
for the installer's callback, which closes the entry: the PC's script becomes "boot from the
local disk", so a second network boot never installs again.
"""

from __future__ import annotations

from typing import Protocol

from .answers import RenderedAnswer


class BootServer(Protocol):
    """A boot server serving one school's PCs for the length of an imaging run."""

    @property
    def url(self) -> str:
        """``http://ADDRESS[:PORT]``, as the PCs reach it: every script and answer URL starts with it."""
        ...

    def open(self, mac: str, script: str, answer: RenderedAnswer, token: str) -> None:
        """Serve *script* to the PC *mac* and *answer* behind *token* until the PC calls back."""
        ...

    def close(self, mac: str) -> None:
        """Serve the PC *mac* the local-boot script again and close its token (nothing if not open)."""
        ...

    def wake(self, mac: str) -> None:
        """Send one Wake-on-LAN magic packet for *mac* from inside the PC's VLAN."""
        ...

    def asked(self, mac: str) -> bool:
        """Whether the PC *mac* has fetched its script since its entry was opened."""
        ...

    def called_back(self, token: str) -> bool:
        """Whether the installer holding *token* has called back."""
        ...

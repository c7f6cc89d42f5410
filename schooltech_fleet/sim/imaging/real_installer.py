"""The real Debian 12 network installer, served where the product's iPXE script names it.

Debian's package ``debian-installer-12-netboot-amd64`` holds the text installer's kernel and
initrd (``linux``, ``initrd.gz``) in :data:`NETBOOT_DIR`. A lab given
``LabConfig(media=(debian12_media(),))`` serves that directory as ``files/debian12/``, the
place :data:`schooltech_fleet.imaging.ipxe.MEDIA` names for Debian 12: a path mapping of the
boot server's HTTP server, nothing is copied. Its PCs need :data:`MEMORY_MB` of memory
(the lab's stand-in installer needs far less).
"""

from __future__ import annotations

from pathlib import Path, PurePosixPath

from schooltech_fleet.errors import PrerequisiteError
from schooltech_fleet.imaging.ipxe import MEDIA
from schooltech_fleet.imaging.pxe_service import ServedMedia
from schooltech_fleet.inventory.model import OperatingSystem

PACKAGE = "debian-installer-12-netboot-amd64"
#: the text installer (the package also holds the graphical one, under gtk/)
NETBOOT_DIR = Path("/usr/lib/debian-installer/images/12/amd64/text/debian-installer/amd64")
#: enough for d-i to load its initrd and run at its normal (not low-memory) level
MEMORY_MB = 1024


def debian12_media() -> ServedMedia:
    """The installed netboot installer as the lab's ``files/debian12/``; PrerequisiteError when it is missing."""
    media = MEDIA[OperatingSystem.DEBIAN12]
    prefix = PurePosixPath(media.kernel).parent
    names = [PurePosixPath(path).relative_to(prefix) for path in (media.kernel, *(path for path, _ in media.initrds))]
    missing = [str(NETBOOT_DIR / name) for name in names if not (NETBOOT_DIR / name).is_file()]
    if missing:
        raise PrerequisiteError(
            f"the real Debian 12 installer is not installed: {', '.join(missing)} not found",
            hint=f"sudo apt-get install {PACKAGE} (scripts/setup-host.sh installs it)",
        )
    return ServedMedia(str(prefix), NETBOOT_DIR)

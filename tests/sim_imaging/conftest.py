"""One imaging lab for the session: a room of four PCs (qemu VMs, at most two at once) on its own segment.

Three PCs boot with BIOS (iPXE in the NIC's ROM), the fourth with UEFI (the firmware's own
PXE client, which fetches ipxe.efi over TFTP).

Namespaces of crashed earlier sessions are removed when the lab starts; this session's
lab is stopped and its namespaces removed at the end.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from host_prerequisites import required

from schooltech_fleet.sim.imaging.lab import ImagingLab, LabConfig, LabPc
from schooltech_fleet.sim.imaging.vm import Firmware
from schooltech_fleet.sim.prereqs import check_imaging_prerequisites

ROOM = (
    *(LabPc(f"lab1-pc{number:02d}", f"52:54:00:77:00:{number:02x}") for number in range(1, 4)),
    LabPc("lab1-pc04", "52:54:00:77:00:04", firmware=Firmware.UEFI),
)


@pytest.fixture(scope="session")
def imaging_lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ImagingLab]:
    required(check_imaging_prerequisites)
    with ImagingLab(tmp_path_factory.mktemp("imaging-lab"), LabConfig(pcs=ROOM, max_running=2)) as lab:
        yield lab

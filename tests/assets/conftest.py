"""What the asset tests share: a private schooltech cache; the example schools, a generated school and a
demo audit for the exports."""

from __future__ import annotations

import datetime as dt
import importlib.util
from collections.abc import Iterator
from pathlib import Path

import pytest

from schooltech_fleet.assets.discovery import DiscoveredPc, Discovery, Disk
from schooltech_fleet.inventory import load_fleet
from schooltech_fleet.inventory.fleet import Fleet

REPO = Path(__file__).resolve().parents[2]
TODAY = dt.date(2026, 10, 1)


@pytest.fixture(scope="session", autouse=True)
def _private_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SCHOOLTECH_CACHE_DIR", str(tmp_path_factory.mktemp("schooltech-cache")))
        yield


def generated_school_text() -> str:
    """School D000 of the benchmark district: 600 devices (a counted pattern with asset records) and 10 switches."""
    spec = importlib.util.spec_from_file_location("district", REPO / "benchmarks" / "district.py")
    assert spec is not None and spec.loader is not None
    district = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(district)
    text: str = district.school_file(0)
    return text


@pytest.fixture(scope="session")
def examples(state_dir: Path) -> Fleet:
    """Every example school of inventories/ (demo, primary, secondary, specialist)."""
    return load_fleet(REPO / "inventories", today=TODAY)


@pytest.fixture(scope="session")
def generated(state_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Fleet:
    path = tmp_path_factory.mktemp("generated") / "d000.school.yml"
    path.write_text(generated_school_text(), encoding="utf-8")
    return load_fleet(path, today=TODAY)


def demo_audit() -> Discovery:
    """An audit of DEMO that reached two PCs: PC01 as declared (plus Wi-Fi), PC02 with another network card."""
    pc01 = DiscoveredPc(
        host="DEMO-LAB1-PC01", hostname="demo-lab1-pc01", serial="CZC4051XYZ", vendor="Dell Inc.",
        model="OptiPlex 7010", macs=("52:54:00:90:20:65", "a4:c3:f0:11:22:33"), ram_mb=16384,
        disks=(Disk("nvme0n1", 512), Disk("sda", 1000)), os="Debian 12", bios="Dell Inc. 1.19.0 2024-03-12",
    )  # fmt: skip
    pc02 = DiscoveredPc(
        host="DEMO-LAB1-PC02", hostname="DEMO-LAB1-PC02", serial=None, vendor=None, model=None,
        macs=("52:54:00:aa:bb:cc",), ram_mb=None, disks=(), os=None, bios=None,
    )  # fmt: skip
    return Discovery(school="DEMO", pcs=(pc01, pc02), unreachable_pcs=("DEMO-LIB-PC02",), sightings=(),
                     unreachable_switches=(), collected="2026-12-01T01:00:00Z")  # fmt: skip

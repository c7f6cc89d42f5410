"""GLPI's native inventory format: one JSON document per device, as the GLPI agent submits it.

The format is glpi-project/inventory_format's JSON schema (a copy is in ``tests/assets/glpi``). A PC is
an ``inventory`` of itemtype ``Computer``; a switch, access point or printer is a ``netinventory`` with a
``network_device``. ``tag`` is the school code: GLPI's import rules can send each school to its entity
and location by tag. GLPI recognises a computer again by its serial, then its MACs (its own rules),
so a renamed PC updates the same record.

Where each field comes from (the audit's value wins where both exist, as an agent would report it):

- audit only: ``hardware.memory`` (RAM), ``storages`` (disks), ``bios.bversion`` (BIOS line),
  ``bios.smanufacturer`` (vendor), the PC's own hostname as ``hardware.name``;
- audit, else inventory: ``bios.ssn`` (serial), ``bios.smodel`` (model), ``networks`` (MACs),
  ``operatingsystem``;
- inventory only: the IP address on the declared MAC, ``hardware.chassis_type`` (from the role),
  ``hardware.description`` (school and room), and everything about switches and other network devices.
"""

from __future__ import annotations

import json
from typing import Any

from ... import __version__
from .assets import AssetRecord

VERSION_CLIENT = f"schooltech-fleet_v{__version__}"

_COMPUTERS = {"lab_pc", "teacher_pc", "staff_laptop", "student_laptop", "chromebook", "tablet", "server"}
_CHASSIS = {"staff_laptop": "Laptop", "student_laptop": "Laptop", "chromebook": "Laptop", "tablet": "Tablet",
            "server": "Server"}  # fmt: skip
# role -> (itemtype, network_device.type) for what is not a computer
_NETWORK_DEVICES = {
    "switch": ("NetworkEquipment", "Networking"),
    "access_point": ("NetworkEquipment", "Networking"),
    "printer": ("Printer", "Printer"),
    "display": ("Unmanaged", "Video"),
    "av_device": ("Unmanaged", "Video"),
}
# OperatingSystem value -> (name, version, full name) as GLPI's agent would report them
_OPERATING_SYSTEMS = {
    "debian12": ("Debian", "12", "Debian GNU/Linux 12 (bookworm)"),
    "ubuntu2204": ("Ubuntu", "22.04", "Ubuntu 22.04 LTS"),
    "ubuntu2404": ("Ubuntu", "24.04", "Ubuntu 24.04 LTS"),
    "windows10": ("Windows", "10", "Microsoft Windows 10"),
    "windows11": ("Windows", "11", "Microsoft Windows 11"),
    "chromeos": ("ChromeOS", "", "ChromeOS"),
    "ipados": ("iPadOS", "", "iPadOS"),
}


def file_name(asset: AssetRecord) -> str:
    """The document's file name: the device name (inventory names are safe as file names)."""
    return f"{asset.name}.json"


def glpi_inventory(asset: AssetRecord) -> dict[str, Any]:
    """The native inventory document of one device or switch."""
    if asset.role in _COMPUTERS:
        itemtype, action, content = "Computer", "inventory", _computer(asset)
    else:
        itemtype, device_type = _NETWORK_DEVICES[asset.role]
        action, content = "netinventory", {"network_device": _network_device(asset, device_type)}
    return {
        "action": action,
        "deviceid": f"schooltech-{asset.name}",
        "itemtype": itemtype,
        "tag": asset.school,
        "content": {"versionclient": VERSION_CLIENT, **content},
    }


def glpi_json(asset: AssetRecord) -> str:
    return json.dumps(glpi_inventory(asset), indent=2, ensure_ascii=False) + "\n"


def _computer(asset: AssetRecord) -> dict[str, Any]:
    found = asset.found
    hardware: dict[str, Any] = {"name": (found.hostname if found else None) or asset.name,
                                "chassis_type": _CHASSIS.get(asset.role, "Desktop"),
                                "description": _where(asset)}  # fmt: skip
    if found and found.ram_mb is not None:
        hardware["memory"] = found.ram_mb
    bios = _drop_empty(
        {
            "ssn": (found.serial if found else None) or asset.serial,
            "smanufacturer": found.vendor if found else None,
            "smodel": (found.model if found else None) or asset.model,
            "bversion": found.bios if found else None,
        }
    )
    content: dict[str, Any] = {"hardware": hardware}
    if bios:
        content["bios"] = bios
    if networks := _networks(asset):
        content["networks"] = networks
    if found and found.disks:
        content["storages"] = [{"name": d.name, "type": "disk", "disksize": d.size_gb * 1024} for d in found.disks]
    if system := _operating_system(asset):
        content["operatingsystem"] = system
    return content


def _networks(asset: AssetRecord) -> list[dict[str, Any]]:
    """One entry per MAC: the audit's MACs if it reached the PC, else the declared one; the IP on the declared MAC."""
    macs = list(asset.found.macs) if asset.found and asset.found.macs else [asset.mac] if asset.mac else []
    networks = []
    for n, mac in enumerate(macs):
        entry: dict[str, Any] = {"description": f"nic{n}", "mac": mac, "type": "ethernet"}
        if asset.ip and mac == (asset.mac or macs[0]):
            entry["ipaddress"] = asset.ip
        networks.append(entry)
    return networks


def _operating_system(asset: AssetRecord) -> dict[str, str]:
    if asset.found and asset.found.os:
        name, _, version = asset.found.os.rpartition(" ")
        if not name or not version[:1].isdigit():
            name, version = asset.found.os, ""
        return _drop_empty({"name": name, "version": version, "full_name": asset.found.os})
    if asset.os in _OPERATING_SYSTEMS:
        name, version, full = _OPERATING_SYSTEMS[asset.os]
        return _drop_empty({"name": name, "version": version, "full_name": full})
    return {}


def _network_device(asset: AssetRecord, device_type: str) -> dict[str, Any]:
    return _drop_empty(
        {
            "type": device_type,
            "name": asset.name,
            "model": asset.model,
            "serial": asset.serial,
            "mac": asset.mac,
            "ips": [asset.ip] if asset.ip else None,
            "location": _where(asset),
        }
    )


def _where(asset: AssetRecord) -> str:
    parts = [asset.school_name, asset.building, asset.room and f"room {asset.room}", asset.room_title]
    if not asset.room:
        parts = [asset.school_name, asset.site and f"site {asset.site}", asset.building]
    return ", ".join(p for p in parts if p)


def _drop_empty(values: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in values.items() if value not in (None, "", [])}

"""``schooltech inventory show HOST`` gives exactly what ``ansible-inventory`` gives for HOST, and the groups agree:
for every host of every example inventory, and of generated school files (with ``ansible:`` sections).

So the variables every check of schooltech reads (the reach guard's addresses above all) are the
variables Ansible connects with.
"""

from __future__ import annotations

import contextlib
import io
import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from inventory.helpers import DEFAULT_VLANS, REPO, TODAY, ansible_inventory, members, plain, run_check

from schooltech_fleet.cli import main
from schooltech_fleet.inventory import load_fleet

EXAMPLES = [REPO / "inventories" / name for name in ("primary", "secondary", "specialist", "demo")]


def shown(inventory: Path, host: str) -> Any:
    """What ``schooltech inventory show HOST --format json`` prints (the CLI, in this process)."""
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = main(["inventory", "show", host, "--format", "json", "-i", str(inventory)])
    assert code == 0
    return json.loads(out.getvalue())


def assert_same_inventory(inventory: Path) -> dict[str, Any]:
    done = ansible_inventory("-i", inventory, "--list")
    assert done.returncode == 0, done.stderr
    listing = json.loads(done.stdout)
    hostvars = plain(listing["_meta"]["hostvars"])
    fleet = load_fleet(inventory)
    assert set(hostvars) == set(fleet.hosts)
    for host in fleet.hosts:
        assert shown(inventory, host) == hostvars[host], host
    groups = {name for name in listing if name not in ("_meta", "all", "ungrouped")}
    assert groups == {name for name in fleet.groups if fleet.hosts_of(name)}
    for group in groups:
        assert members(listing, group) == fleet.hosts_of(group), group
    return listing


@pytest.mark.parametrize("inventory", EXAMPLES, ids=[path.name for path in EXAMPLES])
def test_every_host_of_every_example_shows_what_ansible_sees(inventory: Path) -> None:
    assert_same_inventory(inventory)


# --- generated school files --------------------------------------------------------------

KINDS = ("ict_suite", "classroom", "library", "office", "music_room")
OSES = ("debian12", "ubuntu2404", "windows11", "chromeos", "embedded")
COMPOSE = {
    "label": "(room | default('none')) ~ '-' ~ (device_role | default('switch'))",
    "school_lower": "school_code | lower",
    "short_name": "inventory_hostname | lower | regex_replace('^[a-z0-9]+-', '')",
    "tens": "vlan_id | default(0) * 10",
    "labels": "[school_code, site | default('main')]",
    "card": "{'type': school_type, 'managed': managed | default(false)}",
    "hardware": "model | default('unknown') | regex_replace('[^A-Za-z0-9]+', '_')",
    "strict_lock": "screen_lock_minutes is defined and screen_lock_minutes > 10",
    "room_only": "room ~ '-x'",  # fails for switches: skipped unless strict
}
GROUPS = {
    "lab_fleet": "managed is defined and managed",
    "first_room": "room is defined and room == 'R1'",
    "secondary_school": "school_type == 'secondary'",
    "labelled": "label is defined and label != 'none-switch'",
}
KEYED = [
    {"key": "room | default('')", "prefix": "place", "default_value": "nowhere"},
    {"key": "model | default('unknown') | lower | regex_replace('[^a-z0-9]+', '_')", "prefix": "hw"},
    {"key": "[school_code, school_type]", "prefix": "tag"},
    {"key": "{'vlan': vlan | default('none')}", "prefix": "net", "separator": "-"},
    {"key": "{'os': os | default('')}", "prefix": "system", "trailing_separator": False},
]


@st.composite
def school_files(draw: st.DrawFn) -> dict[str, Any]:
    """A valid school file with rooms, devices, maybe a switch, settings on each layer and an ansible: section."""
    code = draw(st.sampled_from(["GEN", "AB1", "ZQ"]))
    addresses = {"students": iter(range(11, 250)), "staff": iter(range(11, 250))}
    rooms = []
    for r in range(draw(st.integers(1, 3))):
        kind = draw(st.sampled_from(KINDS))
        vlan = "staff" if kind == "office" else "students"
        room: dict[str, Any] = {"name": f"R{r + 1}", "kind": kind, "devices": []}
        if draw(st.booleans()):
            room["settings"] = {"screen_lock_minutes": draw(st.integers(1, 240))}
        first = 1
        for _ in range(draw(st.integers(1, 2))):
            count = draw(st.integers(1, 3))
            pattern: dict[str, Any] = {"count": count, "role": "lab_pc", "os": draw(st.sampled_from(OSES)),
                                       "first": first}  # fmt: skip
            first += count
            if draw(st.booleans()):
                pattern["model"] = draw(st.sampled_from(["Dell OptiPlex 7010", "HP Elite 800", "Lenovo M70q"]))
            if draw(st.booleans()):
                start = next(addresses[vlan])
                for _ in range(count - 1):
                    next(addresses[vlan])
                pattern["ip_start"] = f"10.9.{16 if vlan == 'students' else 10}.{start}"
            room["devices"].append(pattern)
        if draw(st.booleans()):
            teacher: dict[str, Any] = {"name": f"{code}-R{r + 1}-T1", "role": "teacher_pc", "os": "debian12",
                                       "vlan": "staff", "ip": f"10.9.10.{next(addresses['staff'])}"}  # fmt: skip
            if draw(st.booleans()):
                teacher["settings"] = {"usb_storage": draw(st.sampled_from(["allow", "block"]))}
            room["devices"].append(teacher)
        rooms.append(room)
    school: dict[str, Any] = {
        "schooltech": 1,
        "school": {"name": f"Generated {code}", "code": code, "type": draw(st.sampled_from(["primary", "secondary",
                                                                                            "specialist"]))},
        "vlans": yaml.safe_load(DEFAULT_VLANS),
        "rooms": rooms,
    }  # fmt: skip
    if draw(st.booleans()):
        school["settings"] = {"screen_lock_minutes": draw(st.integers(1, 240))}
    if draw(st.booleans()):
        school["switches"] = [{"name": f"{code}-SW1", "platform": "cisco_ios", "mgmt_ip": "10.9.99.11",
                               "access_ports": 24, "ports": [{"ports": "1-2", "room": "R1"}],
                               "uplinks": [{"port": 25, "description": "to the router"}]}]  # fmt: skip
    strict = draw(st.booleans())
    compose = draw(st.lists(st.sampled_from(sorted(COMPOSE)), unique=True, max_size=5))
    if strict and "room_only" in compose and "switches" in school:
        compose.remove("room_only")
    groups = draw(st.lists(st.sampled_from(sorted(GROUPS)), unique=True, max_size=3))
    if "labelled" in groups and "label" not in compose:
        groups.remove("labelled")
    keyed = draw(st.lists(st.sampled_from(range(len(KEYED))), unique=True, max_size=3))
    school["ansible"] = {
        "compose": {name: COMPOSE[name] for name in compose},
        "groups": {name: GROUPS[name] for name in groups},
        "keyed_groups": [KEYED[i] for i in keyed],
        "strict": strict,
    }
    return school


@settings(
    max_examples=12,
    deadline=None,
    derandomize=True,
    database=None,
    phases=[Phase.explicit, Phase.generate],  # no shrinking: each example runs ansible-inventory
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(school=school_files())
def test_every_host_of_a_generated_school_shows_what_ansible_sees(
    tmp_path_factory: pytest.TempPathFactory, school: dict[str, Any]
) -> None:
    path = tmp_path_factory.mktemp("generated") / f"{school['school']['code'].lower()}.school.yml"
    path.write_text(yaml.safe_dump(school, sort_keys=False), encoding="utf-8")
    result = run_check(path, TODAY)
    assert not result.errors, "the generator wrote an invalid school:\n" + "\n".join(f.text() for f in result.errors)
    listing = assert_same_inventory(path)
    host = sorted(listing["_meta"]["hostvars"])[0]
    single = ansible_inventory("-i", path, "--host", host)
    assert plain(json.loads(single.stdout)) == shown(path, host)

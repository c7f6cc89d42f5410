"""Which jobs an inventory change implies, derived from the variables that changed.

The rules follow what each playbook reads (``playbooks/group_vars/all/roles.yml``), for
managed devices only (the playbooks run on ``managed``):

* ``rebuild`` (the only job that installs software): a new PC; its OS, software sets,
  packages or software repository changed;
* ``license``: the licences assigned to its room changed (seats, rooms, keys, packages);
* ``configure``: a baseline setting changed (time zone, NTP, accounts, banners, screen
  lock, USB storage, web filter), or its host name (renamed);
* ``net push``: a switch's rendered intended config changed, or the switch is new.

Anything else (calendar, patch policy, asset data, addresses) needs no run of its own.
"""

from __future__ import annotations

import shlex
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .changes import DeviceChange, SwitchChange
    from .snapshot import SchoolState

JOB_OF_VARIABLE = {
    **dict.fromkeys(("os", "software_sets", "software_packages", "windows_packages", "software_repository"),
                    "rebuild"),
    "licences": "license",
    **dict.fromkeys(("timezone", "ntp_servers", "accounts", "aup_banner", "motd", "screen_lock_minutes",
                     "usb_storage", "web_filter"), "configure"),
}  # fmt: skip
JOBS = ("rebuild", "license", "configure", "net push")


@dataclass(frozen=True)
class ImpliedJob:
    job: str  # rebuild, license, configure or net push
    school: str
    rooms: tuple[str, ...]  # the rooms of the PCs (empty for a net push)
    hosts: tuple[str, ...]  # the PCs or switches
    reasons: tuple[str, ...]  # the variables that changed, or "new PC", "host name", "rendered config"
    command: str  # the command that runs it


def implied_jobs(devices: Sequence[DeviceChange], switches: Sequence[SwitchChange],
                 head: dict[str, SchoolState]) -> tuple[ImpliedJob, ...]:  # fmt: skip
    """The jobs that bring the school's devices and switches to the changed inventory."""
    wanted: dict[tuple[str, str], dict[str, list[str]]] = {}  # (school, job) -> host -> reasons
    for device in devices:
        if device.status == "removed" or not device.managed:
            continue
        reasons = [("rebuild", "new PC")] if device.status == "added" else []
        reasons += [("configure", "host name")] if device.renamed_from else []
        reasons += [(JOB_OF_VARIABLE[v.root], v.root) for v in device.vars if v.root in JOB_OF_VARIABLE]
        for job, reason in reasons:
            wanted.setdefault((device.school, job), {}).setdefault(device.name, []).append(reason)
    new = {device.name for device in devices if device.status == "added"}
    jobs = [_lab_job(job, head[school], hosts, new) for (school, job), hosts in wanted.items()]
    pushed: dict[str, list[str]] = {}
    for switch in switches:
        if switch.status != "removed" and switch.diff:
            pushed.setdefault(switch.school, []).append(switch.name)
    for school, names in pushed.items():
        every = len(names) == len(head[school].switches)
        command = ["schooltech", "net", "push", "--school", school, *(() if every else _repeat("--switch", names))]
        jobs.append(ImpliedJob("net push", school, (), tuple(names), ("rendered config",), shlex.join(command)))
    return tuple(sorted(jobs, key=lambda j: (j.school, JOBS.index(j.job))))


def _lab_job(job: str, school: SchoolState, hosts: dict[str, list[str]], new: set[str]) -> ImpliedJob:
    """One job at one school: the whole school, or by room when it takes in every managed PC that was
    already in those rooms (new PCs are rebuilt anyway), else by name."""
    order = {name: i for i, name in enumerate(school.devices)}
    names = sorted(hosts, key=order.__getitem__)
    room_order = [r.name for r in school.rooms]
    rooms = sorted({school.devices[name].room for name in names}, key=room_order.index)
    existing = Counter(d.room for d in school.devices.values() if d.managed and d.name not in new)
    chosen = Counter(school.devices[name].room for name in names if name not in new)
    whole_rooms = all(chosen[room] == existing[room] for room in rooms)
    every_room = set(rooms) == {d.room for d in school.devices.values() if d.managed}
    scope = ([] if every_room else _repeat("--room", rooms)) if whole_rooms else ["--limit", ",".join(names)]
    reasons = tuple(dict.fromkeys(reason for name in names for reason in hosts[name]))
    command = shlex.join(["schooltech", job, "--school", school.code, *scope])
    return ImpliedJob(job, school.code, tuple(rooms), tuple(names), reasons, command)


def _repeat(option: str, values: Sequence[str]) -> list[str]:
    return [part for value in values for part in (option, value)]

"""Switch pushes side by side: plain Netmiko, Nornir, and schooltech's safe push; offline plan at scale.

    .venv/bin/python benchmarks/net_push.py [--switches 20] [--workers 10] [--offline 500] [--repeat 1]

Push (one run, the same 20 emulated Catalyst switches of 48+4 ports on 127.0.0.1):
  each switch starts from a config that differs from its intended one by about 15 lines
  (storm control missing on some ports, old descriptions, a stale NTP and syslog server,
  another SNMP location), so the same ~15-20 commands are sent by every variant:

  (a) sequential Netmiko: connect, ``send_config_set`` with the platform's error pattern, disconnect;
  (b) Nornir (threaded runner) with nornir_netmiko ``netmiko_send_config``, the same commands and
      error pattern, the same worker count: a plain push, no backup and no verification;
  (c) ``schooltech_fleet.network.push.apply``: read + back up (git), plan (hier_config), send,
      re-read and verify, ``write memory``, back up again; the same worker count.

  The switches are put back to their starting config (control ``set_running_config``) before
  each variant, and every variant must leave them all at their intended config.
  Targets: schooltech / Nornir <= 1.0 and sequential / schooltech >= 5.

Offline (no connection): render 500 intended configs of 48-port switches (the district
generator: 50 schools of 10 switches) and ``plan.delta`` each against a "running" text that
differs from it by about 15 lines. Target: < 3 s.
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import os
import pstats
import re
import resource
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))

from district import write_district
from schooltech_fleet.network.plan import delta

from schooltech_fleet.inventory import load_schools
from schooltech_fleet.network import hostkeys, push
from schooltech_fleet.network.credentials import Credentials
from schooltech_fleet.network.intent import school_intents
from schooltech_fleet.network.platforms import platform
from schooltech_fleet.network.render import render
from schooltech_fleet.network.targets import SwitchTarget
from schooltech_fleet.sim.switches import SwitchFarm, SwitchSpec, catalyst_interfaces, start_switches

LOOPBACK = "127.0.0.1"  # the only address this benchmark ever connects to
USER, PASSWORD = "bench", "bench-pass-0"
CISCO = platform("cisco_ios")


# ---------------------------------------------------------------- the school and its drift


def school_file(switches: int) -> str:
    """One secondary school with *switches* Catalyst switches (48 access + 4 uplink ports each)."""
    lines = [
        "schooltech: 1",
        "school: {name: Benchmark High, code: BEN, type: secondary}",
        "settings:",
        "  ntp_servers: [10.77.99.1]",
        "  syslog_servers: [10.77.99.5]",
        "  snmp: {location: Benchmark High, contact: it@bench.example, servers: [10.77.99.5]}",
        "vlans:",
        "  staff: {subnet: 10.77.10.0/24, gateway: 10.77.10.1}",
        "  students: {subnet: 10.77.20.0/23, gateway: 10.77.20.1}",
        "  guest: {subnet: 10.77.30.0/24, gateway: 10.77.30.1}",
        "  av: {subnet: 10.77.40.0/24, gateway: 10.77.40.1}",
        "  management: {subnet: 10.77.99.0/24, gateway: 10.77.99.1}",
        "sites: [{name: main, buildings: [A]}]",
        "rooms:",
    ]
    for s in range(switches):
        lines += [f"  - {{name: R{s:02d}, kind: ict_suite, building: A}}"]
    lines.append("switches:")
    for s in range(switches):
        lines += [
            f"  - name: BEN-SW{s:02d}",
            "    platform: cisco_ios",
            f"    mgmt_ip: 10.77.99.{11 + s}",
            "    ports:",
            f"      - {{ports: 1-30, room: R{s:02d}}}",
            "      - {ports: 31-32, vlan: staff}",
            "      - {ports: 33, vlan: guest, description: Visitor desk}",
            "      - {ports: 40, vlan: av, description: Projector}",
            "      - {ports: 45-46, access_point: true}",
            "    uplinks:",
            f"      - {{port: 49, to: BEN-SW{(s + 1) % switches:02d}}}",
        ]
    return "\n".join(lines) + "\n"


def drifted(intended: str) -> str:
    """*intended* with about 15 lines changed, as a switch that drifted would show it."""
    text = intended.replace(" storm-control broadcast level 5.00\n", "", 5)  # 5 ports lost storm control
    text = re.sub(r"(?m)^ description room (R\d\d)$", r" description old \1", text, count=4)  # 4 old labels
    text = text.replace("ntp server 10.77.99.1\n", "ntp server 10.77.99.250\n")
    text = text.replace("logging host 10.77.99.5\n", "logging host 10.77.99.251\n")
    return text.replace("snmp-server location Benchmark High\n", "snmp-server location old cupboard\n")


# ---------------------------------------------------------------- the three variants


def netmiko_sequential(farm: SwitchFarm, commands: dict[str, tuple[str, ...]]) -> None:
    from netmiko import ConnectHandler  # noqa: PLC0415

    for name, lines in commands.items():
        connection = ConnectHandler(device_type="cisco_ios", host=LOOPBACK, port=farm.port(name), username=USER,
                                    password=PASSWORD)  # fmt: skip
        connection.send_config_set(list(lines), error_pattern=CISCO.error_pattern)
        connection.disconnect()


def nornir_push(farm: SwitchFarm, commands: dict[str, tuple[str, ...]], workers: int, reads: bool = False) -> None:
    """Nornir's threaded runner; with *reads*, also the round trips of a safe push (no git, no hier_config)."""
    from nornir.core import Nornir  # noqa: PLC0415
    from nornir.core.inventory import Defaults, Groups, Host, Hosts, Inventory  # noqa: PLC0415
    from nornir.core.plugins.connections import ConnectionPluginRegister  # noqa: PLC0415
    from nornir.core.task import Task  # noqa: PLC0415
    from nornir.plugins.runners import ThreadedRunner  # noqa: PLC0415
    from nornir_netmiko.tasks import netmiko_save_config, netmiko_send_command, netmiko_send_config  # noqa: PLC0415

    ConnectionPluginRegister.auto_register()  # what InitNornir does: finds nornir_netmiko's "netmiko"
    hosts = Hosts({name: Host(name, hostname=LOOPBACK, port=farm.port(name), username=USER, password=PASSWORD,
                              platform="cisco_ios") for name in commands})  # fmt: skip
    nr = Nornir(inventory=Inventory(hosts=hosts, groups=Groups(), defaults=Defaults()),
                runner=ThreadedRunner(num_workers=workers))  # fmt: skip

    def task(t: Task) -> None:
        if reads:
            t.run(task=netmiko_send_command, command_string="show running-config")
        t.run(task=netmiko_send_config, config_commands=list(commands[t.host.name]),
              error_pattern=CISCO.error_pattern)  # fmt: skip
        if reads:
            t.run(task=netmiko_send_command, command_string="show running-config")
            t.run(task=netmiko_save_config)

    result = nr.run(task=task)
    nr.close_connections()
    if result.failed:
        raise RuntimeError(f"nornir: {sorted(result.failed_hosts)} failed")


def schooltech_push(targets: list[SwitchTarget], wanted: dict[str, str], workers: int) -> None:
    outcomes = push.apply(push.ApplyRequest(targets, wanted, "benchmark", workers=workers))
    bad = [(o.switch, str(o.outcome), o.message) for o in outcomes if o.outcome is not push.Outcome.APPLIED]
    if bad:
        raise RuntimeError(f"schooltech: {bad}")


# ---------------------------------------------------------------- harness


@contextlib.contextmanager
def profiled(enabled: bool, label: str) -> Iterator[None]:
    if not enabled:
        yield
        return
    profile = cProfile.Profile()
    profile.enable()
    try:
        yield
    finally:
        profile.disable()
        print(f"--- profile of {label} (this thread only; cumulative) ---")
        pstats.Stats(profile).sort_stats("cumulative").print_stats(18)


def timed(label: str, farm: SwitchFarm, start: dict[str, str], wanted: dict[str, str], action: Callable[[], Any],
          profile: bool = False) -> float:  # fmt: skip
    for name, text in start.items():
        farm.control.set_running_config(name, text)
    emulator, ours = cpu_seconds(farm.process.pid), resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)  # git, in the schooltech variant
    began = time.perf_counter()
    with profiled(profile, label):
        action()
    seconds = time.perf_counter() - began
    emulator = cpu_seconds(farm.process.pid) - emulator
    ours = _cpu(resource.getrusage(resource.RUSAGE_SELF)) - _cpu(ours)
    children = _cpu(resource.getrusage(resource.RUSAGE_CHILDREN)) - _cpu(children)
    left = [name for name in start if delta(CISCO, farm.control.running_config(name), wanted[name]).changes]
    if left:
        raise RuntimeError(f"{label}: {len(left)} switches not at their intended config: {left[:3]}")
    print(
        f"  {label:<58} {seconds:6.2f} s   CPU: emulator {emulator:5.2f} s, this process {ours:5.2f} s, "
        f"its children (git) {children:4.2f} s"
    )
    return seconds


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of process *pid* (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _cpu(usage: resource.struct_rusage) -> float:
    return usage.ru_utime + usage.ru_stime


def push_benchmark(switches: int, workers: int, repeat: int, profile: bool, work: Path) -> None:
    school = work / "school"
    school.mkdir()
    (school / "ben.school.yml").write_text(school_file(switches))
    loaded, findings = load_schools(school)
    errors = [f for f in findings if str(f.severity) == "error"]
    if errors:
        raise SystemExit(f"generated school is invalid: {errors[:3]}")
    wanted = {intent.name: render(intent) for intent in school_intents(loaded[0])}
    start = {name: drifted(text) for name, text in wanted.items()}
    commands = {name: delta(CISCO, start[name], wanted[name]).commands for name in wanted}
    sizes = sorted(len(c) for c in commands.values())
    specs = [SwitchSpec(name, 0, USER, PASSWORD, catalyst_interfaces(48, 4), startup_config=start[name])
             for name in wanted]  # fmt: skip
    with start_switches(specs, work / "farm") as farm:
        known_hosts = work / "known_hosts"  # the emulator started here is ours: record its keys as found
        for name in wanted:
            hostkeys.record(known_hosts, LOOPBACK, farm.port(name), hostkeys.offered(LOOPBACK, farm.port(name)))
        targets = [SwitchTarget(name, "BEN", CISCO, LOOPBACK, farm.port(name), Credentials(USER, PASSWORD), "bench",
                                known_hosts) for name in wanted]  # fmt: skip
        print(
            f"{switches} emulated switches (48+4 ports, one emulator process), {os.cpu_count()} CPUs, "
            f"{workers} workers; {sizes[0]}-{sizes[-1]} commands per switch"
        )
        netmiko_sequential(farm, {targets[0].name: commands[targets[0].name]})  # warm-up: imports, key exchange
        best: dict[str, float] = {}
        for _ in range(repeat):
            for label, key, action in (
                ("(a) sequential Netmiko send_config_set", "sequential", lambda: netmiko_sequential(farm, commands)),
                (f"(b) Nornir + netmiko_send_config, {workers} workers", "nornir",
                 lambda: nornir_push(farm, commands, workers)),
                (f"(c) schooltech push.apply (backup+push+verify+save), {workers} w", "schooltech",
                 lambda: schooltech_push(targets, wanted, workers)),
                ("    for reference: Nornir + show run, send, show run, write mem", "nornir-reads",
                 lambda: nornir_push(farm, commands, workers, reads=True)),
            ):  # fmt: skip
                seconds = timed(label, farm, start, wanted, action, profile=profile and key == "schooltech")
                best[key] = min(best.get(key, seconds), seconds)
        ratio = best["schooltech"] / best["nornir"]
        speedup = best["sequential"] / best["schooltech"]
        print(f"  schooltech / nornir     = {ratio:5.2f}   (target <= 1.0)  {'ok' if ratio <= 1.0 else 'MISSED'}")
        print(f"  sequential / schooltech = {speedup:5.2f}   (target >= 5)    {'ok' if speedup >= 5 else 'MISSED'}")
        print(
            f"  schooltech / Nornir with the same round trips = {best['schooltech'] / best['nornir-reads']:5.2f}"
            "   (what the engine itself adds: git commits, hier_config, locks)"
        )


def offline_benchmark(switches: int, work: Path) -> None:
    schools = max(1, switches // 10)
    district = work / "district"
    write_district(district, schools)
    began = time.perf_counter()
    loaded, _ = load_schools(district)
    intents = [intent for school in loaded for intent in school_intents(school)][:switches]
    loading = time.perf_counter() - began
    began = time.perf_counter()
    texts = [(intent, render(intent)) for intent in intents]
    rendered = time.perf_counter() - began
    running = [drifted_district(text) for _, text in texts]  # the saved running configs (not timed)
    began = time.perf_counter()
    pairs = zip(texts, running, strict=True)
    deltas = [delta(platform(intent.platform), current, text) for (intent, text), current in pairs]
    planned = time.perf_counter() - began
    ports = intents[0].access_ports + intents[0].uplink_ports
    commands = sorted(len(d.commands) for d in deltas)
    total = rendered + planned
    print(
        f"\noffline: {len(intents)} switches x {ports} ports ({schools} schools; loading the inventory "
        f"{loading:.2f} s, not counted)"
    )
    print(
        f"  render {rendered:5.2f} s + plan {planned:5.2f} s = {total:5.2f} s   (target < 3 s)  "
        f"{'ok' if total < 3 else 'MISSED'};  {commands[0]}-{commands[-1]} commands per switch"
    )


def drifted_district(intended: str) -> str:
    """A district switch's config with about 15 lines changed."""
    text = intended.replace(" storm-control broadcast level 5.00\n", "", 5)
    text = re.sub(r"(?m)^ description room (R\d\d)$", r" description old \1", text, count=4)
    return re.sub(r"(?m)^ntp server .*$", "ntp server 10.255.255.1", text)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--switches", type=int, default=20)
    parser.add_argument("--workers", type=int, default=10)
    parser.add_argument("--offline", type=int, default=500, help="switches for the offline render + plan")
    parser.add_argument("--repeat", type=int, default=1, help="runs of each push variant (the best counts)")
    parser.add_argument("--profile", action="store_true", help="cProfile the schooltech push (main thread)")
    parser.add_argument("--skip-push", action="store_true")
    parser.add_argument("--skip-offline", action="store_true")
    options = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="net-push-") as tmp:
        work = Path(tmp)
        # backups, locks and the audit log of the schooltech variant go to a state directory of its own
        os.environ["SCHOOLTECH_STATE_DIR"] = str(work / "state")
        os.environ["SCHOOLTECH_CACHE_DIR"] = str(work / "cache")
        if not options.skip_push:
            push_benchmark(options.switches, options.workers, options.repeat, options.profile, work)
        if not options.skip_offline:
            offline_benchmark(options.offline, work)


if __name__ == "__main__":
    main()

"""``schooltech sim``: a rehearsal copy of a school on this machine.

  up        start the simulation: lab PCs as Linux containers reached over SSH on
            127.0.0.1, switches as emulated Cisco IOS devices; then every command
            (and plain ansible-playbook -i) runs against it, not the real school;
            --imaging adds the imaging lab: a qemu VM per imaged PC, network-booting
            from a boot server at its inventory address (inside network namespaces);
            each school also gets an execution node (a container), and with
            --execution-node every lab job of the school runs there
  status    what is simulated and whether it is running
  publish   a new release arrives in the simulated school repository (e.g. for a patch run)
  down      stop everything and remove the simulation layer
  plant     plant a finding for an audit to find: a stranger's MAC on a switch port,
            a PC plugged into another port, an entry removed, a PC reporting another serial

Exit codes: 0 success, 1 status found something not running, 2 usage error,
missing host prerequisite, or a simulation that could not start.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.markup import escape

from ..errors import UsageError
from ..sim import hardware, plant, simulation
from ..sim.imaging.school_lab import LabStatus
from .commands import help_line
from .common import EXIT_FINDINGS, EXIT_OK, add_inventory_option, positive_int
from .tables import Column, print_table

# a state ("not installed") or a firmware ("uefi-secure-boot") is read as one word: never folded
_HOST_COLUMNS = (Column("host", whole=True), Column("kind"), Column("school", whole=True, drop=1),
                 Column("room", whole=True, drop=2), Column("endpoint", whole=True),
                 Column("state", whole=True))  # fmt: skip
_VM_COLUMNS = (Column("PC VM", whole=True), Column("MAC", whole=True), Column("firmware", whole=True),
               Column("power", whole=True), Column("boots", justify="right"), Column("serial log"))  # fmt: skip


def register(commands: Any) -> None:
    parser: argparse.ArgumentParser = commands.add_parser(
        "sim", help=help_line("sim"), description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )  # fmt: skip
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    up = actions.add_parser("up", help="start the simulation (idempotent)")
    add_inventory_option(up)
    up.add_argument("--school", action="append", default=[], metavar="CODE", help="only this school (repeatable)")
    up.add_argument("--room", action="append", default=[], metavar="ROOM", help="only this room (repeatable)")
    up.add_argument("--max-pcs", type=positive_int, metavar="N", help="at most N lab PCs per room")
    up.add_argument("--startup-config", action="append", default=[], metavar="SWITCH=FILE",
                    help="start an emulated switch from a saved running-config (repeatable)")  # fmt: skip
    up.add_argument("--imaging", action="store_true",
                    help="also start the imaging lab: the imaged rooms' PCs as VMs that network-boot "
                         "(their containers start only once 'image' installed them)")  # fmt: skip
    up.add_argument("--execution-node", action="store_true",
                    help="send every lab job of a simulated school to its simulated execution node "
                         "(without it, jobs run on this machine; switching keeps the simulation)")  # fmt: skip
    up.set_defaults(handler=run_up)
    status = actions.add_parser("status", help="what is simulated and whether it runs")
    status.set_defaults(handler=run_status)
    publish = actions.add_parser("publish", help="offer another version of a school package")
    publish.add_argument("package", help="e.g. schooltech-demo-app")
    publish.add_argument("version", help="e.g. 1.1")
    publish.set_defaults(handler=run_publish)
    down = actions.add_parser("down", help="stop the simulation and remove its layer")
    down.add_argument("-i", "--inventory", type=Path, default=None,
                      help="also remove simulation layers left under this inventory")  # fmt: skip
    down.set_defaults(handler=run_down)
    _register_plant(actions.add_parser("plant", help="plant a finding in the running simulation"))


def _register_plant(parser: argparse.ArgumentParser) -> None:
    """``sim plant stranger|move|remove|serial``: what the emulated switches see on their ports, what a PC reports."""
    kinds = parser.add_subparsers(dest="kind", metavar="KIND", required=True)
    stranger = kinds.add_parser("stranger", help="a device nobody declared appears on a switch port")
    _switch_port(stranger)
    stranger.add_argument("--mac", required=True, help="its MAC address, e.g. 02:00:00:00:be:ef")
    stranger.add_argument("--vlan", type=positive_int, help="its VLAN on a trunk port (an access port sets its own)")
    stranger.set_defaults(handler=run_plant_stranger)
    move = kinds.add_parser("move", help="a PC is unplugged and plugged into another switch port")
    move.add_argument("--pc", required=True, metavar="HOST", help="the PC's inventory name")
    _switch_port(move)
    move.set_defaults(handler=run_plant_move)
    remove = kinds.add_parser("remove", help="a device is unplugged from a switch: its MAC leaves every table")
    remove.add_argument("--switch", required=True, metavar="NAME")
    remove.add_argument("--mac", required=True)
    remove.set_defaults(handler=run_plant_remove)
    serial = kinds.add_parser("serial", help="a PC reports another product serial (its mainboard was replaced)")
    serial.add_argument("--pc", required=True, metavar="HOST", help="the PC's inventory name")
    serial.add_argument("--serial", required=True, help="the serial it reports from now on")
    serial.set_defaults(handler=run_plant_serial)


def _switch_port(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--switch", required=True, metavar="NAME", help="an emulated switch")
    parser.add_argument("--port", required=True, type=positive_int, metavar="N",
                        help="its port number as in the inventory (access ports first, then uplinks)")  # fmt: skip


def run_plant_stranger(args: argparse.Namespace, console: Console) -> int:
    _print_planted(plant.plant_stranger(args.switch, args.port, args.mac, vlan=args.vlan), console)
    return EXIT_OK


def run_plant_move(args: argparse.Namespace, console: Console) -> int:
    _print_planted(plant.plant_move(args.pc, args.switch, args.port), console)
    return EXIT_OK


def _print_planted(planted: plant.Planted, console: Console) -> None:
    station = planted.station
    console.print(f"{escape(station.label)} ({station.mac}) is now on {escape(planted.switch)} port {planted.port} "
                  f"({station.interface})", soft_wrap=False)  # fmt: skip
    if not planted.port_up:
        console.print(f"[yellow]port {planted.port} is shut down: the switch learns nothing from it until "
                      "it is enabled (no shutdown)[/yellow]", soft_wrap=False)  # fmt: skip


def run_plant_remove(args: argparse.Namespace, console: Console) -> int:
    station = plant.unplant(args.switch, args.mac)
    console.print(f"{station.mac} ({escape(station.label or 'unlabelled')}) unplugged from {escape(args.switch)}",
                  soft_wrap=False)  # fmt: skip
    return EXIT_OK


def _startup_configs(items: list[str]) -> dict[str, str]:
    configs = {}
    for item in items:
        switch, _, file = item.partition("=")
        if not switch or not file:
            raise UsageError(f"--startup-config {item!r}: write SWITCH=FILE", "e.g. DEMO-SW-LAB=backups/lab.cfg")
        try:
            configs[switch] = Path(file).read_text(encoding="utf-8")
        except OSError as exc:
            raise UsageError(f"--startup-config {switch}: cannot read {file}: {exc.strerror}") from exc
    return configs


def run_up(args: argparse.Namespace, console: Console) -> int:
    with console.status("starting the simulated school") as spinner:
        sim = simulation.up(
            args.inventory, schools=args.school, rooms=args.room, max_pcs=args.max_pcs,
            startup_configs=_startup_configs(args.startup_config), imaging=args.imaging,
            execution_node=args.execution_node, progress=lambda message: spinner.update(escape(message)),
        )  # fmt: skip
    console.print(f"[green]simulation {sim.sim_id} is running[/green]: {len(sim.pcs)} lab PCs, "
                  f"{len(sim.switches)} emulated switches, all on 127.0.0.1")  # fmt: skip
    for host in sim.nodes:
        runs = "every lab job of the school runs there" if sim.execution_node else "lab jobs run on this machine"
        console.print(f"  execution node {host.name}: 127.0.0.1:{host.port} ({runs})")
    for reason, count in sorted(sim.skipped.items()):
        console.print(f"  not simulated: {count} ({escape(reason)})")
    for path in sim.overrides:
        console.print(f"  simulation layer: {escape(path)}")
    for lab in sim.labs:
        console.print(f"  imaging lab of {lab.school}: boot server {lab.boot_server} at {lab.url} on {lab.subnet} "
                      f"(inside network namespaces {lab.namespaces[0].rpartition('-')[0]}-*), "
                      f"{len(lab.pcs)} PC VMs, at most {lab.max_running} running at once; serial logs in "
                      f"{escape(str(lab.logs))}")  # fmt: skip
    console.print("Every schooltech command and ansible-playbook -i now reach the simulation; "
                  "'schooltech sim down' ends it.")  # fmt: skip
    return EXIT_OK


def run_status(args: argparse.Namespace, console: Console) -> int:
    state = simulation.status()
    if state.simulation is None:
        console.print("no simulation is running")
        return EXIT_OK
    sim = state.simulation
    rows = []
    by_name = {h.name: h for h in sim.hosts}
    for host in state.hosts:
        record = by_name[host.name]
        colour = "green" if host.state == "running" else "red"
        rows.append((host.name, host.kind, record.school, record.room or "-", f"127.0.0.1:{host.port}",
                     f"[{colour}]{host.state}[/{colour}]"))  # fmt: skip
    title = escape(f"simulation {sim.sim_id} (started {sim.started}) of {sim.inventory}")
    print_table(console, title, _HOST_COLUMNS, rows)
    for path in state.stale_overrides:
        console.print(f"[yellow]simulation layer missing[/yellow]: {escape(path)}")
    for lab in state.labs:
        _print_lab(lab, console)
    return EXIT_OK if state.healthy else EXIT_FINDINGS


def _print_lab(lab: LabStatus, console: Console) -> None:
    record = lab.record
    services = ", ".join(f"{name} {'[green]running[/green]' if alive else '[red]stopped[/red]'}"
                         for name, alive in lab.services.items())  # fmt: skip
    console.print(f"imaging lab of {record.school} (run {record.run_id}): boot server {record.boot_server} at "
                  f"{record.url}; {services}")  # fmt: skip
    by_mac = {pc.mac: pc for pc in record.pcs}
    rows = [(by_mac[vm.mac].name, vm.mac, by_mac[vm.mac].firmware, vm.state.value, str(vm.boots),
             escape(str(record.serial_log(by_mac[vm.mac])))) for vm in lab.vms]  # fmt: skip
    print_table(console, None, _VM_COLUMNS, rows)


def run_publish(args: argparse.Namespace, console: Console) -> int:
    offered = simulation.publish(args.package, args.version)
    listing = ", ".join(f"{name} {version}" for name, version in offered.items())
    console.print(f"the simulated school repository now offers: {escape(listing)}")
    return EXIT_OK


def run_down(args: argparse.Namespace, console: Console) -> int:
    result = simulation.down(args.inventory)
    if result.sim_id is None and not result.overrides_removed:
        console.print("no simulation was running")
        return EXIT_OK
    labs = f", {result.labs_stopped} imaging lab(s) stopped" if result.labs_stopped else ""
    console.print(f"simulation {result.sim_id or '(unrecorded)'} stopped: {result.containers_removed} containers "
                  f"removed, switches {'stopped' if result.switches_stopped else 'were not running'}, "
                  f"{len(result.overrides_removed)} simulation layers removed{labs}")  # fmt: skip
    return EXIT_OK


def run_plant_serial(args: argparse.Namespace, console: Console) -> int:
    hardware.plant_serial(args.pc, args.serial)
    console.print(f"{escape(args.pc)} now reports serial {escape(args.serial.strip())}", soft_wrap=False)
    return EXIT_OK

"""Every ``schooltech`` command: the module that registers it and its help line, in one place."""

from __future__ import annotations

# Every command, in the order --help lists them: the module that registers it and its help line.
# A command's module is imported only when that command runs: the engines behind the modules
# (Netmiko and paramiko, ansible-runner, the imaging and simulation code) take seconds to import
# and a command needs one of them. --help lists the others from these lines, which
# each module registers too (``help=help_line(name)``).
COMMANDS: dict[str, tuple[str, str]] = {
    "check": ("check", "validate school inventories (schema, references, addressing, licences, calendar)"),
    "inventory": ("inventory", "list the fleet or show one host's resolved variables"),
    "rebuild": ("jobs", "term start: baseline, software, licences, verify; room by room"),
    "patch": ("jobs", "upgrades in rolling batches, reboots only outside lesson times"),
    "license": ("jobs", "licence files where licences are assigned, removed where not"),
    "configure": ("jobs", "settings only: accounts, banner, screen lock, USB, web filter, time"),
    "runs": ("jobs", "earlier lab jobs and their results"),
    "image": ("image", "reinstall a room's PCs over the network, then rebuild them (image plan: what it serves)"),
    "sim": ("sim", "start, inspect or stop the simulated school"),
    "node": ("node", "set up a school's execution nodes (ansible-runner from the controller's wheels)"),
    "net": ("net", "render, plan, push, back up and roll back switch configs"),
    "plan": ("plan", "what jobs and switch pushes would change at one school (changes nothing)"),
    "diff": ("diff", "what an inventory change does between two git revisions (changes nothing)"),
    "audit": ("audit", "the journal of jobs and switch changes: show it, verify its chain"),
    "assets": ("assets", "audit devices against the inventory, warranty and refresh, licences, exports"),
    "report": ("report", "write the fleet report (HTML, JSON) or compare two reports (report diff)"),
}


def help_line(name: str) -> str:
    """The one-line help of command *name*, as --help lists it."""
    return COMMANDS[name][1]

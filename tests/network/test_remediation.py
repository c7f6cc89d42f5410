"""The remediation, offline: the section pruning changes nothing hier_config would send, volatile lines never count.

``remediate`` compares the owned views of both configs and leaves out the sections they
share before hier_config reads them (an optimisation). Over many seeded mutations of every
example switch's rendered config, it must give exactly the commands and undo commands that
hier_config alone gives on the same owned views. A failure names the switch, the seed and
the mutations.
"""

from __future__ import annotations

import random
from collections.abc import Callable

import pytest
from hier_config import Platform as HierPlatform
from hier_config import WorkflowRemediation, get_hconfig, get_hconfig_driver

from schooltech_fleet.errors import UsageError
from schooltech_fleet.network import remediation
from schooltech_fleet.network.config_text import serialise
from schooltech_fleet.network.management import ManagementContext
from schooltech_fleet.network.operations import Rendered
from schooltech_fleet.network.platforms import Platform, platform
from schooltech_fleet.network.remediation import remediate, views

from .conftest import EXAMPLES
from .mutations import banner, mutate

CASES_PER_SWITCH = 40
Commands = tuple[tuple[str, ...], tuple[str, ...]]


def owned(target: Platform, current: str, wanted: str, context: ManagementContext) -> tuple[str, str]:
    """Both owned views, as text."""
    both = views(target, current, wanted, context)
    return serialise(both.running.owned), serialise(both.wanted.owned)


def hier_config_alone(target: Platform, current: str, wanted: str, context: ManagementContext) -> Commands:
    """(commands, undo) as hier_config computes them from the whole owned views."""
    driver = get_hconfig_driver(HierPlatform[target.hier_config_platform])
    ours, theirs = owned(target, current, wanted, context)
    workflow = WorkflowRemediation(get_hconfig(driver, ours), get_hconfig(driver, theirs))
    return (tuple(line.cisco_style_text() for line in workflow.remediation_config.all_children_sorted()),
            tuple(line.cisco_style_text() for line in workflow.rollback_config.all_children_sorted()))  # fmt: skip


def outcome(compute: Callable[[], Commands]) -> Commands | str:
    """What *compute* returns, or the kind of error it raises (both sides must fail alike)."""
    try:
        return compute()
    except Exception as exc:  # hier_config refuses some texts (an unclosed banner): so must delta
        return f"raises {type(exc).__name__}"


def planned(target: Platform, current: str, wanted: str, context: ManagementContext) -> Commands:
    """(commands, undo) as the remediation computes them."""
    found = remediate(target, current, wanted, context)
    return found.commands, found.undo


def pruned(target: Platform, current: str, wanted: str, context: ManagementContext) -> bool:
    """Whether the optimisation left anything out of this comparison."""
    ignored = remediation._ignored_lines(target)
    if ignored is None:
        return False
    ours, theirs = owned(target, current, wanted, context)
    return remediation._without_shared_sections(ours, theirs, ignored) != (ours, theirs)


@pytest.mark.parametrize("example", EXAMPLES)
def test_pruned_plan_equals_hier_config_alone_over_mutated_configs(
    example: str, examples: dict[str, tuple[Rendered, ...]]
) -> None:
    failures: list[str] = []
    cases = changed = left_out = 0
    for config in examples[example]:
        target = platform(config.platform)
        for case in range(CASES_PER_SWITCH):
            seed = f"{config.switch}/{case}"
            rng = random.Random(seed)
            base, _ = mutate(rng, config.config, 1, (banner,)) if rng.random() < 0.2 else (config.config, [])
            side = rng.randrange(3)  # 0: the switch drifted, 1: the intent changed, 2: both, differently
            current, current_edits = mutate(rng, base, rng.randint(1, 4)) if side != 1 else (base, [])
            wanted, wanted_edits = mutate(rng, base, rng.randint(1, 4)) if side != 0 else (base, [])
            context = config.management
            expected = outcome(lambda: hier_config_alone(target, current, wanted, context))  # noqa: B023
            got = outcome(lambda: planned(target, current, wanted, context))  # noqa: B023
            cases += 1
            changed += isinstance(expected, tuple) and bool(expected[0])
            left_out += pruned(target, current, wanted, context)
            if got != expected:
                failures.append(f"{seed}: running {current_edits}, intended {wanted_edits}\n"
                                f"  hier_config alone: {expected}\n  remediate:         {got}")  # fmt: skip
    assert not failures, f"{len(failures)} of {cases} cases differ:\n" + "\n".join(failures[:5])
    assert changed >= cases * 0.6, f"only {changed} of {cases} mutated cases change anything: the test is too weak"
    pruning = sum(platform(c.platform).independent_sections for c in examples[example]) * CASES_PER_SWITCH
    assert left_out >= pruning * 0.5, f"sections left out in only {left_out} of {pruning} cases that allow it"


LIB = "DEMO-SW-LIB"
GUARDED = {  # what pruning must leave for hier_config to read: case -> (running edit, intended edit or None)
    "a collapsed VLAN list merges into a named VLAN": (("vlan 40\n", "vlan 30-32,41\n!\nvlan 40\n"), None),
    "a header that appears twice is refused": (("!\nlogging host", "!\ninterface GigabitEthernet1/0/3\n"
                                               " description second copy\n!\nlogging host"), None),
}  # fmt: skip


@pytest.mark.parametrize("case", GUARDED)
def test_pruning_keeps_what_hier_config_reads_across_sections(
    case: str, examples: dict[str, tuple[Rendered, ...]]
) -> None:
    rendered = next(c for c in examples["demo"] if c.switch == LIB)
    config, context = rendered.config, rendered.management
    running_edit, wanted_edit = GUARDED[case]
    running = config.replace(*running_edit, 1)
    wanted = config.replace(*wanted_edit, 1) if wanted_edit else config
    assert running != config

    expected = outcome(lambda: hier_config_alone(platform("cisco_ios"), running, wanted, context))

    assert outcome(lambda: planned(platform("cisco_ios"), running, wanted, context)) == expected
    assert expected != ((), ())


def test_identical_configs_give_no_commands(examples: dict[str, tuple[Rendered, ...]]) -> None:
    for config in (c for configs in examples.values() for c in configs):
        found = remediate(platform(config.platform), config.config, config.config, config.management)
        assert (found.commands, found.undo, found.diff, found.management) == ((), (), "", ()), config.switch


VOLATILE_HEADERS = {
    "cisco_ios": "Building configuration...\r\n\r\nCurrent configuration : 8123 bytes\r\n"
                 "! Last configuration change at 10:11:12 UTC Sat Nov 28 2026 by admin\r\n"
                 "! NVRAM config last updated at 09:00:01 UTC Fri Nov 27 2026\r\n",
    "hp_procurve": "Running configuration:\r\n\r\n; J9727A Configuration Editor; Created on release #WB.16.10.0012\r\n"
                   "\r\n; Ver #14:01.4f.f8.1d.fb.7f.bf.bb.ff.7c.59.fc.7b.ff.ff.fc.ff.ff.3f.ef:05\r\n",
}  # fmt: skip


@pytest.mark.parametrize("name", ["DEMO-SW-LIB", "HZP-SW-02"])
def test_volatile_lines_and_layout_are_ignored_but_real_change_is_not(
    name: str, examples: dict[str, tuple[Rendered, ...]]
) -> None:
    config = next(c for configs in examples.values() for c in configs if c.switch == name)
    target = platform(config.platform)
    as_shown = VOLATILE_HEADERS[config.platform] + "".join(f"{line}  \r\n" for line in config.config.splitlines())
    if config.platform == "cisco_ios":
        as_shown = as_shown.replace("ntp server", "ntp clock-period 36028797\r\nntp server")
    context = config.management
    same = remediate(target, as_shown, config.config, context)
    assert (same.commands, same.undo, same.diff) == ((), (), "")
    newer = as_shown.replace("8123", "9001").replace("WB.16.10", "WB.16.11")
    assert remediate(target, as_shown, newer, context).diff == ""

    server = {"cisco_ios": "ntp server 10.90.99.1", "hp_procurve": "sntp server priority 1 10.31.99.1"}[target.name]
    found = remediate(target, as_shown.replace(server, f"{server}99"), config.config, context)
    assert found.changes
    assert all("Configuration" not in line and "clock-period" not in line for line in found.diff.splitlines())


def test_a_known_drift_gives_exactly_the_remediation_and_its_undo(examples: dict[str, tuple[Rendered, ...]]) -> None:
    rendered = next(c for c in examples["demo"] if c.switch == "DEMO-SW-LIB")
    wanted = rendered.config
    running = (wanted.replace(" description room LIB\n", " description printer\n", 1)
               .replace(" storm-control broadcast level 5.00\n spanning-tree portfast\n!\ninterface "
                        "GigabitEthernet1/0/2", " spanning-tree portfast\n!\ninterface GigabitEthernet1/0/2")
               .replace("ntp server 10.90.99.1\n", "ntp server 10.90.99.1\nntp server 10.90.99.250\n"))  # fmt: skip

    found = remediate(platform("cisco_ios"), running, wanted, rendered.management)

    assert found.commands == (
        "no ntp server 10.90.99.250",  # negations first
        "interface GigabitEthernet1/0/1",
        "  description room LIB",
        "  storm-control broadcast level 5.00",
    )
    assert found.undo == (
        "interface GigabitEthernet1/0/1",
        "  no storm-control broadcast level 5.00",
        "  description printer",
        "ntp server 10.90.99.250",
    )
    assert "-ntp server 10.90.99.250\n" in found.diff and "+ description room LIB\n" in found.diff


@pytest.mark.parametrize("name", ["juniper_junos", "", "CISCO_IOS"])
def test_an_unknown_platform_is_refused_naming_the_supported_ones(name: str) -> None:
    with pytest.raises(UsageError) as refused:
        platform(name)
    assert refused.value.message == f"unknown switch platform {name!r}"
    assert refused.value.hint == "supported platforms: cisco_ios, hp_procurve"

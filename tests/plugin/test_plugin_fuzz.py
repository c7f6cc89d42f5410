"""Damaged school files through ``ansible-inventory``: a clean failure with our findings, never a crash."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest
from inventory.helpers import TODAY, ansible_inventory
from inventory.mutations import SOURCES, Mutation, mutate, random_mutations, write_mutant

from schooltech_fleet.inventory import check

CASES: list[tuple[str, list[Mutation]]] = [
    ("secondary", [("delete", 0, None)]),  # a comment line: still valid
    ("small", [("replace", 2, "Test: School {1}")]),  # an odd but safe school name: still valid
    *((sorted(SOURCES)[seed % len(SOURCES)], random_mutations(random.Random(seed), 3)) for seed in range(5)),
]


@pytest.mark.parametrize(("source", "mutations"), CASES, ids=[f"case{i}" for i in range(len(CASES))])
def test_ansible_inventory_agrees_with_check_on_a_damaged_file(
    tmp_path: Path, source: str, mutations: list[Mutation]
) -> None:
    path = write_mutant(tmp_path, mutate(SOURCES[source], mutations))
    result = check(path, today=TODAY)
    done = ansible_inventory("-i", path, "--list")
    assert "Traceback" not in done.stderr
    assert "schooltech_fleet/" not in done.stderr, "a Python frame of ours leaked into Ansible's output"
    if result.errors:
        assert done.returncode != 0
        first = result.errors[0]
        assert f"{path}:{first.line}:{first.column}: error[{first.code}]" in done.stderr
    else:
        assert done.returncode == 0, done.stderr
        hostvars = json.loads(done.stdout)["_meta"]["hostvars"]
        assert len(hostvars) == result.devices + result.switches

"""Whether a simulated school's lab jobs go to its execution node: the layer's switch (pure: no containers)."""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path

import pytest
import yaml
from inventory.helpers import TODAY, run_check, write_school, write_simulation_layer

from schooltech_fleet.errors import UsageError
from schooltech_fleet.inventory import load_fleet
from schooltech_fleet.sim import simulation
from schooltech_fleet.sim.simulation import SimulatedHost, Simulation

HOST_KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIKawLEFDaHEWQYM8RXaUGgFc1CmOi5IUhA9BQs329iZv"


@pytest.fixture
def recorded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A school simulated as 'sim up' records it (its PC and node), without starting anything; its school file."""
    monkeypatch.setenv("SCHOOLTECH_STATE_DIR", str(tmp_path / "state"))
    path, _ = write_school(tmp_path / "inventory", sites="- name: main\n")
    write_simulation_layer(path.parent, None)
    layer = path.parent / ".schooltech-sim.yml"
    layer.write_text("# Written by 'schooltech sim up' (sim-test).\n" + layer.read_text())
    hosts = (SimulatedHost("TST-C1-PC01", "TST", "pc", 22001, "C1"),
             SimulatedHost("TST-NODE", "TST", "node", 22002, host_key=HOST_KEY))  # fmt: skip
    record = Simulation("sim-test", "2026-12-01T07:00:00+00:00", str(path.parent), {}, hosts, {}, (str(layer),),
                        None, None, str(tmp_path / "state" / "sim" / "sim-test"))  # fmt: skip
    (tmp_path / "state" / "sim").mkdir(parents=True)
    (tmp_path / "state" / "sim" / "state.json").write_text(json.dumps(asdict(record)))
    return path


def test_the_layer_names_the_node_only_while_asked_and_keeps_the_rest(recorded: Path) -> None:
    layer = recorded.parent / ".schooltech-sim.yml"
    before = layer.read_text()
    assert "execution_node" not in load_fleet(recorded, TODAY).host_vars("TST-C1-PC01")

    on = simulation.use_execution_node(True)

    assert on.execution_node and simulation.current() == on
    assert load_fleet(recorded, TODAY).host_vars("TST-C1-PC01")["execution_node"] == {
        "host": "127.0.0.1", "port": 22002, "user": "fleetadmin", "host_key": HOST_KEY, "identity_file": "/sim/id"}
    assert not run_check(recorded).findings
    assert layer.read_text().startswith("# Written by 'schooltech sim up' (sim-test).\n")

    off = simulation.use_execution_node(False)

    assert not off.execution_node and not simulation.current().execution_node  # type: ignore[union-attr]
    assert "execution_node" not in load_fleet(recorded, TODAY).host_vars("TST-C1-PC01")
    assert yaml.safe_load(layer.read_text()) == yaml.safe_load(before)


def test_a_node_is_asked_for_by_school_and_a_school_without_one_is_named(recorded: Path) -> None:
    sim = simulation.current()
    assert sim is not None and sim.node("TST").port == 22002 and [h.name for h in sim.pcs] == ["TST-C1-PC01"]
    with pytest.raises(UsageError, match="no execution node for OTHER"):
        sim.node("OTHER")

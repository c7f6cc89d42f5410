"""Damaged school files never crash the checker: every outcome is a result with findings, or a valid fleet."""

from __future__ import annotations

import contextlib
import io
import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from schooltech_fleet.cli import main
from schooltech_fleet.inventory import check, explain_host, load_fleet

from .helpers import TODAY, schooltech
from .mutations import ODD_SCALARS, SOURCES, Mutation, mutate, random_mutations, write_mutant

POSITION = st.integers(min_value=0, max_value=10_000)
TEXT = st.text(st.characters(blacklist_categories=("Cs",)), max_size=24)
VALUES = st.one_of(
    st.sampled_from(ODD_SCALARS),
    TEXT,
    st.tuples(st.just("quoted"), TEXT),
    st.integers(min_value=-(10**20), max_value=10**20),
    st.floats(allow_nan=True, allow_infinity=True),
)
MUTATION: st.SearchStrategy[Mutation] = st.one_of(
    st.tuples(st.sampled_from(["delete", "duplicate", "truncate", "badbyte"]), POSITION, st.none()),
    st.tuples(st.just("indent"), POSITION, st.integers(min_value=-4, max_value=4)),
    st.tuples(st.just("swap"), POSITION, POSITION),
    st.tuples(st.just("replace"), POSITION, VALUES),
)


def assert_checks_cleanly(path: Path, data: bytes, output: str) -> None:
    """check() returns a result whose findings point into the file; the CLI agrees and exits 0 or 1."""
    result = check(path, today=TODAY)
    lines = data.count(b"\n") + 1
    for finding in result.findings:
        assert finding.line >= 1 and finding.column >= 1, finding
        if finding.file == str(path):
            assert finding.line <= lines, finding
    stdout, stderr = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
        code = main(["check", str(path), "--as-of", TODAY.isoformat(), "--format", output])
    assert "internal error" not in stderr.getvalue(), stderr.getvalue()
    assert code == (1 if result.errors else 0), stdout.getvalue()
    if output == "json":
        assert len(json.loads(stdout.getvalue())["findings"]) == len(result.findings)
    if not result.errors:
        fleet = load_fleet(path, today=TODAY)
        for host in fleet.hosts:
            json.dumps(fleet.host_vars(host))  # plain JSON types, as Ansible needs them
        for host in list(fleet.hosts)[:1] + list(fleet.hosts)[-1:]:
            explain_host(path, host, today=TODAY)


@settings(
    max_examples=250,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(
    source=st.sampled_from(sorted(SOURCES)),
    mutations=st.lists(MUTATION, min_size=1, max_size=4),
    output=st.sampled_from(["text", "json", "github"]),
)
def test_a_damaged_school_file_gives_findings_never_an_exception(
    tmp_path_factory: pytest.TempPathFactory, source: str, mutations: list[Mutation], output: str
) -> None:
    data = mutate(SOURCES[source], mutations)
    path = write_mutant(tmp_path_factory.mktemp("fuzz"), data)
    assert_checks_cleanly(path, data, output)


@pytest.mark.parametrize("seed", range(6))
def test_the_installed_command_exits_0_or_1_on_damaged_files(tmp_path: Path, seed: int) -> None:
    import random  # noqa: PLC0415

    rng = random.Random(seed)
    source = sorted(SOURCES)[seed % len(SOURCES)]
    path = write_mutant(tmp_path, mutate(SOURCES[source], random_mutations(rng, 3)))
    done = schooltech("check", path, "--as-of", TODAY.isoformat())  # asserts: no traceback, no internal error
    assert done.returncode in (0, 1), done.stderr


def test_every_example_school_is_valid_before_it_is_damaged(tmp_path: Path) -> None:
    for name, text in SOURCES.items():
        path = write_mutant(tmp_path / name, text.encode())
        assert check(path, today=TODAY).findings == (), name

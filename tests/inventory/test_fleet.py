"""Commands ask the fleet for a school by its code: one answer, one refusal."""

from __future__ import annotations

import pytest

from schooltech_fleet.inventory import load_fleet
from schooltech_fleet.inventory.fleet import UnknownSchool

from .helpers import EXAMPLE, TODAY


def test_the_fleet_gives_a_schools_file_by_its_code() -> None:
    assert load_fleet(EXAMPLE, TODAY).school("RVS") == EXAMPLE.resolve()


def test_an_unknown_code_is_a_usage_error_listing_the_known_schools() -> None:
    with pytest.raises(UnknownSchool) as unknown:
        load_fleet(EXAMPLE.parent.parent, TODAY).school("RVZ")
    assert unknown.value.message == "no school with code 'RVZ'"
    assert unknown.value.hint == "known schools: DEMO, HZP, OAK, RVS"
    assert unknown.value.exit_code == 2

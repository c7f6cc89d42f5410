"""ArubaOS-Switch writes names between double quotes: what check lets through stays one quoted value.

``schooltech check`` refuses a ``"`` (and ``?``, controls, non-ASCII) in any value that reaches a
switch config (``inventory/cli_values.py``); everything else of printable ASCII is rendered
into ``name "..."``, ``snmp-server location "..."`` and read back here by hier_config's
ArubaOS-Switch parser: one line under its section, the value intact between the quotes.
"""

from __future__ import annotations

import string
from pathlib import Path
from typing import Any

import pytest
from hier_config import Platform as HierPlatform
from hier_config import get_hconfig

from schooltech_fleet.errors import InventoryError
from schooltech_fleet.network.operations import Selection, intended

from .test_render import edited_secondary, switch

# every printable ASCII character the ArubaOS-Switch rules let through (no '"', no '?')
ALLOWED = "".join(c for c in string.printable if c.isprintable() and c not in '"?')
DESCRIPTIONS = [ALLOWED[i : i + 64] for i in range(0, len(ALLOWED), 64)] + [
    "Lab 1\\ ; vlan 1 name x\\",  # a trailing backslash: it cannot escape the closing quote
    "'single' ; exit ; no vlan 20 !#",
]


def quoted_value(line: str, command: str) -> str:
    """The text between the quotes of ``command "..."``, checking that it is the whole line."""
    assert line.startswith(f'{command} "') and line.endswith('"'), line
    return line[len(command) + 2 : -1]


@pytest.mark.parametrize("description", DESCRIPTIONS)
def test_a_port_name_and_snmp_location_stay_one_quoted_value(tmp_path: Path, description: str) -> None:
    def describe(document: dict[str, Any]) -> None:
        switch(document, "RVS-SW-T1")["ports"].append({"ports": 24, "vlan": "av", "description": description})
        switch(document, "RVS-SW-T1")["settings"] = {"snmp": {"location": description}}

    configs = {r.switch: r.config for r in intended(Selection(edited_secondary(tmp_path, describe)))}
    tree = get_hconfig(HierPlatform.HP_PROCURVE, configs["RVS-SW-T1"])
    (port,) = (child for child in tree.children if child.text == "interface 24")
    names = [line.text for line in port.children if line.text.startswith("name ")]
    assert [quoted_value(line, "name") for line in names] == [description]
    (location,) = (line.text for line in tree.children if line.text.startswith("snmp-server location "))
    assert quoted_value(location, "snmp-server location") == description


@pytest.mark.parametrize("description", ['Lab 1" ; vlan 1 name "x', 'the "quiet" lab'])
def test_a_double_quote_in_an_aruba_name_never_reaches_the_template(tmp_path: Path, description: str) -> None:
    def describe(document: dict[str, Any]) -> None:
        switch(document, "RVS-SW-T1")["ports"].append({"ports": 24, "vlan": "av", "description": description})

    with pytest.raises(InventoryError) as refused:
        intended(Selection(edited_secondary(tmp_path, describe)))
    (finding,) = refused.value.findings
    assert finding.code == "cli-value"
    assert 'contains \'"\', which would end the quoted value early (name "...")' in finding.message

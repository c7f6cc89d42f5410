"""What an inventory expression may hold (an allow-list), and what the sandbox stops when it is evaluated."""

from __future__ import annotations

from typing import Any

import pytest

from schooltech_fleet.inventory.expressions import MAX_SIZE, Compiled, EvaluationError, compile_expression

VARIABLES: dict[str, Any] = {
    "room": "C1",
    "device_role": "lab_pc",
    "model": "Dell OptiPlex 7010",
    "warranty_end": "2026-01-31",
    "software_packages": [{"name": "firefox-esr"}, {"name": "libreoffice"}],
    "vlan_id": 20,
    "managed": True,
    "aup_banner": "Use of this PC is monitored.\nReport misuse to IT.",
}


def compiled(source: str) -> Compiled:
    result = compile_expression(source, set(VARIABLES))
    assert isinstance(result, Compiled), [refusal.message for refusal in result]
    return result


def refusal(source: str) -> str:
    result = compile_expression(source, set(VARIABLES))
    assert isinstance(result, list), f"{source!r} was accepted"
    return result[0].message


@pytest.mark.parametrize(
    ("source", "value"),
    [
        ("room ~ '-' ~ device_role", "C1-lab_pc"),
        ("model | default('unknown') | lower | regex_replace('[^a-z0-9]+', '_')", "dell_optiplex_7010"),
        ("warranty_end is defined and warranty_end < '2027-01-01'", True),
        ("serial_number is defined", False),
        ("software_packages | join(',', attribute='name')", "firefox-esr,libreoffice"),
        ("software_packages[0].name", "firefox-esr"),
        ("model[0:4] | upper", "DELL"),
        ("vlan_id * 10 + 1", 201),
        ("vlan_id % 7", 6),
        ("'lab' if managed else 'asset'", "lab"),
        ("[room, vlan_id]", ["C1", 20]),
        ("{'room': room, 'id': vlan_id}", {"room": "C1", "id": 20}),
        ("model is match('Dell')", True),
        ("serial_number | default('untagged')", "untagged"),
        ("aup_banner", "Use of this PC is monitored.\nReport misuse to IT."),
    ],
)
def test_allowed_expressions_give_plain_data(source: str, value: Any) -> None:
    result = compile_expression(source, {*VARIABLES, "serial_number"})
    assert isinstance(result, Compiled), result
    assert result(VARIABLES) == value


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("lookup('pipe', 'id')", "'lookup' is Ansible's lookup function: it runs on the Ansible controller"),
        ("(lookup)('pipe', 'id')", "'lookup' is Ansible's lookup function"),
        ("{'f': q}.f('pipe', 'id')", "'q' is Ansible's lookup function"),
        ("room.upper()", "calls are not allowed in an inventory expression"),
        ("room.__class__", "'.__class__' reaches Python's internals"),
        ("room._private", "'._private' reaches Python's internals"),
        ("room['__class__']", "['__class__'] reaches Python's internals"),
        ("room['__cla' ~ 'ss__']", "a subscript must be a constant"),
        ("software_packages[vlan_id]", "a subscript must be a constant"),
        ("room[0:vlan_id]", "slice bounds must be constant numbers"),
        ("cycler", "'cycler' is a template global"),
        ("self", "'self' is a template global"),
        ("namespace", "'namespace' is a template global"),
        ("joiner", "'joiner' is a template global"),
        ("_secret", "names starting with '_' are not allowed"),
        ("rom", "'rom' is not a variable of the inventory"),
        ("room | attr('__class__')", "the filter 'attr' is not allowed"),
        ("room | ansible.builtin.lower", "the filter 'ansible.builtin.lower' is not allowed"),
        ("room | map('lower')", "the filter 'map' is not allowed"),
        ("room is callable", "the test 'callable' is not allowed"),
        ("room | join(*software_packages)", "*args and **kwargs are not allowed"),
        ("2 ** 64", "'**' is not allowed"),
        ("'%s' % room", "string formatting ('...' % x) is not allowed"),
        ("room ~", "not a Jinja expression"),
        ("room }} {{ room", "not a Jinja expression"),
        ("(" * 2000 + "room" + ")" * 2000, "the expression is 4004 characters long"),
    ],
)
def test_anything_else_is_refused_with_the_reason(source: str, message: str) -> None:
    assert message in refusal(source)


def test_a_lookup_is_reported_before_the_call_that_hides_it() -> None:
    assert refusal("[lookup][0]('pipe', 'id')").startswith("'lookup' is Ansible's lookup function")


def test_the_hint_says_what_to_write_instead() -> None:
    result = compile_expression("rom", set(VARIABLES))
    assert isinstance(result, list)
    assert result[0].hint == "did you mean 'room'?"


def evaluation_error(source: str, variables: dict[str, Any] | None = None) -> EvaluationError:
    with pytest.raises(EvaluationError) as caught:
        compiled(source)(variables if variables is not None else VARIABLES)
    return caught.value


@pytest.mark.parametrize(
    "source",
    [
        "room * 1000000000",
        "(room | list) * 60000",
        "[[room] * 300] * 300",
        "model | replace('', model) | replace('', model) | replace('', model)",
        "'{' ~ '{ room }' ~ '}'",
        "room ~ '{%' ~ ' x %}'",
        "room % vlan_id",
    ],
)
def test_the_sandbox_stops_what_only_evaluation_shows_whatever_strict_says(source: str) -> None:
    assert evaluation_error(source).fatal


def test_a_value_is_json_data_so_not_a_number_is_no_value() -> None:
    assert "is not a finite number" in evaluation_error("room | float", {"room": "nan"}).message


def test_a_missing_variable_or_key_is_an_ordinary_failure() -> None:
    assert "'dict object' has no attribute 'version'" in evaluation_error("software_packages[0].version").message
    assert not evaluation_error("room ~ warranty_end", {"room": "C1"}).fatal


def test_attributes_reach_only_mapping_keys_never_python() -> None:
    assert compiled("software_packages[0].name")(VARIABLES) == "firefox-esr"
    assert "has no attribute 'upper'" in evaluation_error("room.upper").message
    assert "has no attribute 'items'" in evaluation_error("software_packages[0].items").message


def test_a_value_may_hold_up_to_the_size_bound() -> None:
    assert compiled("'x' * 40000")(VARIABLES) == "x" * 40000
    assert MAX_SIZE > 40000 * 2

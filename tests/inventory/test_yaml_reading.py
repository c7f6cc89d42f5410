"""Reading school files: YAML 1.2 core scalars, positions, and every way a file can be unreadable."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from schooltech_fleet.inventory.yamlsource import LocDict, LocList, YamlProblem, loads, locate, locate_key

from .helpers import located, only, pos, run_check, school_text, write

# --- scalars ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("written", "value"),
    [
        ("yes", "yes"),
        ("no", "no"),
        ("on", "on"),
        ("off", "off"),
        ("y", "y"),
        ("2026-09-03", "2026-09-03"),
        ("08:30", "08:30"),
        ("1:30:00", "1:30:00"),
        ("10.20.16.0/21", "10.20.16.0/21"),
        ("10.20.16.21", "10.20.16.21"),
        ("3c:52:82:1a:2b:3c", "3c:52:82:1a:2b:3c"),
        ("true", True),
        ("False", False),
        ("null", None),
        ("~", None),
        ("", None),
        ("42", 42),
        ("-7", -7),
        ("0", 0),
        ("0o17", 15),
        ("0x1F", 31),
        ("1.5", 1.5),
        ("1e3", 1000.0),
        ("-.inf", -math.inf),
        ('"42"', "42"),
        ("'true'", "true"),
    ],
)
def test_plain_scalars_follow_the_yaml_1_2_core_schema(written: str, value: object) -> None:
    loaded = loads(f"key: {written}\n")["key"]
    assert loaded == value
    assert type(loaded) is type(value)


def test_leading_zero_numbers_are_decimal_integers_like_yaml_1_2_says() -> None:
    # 0830 (a time written without quotes) must stay an integer so the model can say
    # 'write times as quoted "HH:MM"'; as a float it became 830 seconds after midnight.
    data = loads("a: 0830\nb: 010\nc: -007\n")
    assert data == {"a": 830, "b": 10, "c": -7}
    assert all(type(value) is int for value in data.values())


def test_nan_is_a_float() -> None:
    assert math.isnan(loads("a: .nan\n")["a"])


def test_block_scalars_and_quoted_strings_are_always_strings() -> None:
    data = loads('a: |\n  line one\n  line two\nb: "true"\nc: >-\n  12\n')
    assert data == {"a": "line one\nline two\n", "b": "true", "c": "12"}


def test_double_quoted_escapes_are_decoded() -> None:
    assert loads('a: "lab\\nno vlan 20"\n') == {"a": "lab\nno vlan 20"}


# --- positions --------------------------------------------------------------


def test_every_key_and_value_remembers_its_line_and_column() -> None:
    text = "school:\n  name: RVS\n  tags: [a, b]\nrooms:\n  - name: C101\n    kind: ict_suite\n"
    data = loads(text)
    assert isinstance(data, LocDict)
    assert data.key_marks["school"] == (1, 1)
    assert data["school"].key_marks["name"] == (2, 3)
    assert data["school"].value_marks["name"] == (2, 9)
    assert isinstance(data["school"]["tags"], LocList)
    assert data["school"]["tags"].item_marks == [(3, 10), (3, 13)]
    assert locate(data, ("rooms", 0, "kind")) == (6, 11)
    assert locate_key(data, ("rooms", 0, "kind")) == (6, 5)


def test_locate_falls_back_to_the_nearest_ancestor_that_exists() -> None:
    data = loads("rooms:\n  - name: C101\n")
    assert locate(data, ("rooms", 0, "devices", 3, "ip")) == (2, 5)
    assert locate(data, ("rooms", 7)) == (2, 3)


# --- things the reader refuses ----------------------------------------------


def test_a_duplicate_key_is_reported_at_the_second_one_naming_the_first_line() -> None:
    with pytest.raises(YamlProblem) as caught:
        loads("school:\n  name: A\n  code: RVS\n  name: B\n")
    problem = caught.value
    assert (problem.line, problem.column) == (4, 3)
    assert "duplicate key 'name'" in problem.message
    assert "first written on line 2" in problem.message


@pytest.mark.parametrize(
    "tag", ["!!str", "!", "!<tag:yaml.org,2002:str>", "!!int", "!!python/object:os.system", "!custom", "!!binary"]
)
def test_every_tag_is_rejected_where_it_is_written_str_included(tag: str) -> None:
    with pytest.raises(YamlProblem) as caught:
        loads(f"a: 1\nb: {tag} x\n")
    assert (caught.value.line, caught.value.column) == (2, 4)
    shown = tag.replace("!<tag:yaml.org,2002:", "!!").rstrip(">")
    assert caught.value.message == f"the YAML tag {shown} is not allowed"


def test_a_str_tag_is_answered_with_quotes() -> None:
    with pytest.raises(YamlProblem) as caught:
        loads("start: !!str 0830\n")
    assert caught.value.hint == 'remove the tag; to make a value text, put it in quotes ("0830")'


@pytest.mark.parametrize("written", ["!!map {b: 1}", "!!omap [{b: 1}]", "!!set {b}", "!!seq [1]", "!custom [1]"])
def test_a_tag_on_a_mapping_or_list_is_rejected_too(written: str) -> None:
    with pytest.raises(YamlProblem) as caught:
        loads(f"a: {written}\n")
    assert (caught.value.line, caught.value.column) == (1, 4)
    assert "is not allowed" in caught.value.message


def test_an_inline_vault_value_is_refused_with_where_secrets_go() -> None:
    with pytest.raises(YamlProblem) as caught:
        loads("key: !vault |\n  $ANSIBLE_VAULT;1.1;AES256\n  6136\n")
    assert caught.value.message == "the YAML tag !vault is not allowed"
    assert "{vault: NAME} or {env: NAME}" in caught.value.hint


def test_a_tag_on_a_key_is_rejected() -> None:
    with pytest.raises(YamlProblem, match="the YAML tag !!str is not allowed"):
        loads("!!str a: 1\n")


@pytest.mark.parametrize("key", ["10", "010", "1e3", "0x10", "true", "True", "null", "~", "1_000", ".inf"])
def test_a_mapping_key_is_the_text_as_written(key: str) -> None:
    data = loads(f"{key}: x\n")
    assert list(data) == [key]
    assert data.key_marks == {key: (1, 1)}


def test_keys_written_differently_are_different_keys_even_when_they_mean_the_same_number() -> None:
    assert list(loads("10: a\n010: b\n0x0a: c\n")) == ["10", "010", "0x0a"]


def test_an_alias_to_a_number_as_a_key_is_rejected() -> None:
    with pytest.raises(YamlProblem, match="a mapping key must be text"):
        loads("a: &n 5\n*n : 3\n")


def test_an_alias_repeats_the_anchored_value() -> None:
    data = loads("base: &base {vlan: students}\nroom: *base\n")
    assert data["room"] == {"vlan": "students"}


def test_an_alias_to_an_undefined_anchor_is_reported() -> None:
    with pytest.raises(YamlProblem) as caught:
        loads("a: 1\nb: *nowhere\n")
    assert (caught.value.line, caught.value.column) == (2, 4)
    assert "*nowhere" in caught.value.message


def test_a_second_document_is_reported_at_its_separator() -> None:
    with pytest.raises(YamlProblem) as caught:
        loads("a: 1\n---\nb: 2\n")
    assert (caught.value.line, caught.value.column) == (2, 1)
    assert "more than one YAML document" in caught.value.message


def test_one_document_with_explicit_markers_is_fine() -> None:
    assert loads("---\na: 1\n...\n") == {"a": 1}


def test_a_mapping_as_a_key_is_rejected() -> None:
    with pytest.raises(YamlProblem, match="mapping key must be a plain value"):
        loads("? {a: 1}\n: x\n")


# --- through check(): each problem becomes a finding with file:line:column ---


def test_yaml_syntax_error_is_a_finding_with_its_line(tmp_path: Path) -> None:
    text = "schooltech: 1\nschool:\n  name: X\n  code: [RVS\n  type: secondary\n"
    path = write(tmp_path, text)
    finding = only(run_check(path))
    assert finding.file == str(path)
    assert finding.code == "yaml"
    assert finding.line == 5
    assert "YAML syntax error" in finding.message


def test_bad_indentation_is_a_yaml_finding_on_the_offending_line(tmp_path: Path) -> None:
    text = school_text().replace("    kind: ict_suite", "     kind: ict_suite")
    path = write(tmp_path, text)
    finding = only(run_check(path))
    assert (finding.code, finding.line) == ("yaml", pos(text, "kind: ict_suite")[0])


def test_duplicate_key_in_a_school_file_names_both_lines(tmp_path: Path) -> None:
    text = school_text().replace("  code: TST\n", "  code: TST\n  code: TSU\n")
    path = write(tmp_path, text)
    finding = only(run_check(path))
    assert located(finding) == (str(path), *pos(text, "code: TSU"), "yaml-structure")
    assert f"first written on line {pos(text, 'code: TST')[0]}" in finding.message


def test_a_tag_in_a_school_file_is_a_finding(tmp_path: Path) -> None:
    text = school_text().replace("title: Computing 1", "title: !!python/name:os.system Computing")
    path = write(tmp_path, text)
    finding = only(run_check(path))
    assert located(finding) == (str(path), *pos(text, "title:", at="!!python"), "yaml-structure")


def test_anchors_and_aliases_work_in_a_school_file(tmp_path: Path) -> None:
    text = school_text(
        rooms="""
        - name: C1
          kind: ict_suite
          settings: &quiet {screen_lock_minutes: 5}
        - name: C2
          kind: ict_suite
          settings: *quiet
        """
    )
    result = run_check(write(tmp_path, text))
    assert result.findings == ()


def test_two_documents_in_a_school_file_are_a_finding(tmp_path: Path) -> None:
    text = school_text() + "---\nschooltech: 1\n"
    path = write(tmp_path, text)
    finding = only(run_check(path))
    assert located(finding) == (str(path), pos(text, "---")[0], 1, "yaml")


def test_a_file_that_is_not_utf8_is_a_finding(tmp_path: Path) -> None:
    path = tmp_path / "tst.school.yml"
    path.write_bytes(school_text().replace("Computing 1", "Informatique é").encode("latin-1"))
    finding = only(run_check(path))
    assert (finding.file, finding.line, finding.column) == (str(path), 1, 1)
    assert "not UTF-8" in finding.message


def test_an_empty_file_is_a_finding(tmp_path: Path) -> None:
    path = write(tmp_path, "# nothing yet\n")
    finding = only(run_check(path))
    assert located(finding) == (str(path), 1, 1, "schema")
    assert "the file is empty" in finding.message


def test_a_list_at_the_top_level_is_a_finding_that_says_list(tmp_path: Path) -> None:
    path = write(tmp_path, "- schooltech: 1\n- school: {}\n")
    finding = only(run_check(path))
    assert located(finding) == (str(path), 1, 1, "schema")
    assert finding.message == "the file is a list, not a mapping"


def test_a_plain_string_file_is_a_finding(tmp_path: Path) -> None:
    path = write(tmp_path, "just some words\n")
    finding = only(run_check(path))
    assert finding.message == "the file is a string, not a mapping"


def test_a_syntax_error_at_the_end_of_a_file_without_final_newline_points_at_its_last_line() -> None:
    with pytest.raises(YamlProblem) as caught:
        loads("a: 1\nb: [1, 2")
    assert (caught.value.line, caught.value.column) == (2, 9)

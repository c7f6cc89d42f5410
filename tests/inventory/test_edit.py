"""Adding one value to a school file changes that value and nothing else: comments, style and order stay."""

from __future__ import annotations

from pathlib import Path

import pytest

from schooltech_fleet.errors import UsageError
from schooltech_fleet.inventory.edit import add_value
from schooltech_fleet.inventory.yamlsource import read_file

KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIKawLEFDaHEWQYM8RXaUGgFc1CmOi5IUhA9BQs329iZv"
NODE = ("sites", 1, "execution_node")


def _edited(tmp_path: Path, text: str, newline: str = "\n") -> str:
    path = tmp_path / "tst.school.yml"
    path.write_bytes(text.replace("\n", newline).encode())
    path.chmod(0o640)
    add_value(path, NODE, "host_key", KEY)
    assert read_file(path)["sites"][1]["execution_node"]["host_key"] == KEY
    assert path.stat().st_mode & 0o777 == 0o640
    return path.read_bytes().decode()


BLOCK = """\
sites:
  - name: annexe  # no node here
  - name: main
    execution_node:   # the server room's node
      host: 10.9.99.5 # its address
      user: schooltech
"""


def test_a_block_mapping_gets_one_line_at_its_keys_indentation(tmp_path: Path) -> None:
    assert _edited(tmp_path, BLOCK) == BLOCK.replace(
        "      host: 10.9.99.5", f'      host_key: "{KEY}"\n      host: 10.9.99.5')


def test_a_flow_mapping_gets_the_key_inside_its_braces(tmp_path: Path) -> None:
    text = "sites:\n  - {name: annexe}\n  - name: main\n    execution_node: {host: 10.9.99.5, user: sch}  # node\n"
    assert _edited(tmp_path, text) == text.replace("{host: 10.9", f'{{host_key: "{KEY}", host: 10.9')


@pytest.mark.parametrize("written", ["host_key:", "host_key: null", "host_key: ~   # to record", "host_key: Null"])
def test_a_null_value_is_replaced_in_place(tmp_path: Path, written: str) -> None:
    text = BLOCK.replace("      user: schooltech\n", f"      {written}\n      user: schooltech\n")
    comment = "   # to record" if "#" in written else ""
    assert _edited(tmp_path, text) == BLOCK.replace(
        "      user: schooltech\n", f'      host_key: "{KEY}"{comment}\n      user: schooltech\n')


def test_a_null_value_in_a_flow_mapping_is_replaced_in_place(tmp_path: Path) -> None:
    text = "sites:\n  - {name: annexe}\n  - name: main\n    execution_node: {host: 10.9.99.5, host_key: ~, user: a}\n"
    assert _edited(tmp_path, text) == text.replace("host_key: ~", f'host_key: "{KEY}"')


def test_windows_line_endings_stay_windows_line_endings(tmp_path: Path) -> None:
    edited = _edited(tmp_path, BLOCK, newline="\r\n")
    assert edited == BLOCK.replace("      host: 10.9.99.5", f'      host_key: "{KEY}"\n      host: 10.9.99.5').replace(
        "\n", "\r\n")  # fmt: skip


def test_a_value_already_there_is_never_overwritten(tmp_path: Path) -> None:
    text = BLOCK.replace("      user: schooltech\n", '      host_key: "ssh-ed25519 AAAAz"\n      user: schooltech\n')
    path = tmp_path / "tst.school.yml"
    path.write_text(text)
    with pytest.raises(UsageError, match=r"tst.school.yml:6: host_key already holds a value") as refused:
        add_value(path, NODE, "host_key", KEY)
    assert "remove it there if it is wrong" in (refused.value.hint or "")
    assert path.read_text() == text


def test_no_mapping_there_is_a_usage_error_and_the_file_is_untouched(tmp_path: Path) -> None:
    path = tmp_path / "tst.school.yml"
    path.write_text("sites:\n  - name: main\n")
    with pytest.raises(UsageError, match=r"no mapping at sites\.1\.execution_node"):
        add_value(path, NODE, "host_key", KEY)
    assert path.read_text() == "sites:\n  - name: main\n"

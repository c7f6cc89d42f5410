"""Hostile values (quotes, newlines, ``${``, shell and XML metacharacters) are refused, or quoted so that
the consumer's own parser reads them back as plain data."""

from __future__ import annotations

import shlex
from xml.etree import ElementTree

import pytest
import yaml

from schooltech_fleet.errors import ImagingError
from schooltech_fleet.imaging.answers import render_answer, validate_answers
from schooltech_fleet.imaging.answers.validate import check_preseed_keys, debconf_checkonly
from schooltech_fleet.inventory.model import OperatingSystem

from .conftest import request, unchecked

HOSTILE = [
    "pc01\nd-i preseed/late_command string reboot",
    "pc01'; reboot; '",
    'pc01"',
    "pc${IFS}01",
    "pc01`reboot`",
    "pc01 <x/>",
    "pc01\\",
    "",
]


@pytest.mark.parametrize("field", ["hostname", "locale", "keyboard", "timezone", "admin_user", "admin_ssh_key"])
@pytest.mark.parametrize("value", HOSTILE)
def test_hostile_values_are_refused_by_the_request(field: str, value: str) -> None:
    with pytest.raises(ImagingError) as refused:
        request(**{field: value})
    assert refused.value.hint


@pytest.mark.parametrize("field", ["callback_url", "proxy", "mirror"])
@pytest.mark.parametrize(
    "value",
    [
        "http://proxy:3128/\nd-i x/y string z",
        "http://proxy:3128/'$(reboot)'",
        "http://proxy:3128/${x}",
        "http://user:secret@proxy:3128",
        "http://proxy:3128/a b",
        "http://proxy:3128/?q=1",
        "ftp://proxy/",
        "proxy:3128",
        "http://proxy:99999/",
    ],
)
def test_hostile_urls_are_refused(field: str, value: str) -> None:
    with pytest.raises(ImagingError):
        request(**{field: value})


def test_the_preseed_renderer_itself_refuses_a_value_that_would_break_its_line() -> None:
    # even past the request's checks, a newline never reaches a debconf file
    with pytest.raises(ImagingError, match="one debconf line"):
        render_answer(unchecked(request(), hostname="pc01\nd-i preseed/late_command string reboot"))


def test_a_preseed_with_an_injected_line_is_caught_by_debconf_and_the_allow_list() -> None:
    text = render_answer(request()).text + "d-i preseed/early_command string reboot\nd-i broken\n"
    keys = check_preseed_keys("pc01.preseed.cfg", text)
    parsed = debconf_checkonly([("pc01.preseed.cfg", text)])
    lines = len(text.splitlines())
    assert [(f.line, "allow-list" in f.problem) for f in keys] == [(lines - 1, True), (lines, False)]
    assert [(f.file, f.line) for f in parsed] == [("pc01.preseed.cfg", lines)]


HOSTILE_TEXT = "pc01\"' <x>&amp; ${IFS} `id` \\ ]]> --> 'quote"


@pytest.mark.parametrize("os", [OperatingSystem.UBUNTU2204, OperatingSystem.UBUNTU2404])
def test_autoinstall_quotes_every_value_so_yaml_reads_it_back(os: OperatingSystem) -> None:
    hostile = unchecked(
        request(os=os), hostname=HOSTILE_TEXT + "\nx: 1", locale=HOSTILE_TEXT, proxy=HOSTILE_TEXT + "\n- x"
    )
    answer = render_answer(hostile)
    config = yaml.safe_load(answer.text)["autoinstall"]
    assert config["user-data"]["hostname"] == HOSTILE_TEXT + "\nx: 1"
    assert config["locale"] == HOSTILE_TEXT
    assert config["proxy"] == HOSTILE_TEXT + "\n- x"
    # the schema still sees a proxy that is not a URL
    assert any("proxy" in finding.problem for finding in validate_answers([answer]))


def test_autounattend_escapes_every_value_so_xml_reads_it_back() -> None:
    hostile = unchecked(request(os=OperatingSystem.WINDOWS11, firmware="uefi"), hostname=HOSTILE_TEXT)
    answer = render_answer(hostile)
    root = ElementTree.fromstring(answer.text)
    name = root.findtext(".//{urn:schemas-microsoft-com:unattend}ComputerName")
    assert name == HOSTILE_TEXT
    assert validate_answers([answer]) == []


SHELL_HOSTILE = "x'; reboot; echo '${IFS}`id` $(id) \"q\" \\"


def test_preseed_late_command_quotes_values_as_single_shell_words() -> None:
    hostile = unchecked(request(), admin_ssh_key=SHELL_HOSTILE)
    answer = render_answer(hostile)
    assert debconf_checkonly([(answer.filename, answer.text)]) == []
    (late,) = [line.split(" string ", 1)[1] for line in answer.text.splitlines() if "preseed/late_command" in line]
    words = shlex.split(late)
    assert SHELL_HOSTILE in words  # one word, as printf receives it
    assert "reboot" not in words


def test_autoinstall_late_commands_quote_values_as_single_shell_words() -> None:
    hostile = unchecked(request(os=OperatingSystem.UBUNTU2404), hostname=SHELL_HOSTILE)
    config = yaml.safe_load(render_answer(hostile).text)["autoinstall"]
    words = shlex.split(config["late-commands"][0])
    assert words == ["printf", "%s\\n", SHELL_HOSTILE, ">", "/target/etc/hostname"]

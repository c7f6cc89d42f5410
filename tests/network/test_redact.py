"""Secret removal on realistic configs: every secret becomes its keyed placeholder, nothing else changes.

``secrets/<platform>.cfg`` is a whole running config with every kind of secret the
platform's CLI shows, each value marked ``⟦...⟧``. Without the marks it is what the switch
shows; with each marked value replaced by ``<secret:>`` + the first 8 hex digits of
HMAC-SHA256 under the state directory's key (computed here, independently of the
redactor) it is exactly what redaction must give: the placeholders right and every other
byte unchanged. Many values hold the marker ``CANARY``.
"""

from __future__ import annotations

import difflib
import hashlib
import hmac
import re
import stat
from pathlib import Path

import pytest

from schooltech_fleet.network import redact
from schooltech_fleet.network.operations import Rendered
from schooltech_fleet.network.platforms import PLATFORMS, platform

from .conftest import EXAMPLES

DATA = Path(__file__).parent / "secrets"
MARKED = re.compile(r"⟦(.*?)⟧")


@pytest.fixture(autouse=True)
def state(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("SCHOOLTECH_STATE_DIR", str(tmp_path / "state"))
    return tmp_path / "state"


def shown(name: str) -> str:
    """The config as the switch shows it."""
    return MARKED.sub(r"\1", (DATA / f"{name}.cfg").read_text(encoding="utf-8"))


def values(name: str) -> list[str]:
    return MARKED.findall((DATA / f"{name}.cfg").read_text(encoding="utf-8"))


def fingerprint(state: Path, secret: str) -> str:
    key = bytes.fromhex((state / "fingerprint.key").read_text())
    return "<secret:" + hmac.new(key, secret.encode(), hashlib.sha256).hexdigest()[:8] + ">"


def expected(name: str, state: Path) -> str:
    return MARKED.sub(lambda m: fingerprint(state, m.group(1)), (DATA / f"{name}.cfg").read_text(encoding="utf-8"))


@pytest.mark.parametrize("name", ["cisco_ios", "hp_procurve"])
def test_every_secret_of_a_whole_config_becomes_its_placeholder_and_every_other_byte_stays(
    name: str, state: Path
) -> None:
    redacted = redact.text(platform(name), shown(name))

    assert redacted == expected(name, state)
    assert "CANARY" not in redacted
    assert [value for value in values(name) if value in redacted] == []
    assert redact.text(platform(name), redacted) == redacted  # redacting twice changes nothing


@pytest.mark.parametrize("name", ["cisco_ios", "hp_procurve"])
def test_the_test_configs_hide_no_secret_of_another_kind(name: str) -> None:
    # every line with a secret word carries a marked value, or is one of the non-secret lines
    # kept on purpose (a user without a password, SNMPv3 users as targets, key chain key numbers)
    words = re.compile(r"\b(secret|password|key|community|key-string|key-value)\b")
    unmarked = [line for line in shown(name).splitlines() if words.search(line)]
    marked = {MARKED.sub(r"\1", line) for line in (DATA / f"{name}.cfg").read_text().splitlines() if "⟦" in line}
    assert {line for line in unmarked if line not in marked} <= {
        "username kiosk nopassword", "service password-encryption", " description room C101 password reset desk",
        " description staff key 7 cupboard", " key 1", " key 2", "ntp server 10.70.99.10 key 1",
        "snmp-server host 10.70.99.30 version 3 priv monitor",
        "snmp-server host 10.70.99.33 informs version 3 auth monitor",
        "Forgot your password? Ask IT.", "Authorised staff only; all access is logged. key holders: see the IT office.",
        'snmpv3 group operatorauth user "monitor" sec-model ver3', '   name "password reset kiosk"',
        '   name "Reception key safe"', "snmp-server group SCHOOLTECH v3 priv", "ntp trusted-key 1",
        "key chain HSRP-KEYS",
    }  # fmt: skip


def test_the_same_secret_gives_the_same_placeholder_and_a_changed_secret_another() -> None:
    ios = platform("cisco_ios")
    before = redact.text(ios, shown("cisco_ios"))
    again = redact.text(ios, shown("cisco_ios"))
    changed = redact.text(ios, shown("cisco_ios").replace("CANARY-ro-S3cr3t", "CANARY-ro-N3w"))

    assert again == before
    diff = [line for line in difflib.unified_diff(before.splitlines(), changed.splitlines(), lineterm="", n=0)
            if line[:1] in "+-" and line[:3] not in ("---", "+++")]  # fmt: skip
    assert len(diff) == 2 and all(line[1:].startswith("snmp-server community <secret:") for line in diff)
    assert diff[0].endswith(" RO 10") and diff[1].endswith(" RO 10") and diff[0][1:] != diff[1][1:]


def test_without_the_key_a_placeholder_cannot_be_recomputed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    line = "snmp-server community public RO\n"
    here = redact.text(platform("cisco_ios"), line)
    monkeypatch.setenv("SCHOOLTECH_STATE_DIR", str(tmp_path / "another-state"))
    elsewhere = redact.text(platform("cisco_ios"), line)

    assert here != elsewhere  # a guess cannot be checked against a backup without the key
    assert hashlib.sha256(b"public").hexdigest()[:8] not in here + elsewhere


def test_the_fingerprint_key_is_random_private_and_made_once(state: Path) -> None:
    redact.text(platform("cisco_ios"), "enable secret 0 x\n")
    key = state / "fingerprint.key"
    first = key.read_text()

    redact.text(platform("hp_procurve"), 'radius-server key "x"\n')

    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    assert re.fullmatch(r"[0-9a-f]{64}\n", first) and key.read_text() == first
    assert [p.name for p in state.iterdir() if p.name.startswith(".")] == []  # nothing left aside


def test_a_damaged_key_is_refused_with_what_to_do(state: Path) -> None:
    state.mkdir(mode=0o700)
    (state / "fingerprint.key").write_text("not a key\n")
    with pytest.raises(redact.SecretKeyError) as refused:
        redact.text(platform("cisco_ios"), "enable secret 0 x\n")
    assert "remove it" in (refused.value.hint or "")


IOS_QUOTES = [
    # a diff of two configs
    ("-snmp-server community S3cr3t-old RO 10\n+snmp-server community S3cr3t-new RO 10\n  key 7 0822455D0A16\n",
     ["S3cr3t-old", "S3cr3t-new", "0822455D0A16"]),
    # remediation and undo commands
    ("no snmp-server community S3cr3t RO 10\ntacacs server TAC1\n  no key 7 045802150C2E\n",
     ["S3cr3t", "045802150C2E"]),
    # the session's refusal and Netmiko's rejection, quoting the command
    ("DEMO-SW-LIB: refused to send ' password 7 121A0C041104': it holds a placeholder",
     ["121A0C041104"]),
    # (a value is a whole word: the comma after it goes with it, never a character of the secret stays)
    ("DEMO-SW-LIB: Invalid input detected at command: tacacs-server key TacKey1, matched error: % Invalid input",
     ["TacKey1,"]),
    ("DEMO-SW-LIB: 2 lines still differ after the push: snmp-server community S3cr3t RO; key Radius1",
     ["S3cr3t", "Radius1"]),
    # a session log: prompts, echoes, \r\n line ends
    ("SW(config)#enable secret 0 Plain-Enable\r\nSW(config)#line vty 0 4\r\nSW(config-line)#password 0 VtyPass\r\n"
     "SW(config-server-tacacs)#key TacKey2\r\nSW(config)#snmp-server host 10.0.0.5 version 2c TrapComm\r\n",
     ["Plain-Enable", "VtyPass", "TacKey2", "TrapComm"]),
]  # fmt: skip


@pytest.mark.parametrize(("text", "hidden"), IOS_QUOTES)
def test_secrets_are_removed_from_text_that_quotes_config_lines(text: str, hidden: list[str]) -> None:
    redacted = redact.text(platform("cisco_ios"), text)

    assert [secret for secret in hidden if secret in redacted] == []
    assert redacted.count("<secret:") == len(hidden)
    assert redact.PLACEHOLDER.sub("", redacted) == re.sub("|".join(map(re.escape, hidden)), "", text)


@pytest.mark.parametrize("example", EXAMPLES)
def test_every_intended_config_survives_redaction_byte_for_byte(
    example: str, examples: dict[str, tuple[Rendered, ...]]
) -> None:
    # nothing schooltech renders is a secret: a redacted running config still equals its intended one
    for config in examples[example]:
        assert redact.text(platform(config.platform), config.config) == config.config, config.switch


def test_every_platform_says_where_its_secrets_are() -> None:
    assert all(p.secrets for p in PLATFORMS.values())
    for p in PLATFORMS.values():
        for rule in p.secrets:
            assert any(name.startswith("secret") for name in re.compile(rule.pattern).groupindex), rule


def test_a_placeholder_is_recognised_wherever_it_is() -> None:
    assert redact.holds_placeholder(" key 7 <secret:0123abcd>")
    assert redact.holds_placeholder('password manager user-name "a" sha1 "<secret:0123abcd>"')
    assert not redact.holds_placeholder(" description <secret:not-one>")

"""schooltech-pxe's command interface, as the controller runs it over SSH (JSON out, exit 2 on refusal)."""

from __future__ import annotations

import io
import json
import time
from pathlib import Path
from typing import Any

import pytest

from schooltech_fleet.imaging import pxe_service
from schooltech_fleet.imaging.pxe_service import LOCAL_BOOT_SCRIPT, ServedTree, hexhyp, new_token

MAC = "52:54:00:77:20:01"
SCRIPT = "#!ipxe\necho install\n"


def _settings(tmp_path: Path) -> Path:
    config = tmp_path / "schooltech-pxe.json"
    config.write_text(json.dumps({
        "root": str(tmp_path / "http"), "bind": "127.0.0.1", "port": 8081, "log": str(tmp_path / "service.log"),
        "request_logs": [str(tmp_path / "nginx.log")], "broadcasts": ["127.77.0.255"], "wake_port": 40019,
    }))  # fmt: skip
    return config


def _command(config: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
             *args: str, stdin: str = "") -> tuple[int, Any, str]:  # fmt: skip
    monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    code = pxe_service.main(["--config", str(config), *args])
    out, err = capsys.readouterr()
    return code, json.loads(out) if out else None, err


def _nginx_line(path: str, at: float) -> str:
    return json.dumps({"time": at, "client": "10.20.0.31", "method": "GET", "path": path, "status": 200, "bytes": 9})


def test_open_status_close_as_the_controller_runs_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    config, token = _settings(tmp_path), new_token()
    nginx_log = tmp_path / "nginx.log"
    nginx_log.write_text(_nginx_line(f"/boot/{hexhyp(MAC)}.ipxe", time.time() - 60) + "\n")  # before the entry
    entry = json.dumps({"script": SCRIPT, "answer": "d-i foo string bar\n", "answer_name": "pc01.preseed"})
    assert _command(config, monkeypatch, capsys, "open", MAC.upper(), token, stdin=entry)[:2] == (0, {"opened": MAC})
    tree = ServedTree(tmp_path / "http")
    assert tree.script_path(MAC).read_text() == SCRIPT
    assert _command(config, monkeypatch, capsys, "status")[1] == {"asked": [], "called_back": [], "open": {MAC: token}}
    with nginx_log.open("a") as log:
        log.write(_nginx_line(f"/boot/{hexhyp(MAC)}.ipxe", time.time() + 1) + "\n" + '{"time": 1, "cut sh')
    assert _command(config, monkeypatch, capsys, "status")[1]["asked"] == [MAC]
    assert _command(config, monkeypatch, capsys, "close", MAC)[:2] == (0, {"closed": MAC})
    assert tree.script_path(MAC).read_text() == LOCAL_BOOT_SCRIPT
    assert _command(config, monkeypatch, capsys, "status")[1]["open"] == {}



def test_a_token_starting_with_a_hyphen_opens_as_the_controller_sends_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    config, token = _settings(tmp_path), "-" + new_token()[1:]  # the shape a URL-safe token takes 1 time in 64
    entry = json.dumps({"script": SCRIPT, "answer": "d-i foo string bar\n", "answer_name": "pc01.preseed"})
    assert _command(config, monkeypatch, capsys, "open", "--", MAC, token, stdin=entry)[:2] == (0, {"opened": MAC})
    assert _command(config, monkeypatch, capsys, "status")[1]["open"] == {MAC: token}


def test_new_tokens_never_start_with_a_hyphen() -> None:
    assert not any(new_token().startswith("-") for _ in range(2000))  # URL-safe ones did about 31 times in 2000

@pytest.mark.parametrize(
    ("args", "stdin", "message"),
    [
        (("open", MAC, "short"), json.dumps({"script": SCRIPT, "answer": ""}), "is not a one-shot token"),
        (("open", MAC, "k3JcV1m0dXq8Yw2ZbTn5sLpA7eRf9hGu"), "not json", 'reads {"script"'),
        (("open", "52:54:00", "k3JcV1m0dXq8Yw2ZbTn5sLpA7eRf9hGu"), json.dumps({"script": SCRIPT, "answer": ""}),
         "is not a MAC address"),
        (("open", MAC, "k3JcV1m0dXq8Yw2ZbTn5sLpA7eRf9hGu"), json.dumps({"script": "kernel x", "answer": ""}),
         "does not start with #!ipxe"),
    ],
    ids=["bad-token", "not-json", "bad-mac", "not-ipxe"],
)  # fmt: skip
def test_a_refused_command_exits_2_and_changes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
    args: tuple[str, ...], stdin: str, message: str,
) -> None:  # fmt: skip
    code, out, err = _command(_settings(tmp_path), monkeypatch, capsys, *args, stdin=stdin)
    assert (code, out) == (2, None)
    assert message in err
    assert not list((tmp_path / "http" / "tokens").glob("*.json"))


def test_a_host_without_the_role_says_so(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = _command(tmp_path / "missing.json", monkeypatch, capsys, "status")
    assert code == 2 and "run the pxe_server role on this host" in err


def test_a_secure_boot_pcs_grub_entry_opens_with_its_script_and_its_callback_or_close_ends_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    config = _settings(tmp_path)
    settings = json.loads(config.read_text()) | {"tftp_root": str(tmp_path / "tftp")}
    config.write_text(json.dumps(settings))
    tree = ServedTree(tmp_path / "http", tmp_path / "tftp")
    grub_entry = "linux (tftp,10.20.0.5)/files/debian12/linux url=x\nboot\nexit\n"
    for end in ("callback", "close"):
        token = new_token()
        entry = json.dumps({"script": SCRIPT, "answer": "d-i foo string bar\n", "grub_entry": grub_entry})
        assert _command(config, monkeypatch, capsys, "open", MAC, token, stdin=entry)[0] == 0
        assert (tmp_path / "tftp" / "grub" / f"{MAC}.cfg").read_text() == grub_entry  # GRUB's colon form
        if end == "callback":
            assert tree.close_token(token, "10.20.0.31", "installed", time.time()) is not None
        else:
            assert _command(config, monkeypatch, capsys, "close", MAC)[0] == 0
        assert tree.grub_entry_path(MAC).read_text() == pxe_service.LOCAL_BOOT_ENTRY, end
        assert tree.script_path(MAC).read_text() == LOCAL_BOOT_SCRIPT


def test_a_grub_entry_for_a_server_without_a_tftp_root_is_refused_before_anything_changes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    config, token = _settings(tmp_path), new_token()
    entry = json.dumps({"script": SCRIPT, "answer": "d-i foo string bar\n", "grub_entry": "boot\n"})
    code, _, err = _command(config, monkeypatch, capsys, "open", MAC, token, stdin=entry)
    assert code == 2 and "no TFTP root" in err
    assert not ServedTree(tmp_path / "http").script_path(MAC).exists()

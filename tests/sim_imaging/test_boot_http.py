"""The boot server's HTTP side: per-MAC scripts, one-shot answer tokens, callbacks, discovered MACs.

The real server (:class:`TokenServer`) on 127.0.0.1 in a thread, with real HTTP requests.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from schooltech_fleet.imaging.grub import LOCAL_BOOT_ENTRY
from schooltech_fleet.imaging.ipxe import LOCAL_BOOT_SCRIPT
from schooltech_fleet.imaging.pxe_service import BootTreeError, ServedMedia, ServedTree, TokenServer, new_token
from sim_imaging import http_client

pytestmark = pytest.mark.imaging

MAC = "52:54:00:77:00:01"
INSTALL_SCRIPT = "#!ipxe\nkernel http://10.77.0.2:8080/files/standin/vmlinuz\nboot\n"
ANSWER = "d-i debian-installer/locale string en_GB.UTF-8\n"


@dataclass
class Served:
    tree: ServedTree
    url: str
    log: Path

    def get(self, path: str) -> tuple[int, bytes]:
        return http_client.get(self.url + path)

    def post(self, path: str, body: bytes) -> tuple[int, bytes]:
        return http_client.post(self.url + path, body)


@pytest.fixture
def served(tmp_path: Path) -> Iterator[Served]:
    tree = ServedTree(tmp_path / "served", tmp_path / "tftp").create()
    log = tmp_path / "http.jsonl"
    server = TokenServer(("127.0.0.1", 0), tree, log)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield Served(tree, f"http://127.0.0.1:{server.server_address[1]}", log)
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def test_a_pc_gets_its_own_script_by_mac_as_ipxe_spells_it(served: Served) -> None:
    served.tree.write_script(MAC.upper(), INSTALL_SCRIPT)
    assert served.get("/boot/52-54-00-77-00-01.ipxe") == (200, INSTALL_SCRIPT.encode())
    assert served.tree.discovered() == []


def test_an_unknown_mac_boots_from_its_disk_and_is_recorded_as_discovered(served: Served) -> None:
    assert served.get("/boot/52-54-00-aa-bb-cc.ipxe") == (200, LOCAL_BOOT_SCRIPT.encode())
    assert served.tree.discovered() == ["52:54:00:aa:bb:cc"]
    assert served.get("/boot/not-a-mac.ipxe")[0] == 404


def test_the_answer_token_is_one_shot(served: Served) -> None:
    token = new_token()
    served.tree.write_script(MAC, INSTALL_SCRIPT)
    served.tree.open_token(token, MAC, ANSWER)
    sha = hashlib.sha256(ANSWER.encode()).hexdigest()

    assert served.get(f"/answer/{token}") == (200, ANSWER.encode())
    status, reply = served.post(f"/callback/{token}", f"token={token}&answer-sha256={sha}".encode())
    assert status == 200, reply

    (callback,) = served.tree.callbacks()
    assert (callback.token, callback.mac, callback.client) == (token, MAC, "127.0.0.1")
    assert callback.body == f"token={token}&answer-sha256={sha}"
    # the entry flipped to local boot: the next network boot does not install again
    assert served.get("/boot/52-54-00-77-00-01.ipxe") == (200, LOCAL_BOOT_SCRIPT.encode())
    # and the token is spent: no answer file, no second callback
    assert served.get(f"/answer/{token}")[0] == 410
    assert served.post(f"/callback/{token}", b"again")[0] == 410
    assert len(served.tree.callbacks()) == 1


def test_the_callback_closes_a_secure_boot_pc_s_grub_entry_too(served: Served) -> None:
    token = new_token()
    entry = served.tree.write_grub_entry(MAC, "echo installing\nlinux (tftp,10.77.0.2)/files/standin/vmlinuz\nboot\n")
    served.tree.open_token(token, MAC, ANSWER)
    assert served.tree.tftp_root is not None
    assert entry == served.tree.tftp_root / "grub" / "52:54:00:77:00:01.cfg"
    assert entry.stat().st_mode & 0o777 == 0o644, "dnsmasq's TFTP serves world-readable files only (as root)"

    assert served.post(f"/callback/{token}", b"token=x")[0] == 200
    assert entry.read_text(encoding="utf-8") == LOCAL_BOOT_ENTRY, "the next network boot goes back to the firmware"


def test_answers_are_served_by_open_token_only(served: Served) -> None:
    token = new_token()
    served.tree.open_token(token, MAC, ANSWER, answer_name="pc01.preseed")
    assert served.get(f"/answer/{new_token()}")[0] == 410
    assert served.get("/answer/short")[0] == 410
    assert served.get("/answer/../tokens")[0] in (404, 410)
    # answer files are never reachable by path
    assert served.get("/files/../answers/pc01.preseed")[0] == 404
    assert served.post(f"/callback/{new_token()}", b"")[0] == 410


def test_ubuntu_nocloud_gets_user_data_and_meta_data_under_the_token(served: Served) -> None:
    token = new_token()
    served.tree.open_token(token, MAC, ANSWER)
    assert served.get(f"/answer/{token}/user-data") == (200, ANSWER.encode())
    assert served.get(f"/answer/{token}/meta-data") == (200, f"instance-id: schooltech-{token}\n".encode())
    assert served.get(f"/answer/{token}/vendor-data")[0] == 410
    served.post(f"/callback/{token}", b"installed")
    assert served.get(f"/answer/{token}/user-data")[0] == 410
    assert served.get(f"/answer/{token}/meta-data")[0] == 410


def test_files_are_served_from_files_only(served: Served) -> None:
    kernel = served.tree.root / "files" / "standin" / "vmlinuz"
    kernel.parent.mkdir(parents=True)
    kernel.write_bytes(b"\x00kernel" * 1000)
    assert served.get("/files/standin/vmlinuz") == (200, kernel.read_bytes())
    assert served.get("/files/standin/missing")[0] == 404
    assert served.get("/files/%2e%2e/tokens")[0] == 404


def test_every_request_is_logged_as_a_json_line(served: Served) -> None:
    served.get("/boot/52-54-00-aa-bb-cc.ipxe")
    served.get("/nothing-here")
    entries = [json.loads(line) for line in served.log.read_text(encoding="utf-8").splitlines()]
    assert [(entry["method"], entry["path"], entry["status"]) for entry in entries] == [
        ("GET", "/boot/52-54-00-aa-bb-cc.ipxe", 200),
        ("GET", "/nothing-here", 404),
    ]


def test_a_script_must_be_ipxe(served: Served) -> None:
    with pytest.raises(BootTreeError, match="#!ipxe"):
        served.tree.write_script(MAC, "kernel vmlinuz\n")


def test_media_directories_are_served_in_place_under_their_prefix(tmp_path: Path) -> None:
    media = tmp_path / "netboot"
    media.mkdir()
    (media / "linux").write_bytes(b"the real kernel")
    (tmp_path / "secret").write_text("outside")
    tree = ServedTree(tmp_path / "served").create()
    (tree.root / "files" / "debian12").mkdir()
    (tree.root / "files" / "debian12" / "linux").write_bytes(b"the tree's own copy")
    (tree.root / "files" / "other").write_bytes(b"still the tree's")
    server = TokenServer(("127.0.0.1", 0), tree, tmp_path / "http.jsonl", media=(ServedMedia("debian12", media),))
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        served = Served(tree, f"http://127.0.0.1:{server.server_address[1]}", tmp_path / "http.jsonl")
        assert served.get("/files/debian12/linux") == (200, b"the real kernel")
        assert served.get("/files/other") == (200, b"still the tree's")
        assert served.get("/files/debian12/../secret")[0] == 404
        assert served.get("/files/debian12/%2e%2e/secret")[0] == 404
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


@pytest.mark.parametrize("prefix", ["", "a/b", "..", "-x"])
def test_a_media_prefix_is_one_path_segment(prefix: str) -> None:
    with pytest.raises(BootTreeError, match="not one path segment"):
        ServedMedia(prefix, Path("/tmp"))

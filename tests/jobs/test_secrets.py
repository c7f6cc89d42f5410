"""What a job hands Ansible as secrets, and what it keeps out of ansible-runner's files.

The last tests run a real ansible-playbook through ansible-runner on this machine
(``connection: local``): no simulated school is needed to see what ansible-runner writes.
"""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from schooltech_fleet.errors import UsageError
from schooltech_fleet.jobs import runner as runner_module
from schooltech_fleet.jobs.runner import EventTally, PlaybookRun, artifacts, passes_to_ansible, run_playbook
from schooltech_fleet.jobs.secrets import SCRUBBED, job_secrets, scrub
from schooltech_fleet.vault import VAULT_FILE

ANSIBLE_VAULT = Path(sys.executable).parent / "ansible-vault"

SECRET_VARIABLES = {
    "ANSIBLE_BECOME_PASS": "CANARY-become-pass-41a7",
    "ANSIBLE_SUDO_PASS": "CANARY-sudo-pass-90c2",
    "ANSIBLE_BECOME_PASSWORD": "CANARY-become-password-d3e8",
    "ANSIBLE_NET_PASSWD": "CANARY-net-passwd-1b5c",
    "ANSIBLE_GALAXY_SERVER_RELEASE_GALAXY_TOKEN": "CANARY-galaxy-token-77f0",
    "ANSIBLE_VAULT_SECRET": "CANARY-vault-secret-2c9a",
    "ANSIBLE_LICENCE_KEY": "CANARY-licence-key-e61d",
    "ANSIBLE_SSH_PASSPHRASE": "CANARY-passphrase-0f3b",
    "SCHOOLTECH_SWITCH_PASSWORD": "CANARY-switch-password-5a8e",
    "AWS_SECRET_ACCESS_KEY": "CANARY-aws-secret-c4d2",
}


@pytest.mark.parametrize("name", sorted(SECRET_VARIABLES))
def test_no_variable_named_like_a_secret_passes_to_ansible_whatever_its_prefix(name: str) -> None:
    assert not passes_to_ansible(name)


NEEDED_VARIABLES = ["PATH", "HOME", "LANG", "LC_ALL", "SSH_AUTH_SOCK", "ANSIBLE_CONFIG", "ANSIBLE_PRIVATE_KEY_FILE",
                    "ANSIBLE_HOST_KEY_CHECKING"]  # fmt: skip


@pytest.mark.parametrize("name", NEEDED_VARIABLES)
def test_what_ansible_needs_passes(name: str) -> None:
    assert passes_to_ansible(name)


@pytest.mark.parametrize("name", ["ANSIBLE_VAULT_PASSWORD_FILE", "ANSIBLE_VAULT_IDENTITY_LIST"])
def test_ansible_gets_no_way_to_open_the_vault(name: str) -> None:
    assert not passes_to_ansible(name)


def _vault(directory: Path, tmp_path: Path, content: str, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A real ansible-vault-encrypted ``secrets.vault.yml`` in *directory*, its password file exported."""
    password_file = tmp_path / "vault-password"
    password_file.write_text("correct horse battery staple\n")
    vault = directory / VAULT_FILE
    vault.write_text(content)
    subprocess.run([str(ANSIBLE_VAULT), "encrypt", "--vault-password-file", str(password_file), str(vault)],
                   check=True, capture_output=True)  # fmt: skip
    monkeypatch.setenv("ANSIBLE_VAULT_PASSWORD_FILE", str(password_file))
    return vault


@pytest.fixture
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("ANSIBLE_BECOME_PASS", "ANSIBLE_SUDO_PASS", "ANSIBLE_VAULT_PASSWORD_FILE"):
        monkeypatch.delenv(name, raising=False)


@pytest.mark.usefixtures("clean_environment")
def test_licence_keys_and_the_become_password_go_to_private_files_named_on_the_command_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    school_dir, scratch = tmp_path / "school", tmp_path / "scratch"
    school_dir.mkdir()
    scratch.mkdir(mode=0o700)
    _vault(school_dir, tmp_path, "cad_key: CAD-FROM-VAULT\nbecome_password: sudo-from-vault\n", monkeypatch)
    monkeypatch.setenv("TST_EXAM_KEY", "EXAM-FROM-ENV")

    secrets = job_secrets({"exam": {"env": "TST_EXAM_KEY"}, "cad": {"vault": "cad_key"}}, school_dir, scratch)

    keys_file, become_file = scratch / "licence-keys.json", scratch / "become-password"
    assert secrets.arguments == ("-e", f"@{keys_file}", "--become-password-file", str(become_file))
    assert json.loads(keys_file.read_text()) == {"schooltech_licence_keys": {"exam": "EXAM-FROM-ENV",
                                                                              "cad": "CAD-FROM-VAULT"}}  # fmt: skip
    assert become_file.read_text() == "sudo-from-vault"
    for path in (keys_file, become_file):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert set(secrets.values) == {"EXAM-FROM-ENV", "CAD-FROM-VAULT", "sudo-from-vault"}
    assert "sudo-from-vault" not in repr(secrets)


@pytest.mark.usefixtures("clean_environment")
def test_ansibles_own_become_variable_comes_before_the_vault_and_no_password_means_no_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    school_dir = tmp_path / "school"
    school_dir.mkdir()
    assert job_secrets({}, school_dir, tmp_path).arguments == ()  # no vault, nothing exported: PCs must not ask

    _vault(school_dir, tmp_path, "become_password: from-the-vault\n", monkeypatch)
    monkeypatch.setenv("ANSIBLE_BECOME_PASS", "from-the-environment")
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    job_secrets({}, school_dir, scratch)
    assert (scratch / "become-password").read_text() == "from-the-environment"


@pytest.mark.usefixtures("clean_environment")
def test_a_become_password_ansible_would_strip_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ANSIBLE_BECOME_PASS", " padded ")
    with pytest.raises(UsageError, match="ANSIBLE_BECOME_PASS begins or ends with white space"):
        job_secrets({}, tmp_path, tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_scrub_replaces_each_secret_as_written_and_json_escaped_and_nothing_else(tmp_path: Path) -> None:
    secret = 'pa"ss\\wörd-7'
    (tmp_path / "env").mkdir()
    (tmp_path / "env" / "envvars").write_text(f"X: {secret}\n")
    (tmp_path / "command").write_text(json.dumps({"env": {"X": secret, "Y": "yes"}}, ensure_ascii=False))
    (tmp_path / "event.json").write_text(json.dumps({"stdout": f"got {secret}"}))
    (tmp_path / "clean").write_text("nothing here")

    changed = scrub(tmp_path, [secret, "yes"])  # "yes": too short to search for

    assert sorted(p.name for p in changed) == ["command", "envvars", "event.json"]
    assert (tmp_path / "env" / "envvars").read_text() == f"X: {SCRUBBED}\n"
    assert json.loads((tmp_path / "command").read_text()) == {"env": {"X": SCRUBBED, "Y": "yes"}}
    assert json.loads((tmp_path / "event.json").read_text()) == {"stdout": f"got {SCRUBBED}"}
    assert (tmp_path / "clean").read_text() == "nothing here"


PLAYBOOK = """
- name: A play on this machine
  hosts: all
  gather_facts: false
  tasks:
    - name: Say hello
      ansible.builtin.debug:
        msg: "hello, {{ schooltech_licence_keys | default({}) | length }} licence keys"
    - name: Wait
      ansible.builtin.command: sleep SECONDS
      changed_when: false
"""


def _environment(tmp_path: Path, **more: str) -> dict[str, str]:
    """What ansible_environment() would give: this installation's ansible-playbook, an empty configuration."""
    config = tmp_path / "ansible.cfg"
    config.write_text("[defaults]\n")
    path = os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")])
    return {"PATH": path, "ANSIBLE_CONFIG": str(config), **more}


def _local_run(tmp_path: Path, sleep: int, **fields: object) -> PlaybookRun:
    project = tmp_path / "project"
    project.mkdir()
    (project / "play.yml").write_text(PLAYBOOK.replace("SECONDS", str(sleep)))
    inventory = tmp_path / "hosts.ini"
    inventory.write_text(f"here ansible_connection=local ansible_python_interpreter={sys.executable}\n")
    run_dir = tmp_path / "run"
    run_dir.mkdir(mode=0o700)
    settings = {"run_id": "test-run", "run_dir": run_dir, "project_dir": project, "playbook": "play.yml",
                "inventory": inventory, "limit": ["here"], "extravars": {}, "cmdline": [], "forks": 1,
                "envvars": _environment(tmp_path)}  # fmt: skip
    return PlaybookRun(**{**settings, **fields})  # type: ignore[arg-type]


def _files_holding(root: Path, values: list[str]) -> list[str]:
    return [f"{path}: {value}" for path in root.rglob("*") if path.is_file()
            for value in values if value.encode() in path.read_bytes()]  # fmt: skip


def test_a_canary_in_each_secret_variable_never_reaches_ansible_runners_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name, value in SECRET_VARIABLES.items():
        monkeypatch.setenv(name, value)
    licence_key = "CANARY-licence-through-a-file-8d21"
    scratch = tmp_path / "a scratch directory"  # a space: the command line must keep it one argument
    scratch.mkdir()
    (scratch / "licence-keys.json").write_text(json.dumps({"schooltech_licence_keys": {"cad": licence_key}}))
    # a secret that did reach ansible-playbook's environment by a name no rule could know
    envvars = _environment(tmp_path, SCHOOLTECH_MISNAMED=licence_key)
    run = _local_run(tmp_path, sleep=0, secrets=(licence_key,), envvars=envvars,
                     cmdline=["-e", f"@{scratch / 'licence-keys.json'}"])  # fmt: skip
    tally = EventTally(["here"])

    ended = run_playbook(run, tally)

    assert ended.rc == 0 and ended.stopped is None
    assert [r.status for r in tally.results()] == ["ok"]
    command = json.loads((artifacts(run) / "command").read_text())
    assert command["env"]["SCHOOLTECH_MISNAMED"] == SCRUBBED
    assert not set(SECRET_VARIABLES) & set(command["env"])
    assert f"@{scratch / 'licence-keys.json'}" in command["command"]
    events = [path.read_text() for path in (artifacts(run) / "job_events").glob("*.json")]
    assert any("hello, 1 licence keys" in event for event in events)  # Ansible read the keys from the file
    assert _files_holding(run.run_dir, [*SECRET_VARIABLES.values(), licence_key]) == []
    assert os.environ["ANSIBLE_BECOME_PASS"] == SECRET_VARIABLES["ANSIBLE_BECOME_PASS"]  # this process keeps its own


def test_a_stop_request_stops_ansible_playbook_and_says_why(tmp_path: Path) -> None:
    run = _local_run(tmp_path, sleep=600)
    tally = EventTally(["here"])

    def stop() -> str | None:
        return "SIGTERM received" if tally.task == "Wait" else None

    ended = run_playbook(run, tally, stop)

    assert ended.stopped == "SIGTERM received"
    assert ended.rc != 0
    assert (artifacts(run) / "status").read_text() == "canceled"


def test_preparing_a_run_leaves_this_process_environment_whole(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Jobs of a district wave run in threads side by side: while one prepares ansible-runner, another
    still reads the state directory and its secrets from this process's environment."""
    for name, value in SECRET_VARIABLES.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("SCHOOLTECH_STATE_DIR", str(tmp_path / "state"))
    seen: list[dict[str, str]] = []
    real_init_runner = runner_module.init_runner

    def watching_init_runner(**kwargs: object) -> object:  # what another thread would see meanwhile
        prepared = real_init_runner(**kwargs)
        seen.append(dict(os.environ))
        return prepared

    monkeypatch.setattr(runner_module, "init_runner", watching_init_runner)
    run = _local_run(tmp_path, sleep=0)

    ended = run_playbook(run, EventTally(["here"]))

    assert ended.rc == 0
    assert seen and seen[0]["SCHOOLTECH_STATE_DIR"] == str(tmp_path / "state")
    assert {name: seen[0].get(name) for name in SECRET_VARIABLES} == SECRET_VARIABLES
    command = json.loads((artifacts(run) / "command").read_text())
    assert not {*SECRET_VARIABLES, "SCHOOLTECH_STATE_DIR"} & set(command["env"])

"""A job's scratch directory: private, named for its owner, gone however the job ends; swept after a SIGKILL."""

from __future__ import annotations

import os
import signal
import stat
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from schooltech_fleet.jobs.scratch import (
    PREFIX,
    SOCKET_PATH_MAX,
    ansible_temporary_files,
    base_directory,
    scratch_directory,
    sweep,
)

HOLDER = """
import sys, time
from schooltech_fleet.jobs.scratch import scratch_directory

with scratch_directory() as scratch:
    (scratch / "licence-keys.json").write_text("CANARY-scratch-5e1f")
    print(scratch, flush=True)
    time.sleep(600)
"""


@pytest.fixture
def tmpdir_base(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """This test's own temporary directory, for this process and the ones it starts."""
    base = tmp_path / "tmp"
    base.mkdir()
    monkeypatch.setenv("TMPDIR", str(base))
    monkeypatch.delenv("XDG_RUNTIME_DIR", raising=False)
    monkeypatch.setattr(tempfile, "tempdir", None)  # gettempdir() caches its first answer
    yield base


def _holder() -> tuple[subprocess.Popen[str], Path]:
    """A process holding a scratch directory with a secret in it, waiting to be killed."""
    child = subprocess.Popen([sys.executable, "-c", HOLDER], stdout=subprocess.PIPE, text=True)
    assert child.stdout is not None
    scratch = Path(child.stdout.readline().strip())
    assert (scratch / "licence-keys.json").is_file()
    return child, scratch


def test_a_scratch_directory_is_private_names_its_process_and_is_gone_after_the_block(tmpdir_base: Path) -> None:
    with scratch_directory() as scratch:
        (scratch / "become-password").write_text("CANARY")
        assert scratch.parent == tmpdir_base
        assert scratch.name.startswith(f"{PREFIX}{os.getpid()}-")
        assert stat.S_IMODE(scratch.stat().st_mode) == 0o700
    assert not scratch.exists()
    with pytest.raises(RuntimeError), scratch_directory() as scratch:
        raise RuntimeError("the job failed")
    assert not scratch.exists()


def test_a_private_xdg_runtime_dir_is_preferred_and_a_shared_one_is_not(
    tmpdir_base: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    runtime = tmp_path / "run-user"
    runtime.mkdir(mode=0o700)
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(runtime))
    assert base_directory() == runtime
    runtime.chmod(0o755)
    assert base_directory() == tmpdir_base


@pytest.mark.parametrize("number", [signal.SIGTERM, signal.SIGHUP, signal.SIGINT])
def test_a_signal_removes_the_scratch_directory_of_the_process_it_ends(tmpdir_base: Path, number: int) -> None:
    child, scratch = _holder()
    child.send_signal(number)
    child.wait(timeout=60)
    assert not scratch.exists()
    assert list(tmpdir_base.iterdir()) == []


def test_the_directory_of_a_process_killed_outright_is_swept_and_a_living_ones_is_kept(tmpdir_base: Path) -> None:
    killed, left = _holder()
    living, kept = _holder()
    try:
        killed.kill()  # SIGKILL: no handler runs
        killed.wait(timeout=60)
        assert (left / "licence-keys.json").is_file()
        assert left.name.startswith(f"{PREFIX}{killed.pid}-")

        with scratch_directory():  # the next job
            assert not left.exists()
            assert (kept / "licence-keys.json").is_file()
    finally:
        living.terminate()
        living.wait(timeout=60)
    assert list(tmpdir_base.iterdir()) == []


@pytest.mark.skipif(os.getuid() != 0, reason="only root can make a directory of another user")
def test_another_users_directories_are_never_swept(tmpdir_base: Path) -> None:
    theirs = tmpdir_base / f"{PREFIX}999999999-abc"
    theirs.mkdir(mode=0o700)
    os.chown(theirs, 65534, 65534)
    assert sweep(tmpdir_base) == []
    assert theirs.is_dir()


def test_ansible_writes_its_temporary_files_in_the_scratch_directory_and_its_sockets_where_they_fit() -> None:
    short = Path("/run/user/1000/schooltech-job-4242-abcd1234")
    assert ansible_temporary_files(short) == {"ANSIBLE_LOCAL_TEMP": f"{short}/ansible", "TMPDIR": str(short)}
    long = Path("/" + "d" * (SOCKET_PATH_MAX - 40)) / "schooltech-job-4242-abcd1234"
    assert ansible_temporary_files(long) == {"ANSIBLE_LOCAL_TEMP": f"{long}/ansible"}

"""The journal: append-only, durable, chained; ``schooltech audit verify`` names the first broken record."""

from __future__ import annotations

import getpass
import json
import os
import resource
import signal
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from inventory.helpers import schooltech

from schooltech_fleet import journal

WRITER = """
import sys
from schooltech_fleet import journal
for n in range(int(sys.argv[2])):
    journal.record({"event": "test", "writer": sys.argv[1], "n": n})
"""


@pytest.fixture
def state(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("SCHOOLTECH_STATE_DIR", str(tmp_path / "state"))
    return tmp_path / "state"


def written(count: int) -> list[bytes]:
    for n in range(count):
        journal.record({"event": "test", "n": n})
    return journal.audit_path().read_bytes().splitlines()


def test_each_record_carries_the_hash_of_the_line_before_it(state: Path) -> None:
    lines = written(3)

    links = [json.loads(line)["prev"] for line in lines]
    assert links == [journal.GENESIS, journal.digest(lines[0]), journal.digest(lines[1])]
    verdict = journal.verify()
    assert (verdict.intact, verdict.records, verdict.head) == (True, 3, journal.digest(lines[2]))


def test_writers_in_many_processes_make_one_unbroken_chain(state: Path) -> None:
    writers = [subprocess.Popen([sys.executable, "-c", WRITER, str(w), "25"]) for w in range(4)]
    assert [writer.wait(timeout=120) for writer in writers] == [0, 0, 0, 0]

    verdict = journal.verify()
    assert (verdict.intact, verdict.records) == (True, 100)
    assert sorted((e["writer"], e["n"]) for e in journal.entries()) == [
        (str(w), n) for w in range(4) for n in range(25)]  # fmt: skip


@pytest.mark.parametrize(
    ("tamper", "broken", "reason"),
    [
        (lambda lines: [lines[0], lines[1].replace(b'"n": 1', b'"n": 7'), *lines[2:]], 3,
         "it does not link to line 2: one of the two was changed, or a record between them inserted or removed"),
        (lambda lines: [lines[0], *lines[2:]], 2, "it does not link to line 1"),
        (lambda lines: [*lines[:2], lines[1], *lines[2:]], 3, "it does not link to line 2"),
        (lambda lines: lines[1:], 1, "it is the first line but links to a record before it"),
        (lambda lines: [*lines[:3], b'{"event": "test", "n": 9}'], 4, "it has no link to the line before it"),
        (lambda lines: [*lines[:2], b"{not json", *lines[2:]], 3, "it is not a JSON record"),
        (lambda lines: [lines[0], b"[1, 2]", *lines[1:]], 2, "it is not a JSON object"),
    ],
    ids=["changed", "removed", "inserted", "start cut", "appended by hand", "damaged", "not an object"],
)
def test_a_changed_inserted_or_removed_record_breaks_the_chain_at_its_line(
    state: Path, tamper: object, broken: int, reason: str
) -> None:
    lines = written(4)
    journal.audit_path().write_bytes(b"\n".join(tamper(lines)) + b"\n")  # type: ignore[operator]

    verdict = journal.verify()
    assert verdict.broken == broken
    assert verdict.reason.startswith(reason)


def test_verify_with_an_earlier_head_proves_nothing_up_to_it_was_rewritten(state: Path) -> None:
    head = journal.digest(written(2)[-1])
    journal.record({"event": "later"})
    assert journal.verify(head).anchored

    # the whole chain rewritten from line 2 on (every link recomputed): intact, but no longer through the head
    lines = journal.audit_path().read_bytes().splitlines()
    rewritten, previous = [lines[0]], journal.digest(lines[0])
    for line in lines[1:]:
        entry = {**json.loads(line), "prev": previous, "user": "someone else"}
        rewritten.append(json.dumps(entry).encode())
        previous = journal.digest(rewritten[-1])
    journal.audit_path().write_bytes(b"\n".join(rewritten) + b"\n")
    assert journal.verify().intact
    assert not journal.verify(head).anchored


def test_a_record_that_cannot_be_written_whole_leaves_nothing_of_itself(state: Path) -> None:
    written(2)
    before = journal.audit_path().read_bytes()
    limit = len(before) + 40  # the next record is longer: the kernel writes only part of it

    def small_files() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # EFBIG instead of a signal, as on a full disk: ENOSPC
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    done = subprocess.run([sys.executable, "-c", WRITER, "big", "1"], preexec_fn=small_files,
                          capture_output=True, text=True, check=False)  # fmt: skip

    assert done.returncode != 0 and "JournalError: cannot append to the journal" in done.stderr
    assert journal.audit_path().read_bytes() == before
    journal.record({"event": "after the full disk"})
    assert journal.verify().intact


def test_the_final_record_of_done_work_says_why_it_failed_instead_of_raising(state: Path) -> None:
    journal.audit_path().mkdir()  # nothing can be appended to it

    assert journal.record_outcome({"event": "net-backup"}) == "the journal record could not be written (Is a directory)"


def test_audit_show_lists_the_records_and_flags_a_damaged_line(state: Path) -> None:
    journal.record({"event": "lab-job", "phase": "start", "run_id": "patch-RVS-1", "school": "RVS",
                    "targets": ["RVS-C101-PC01", "RVS-C101-PC02"], "check": True})  # fmt: skip
    with journal.audit_path().open("ab") as handle:
        handle.write(b"{half a rec\n")

    done = schooltech("audit", "show")

    assert done.returncode == 0, done.stderr
    [_, first, second] = done.stdout.splitlines()
    who = f"{getpass.getuser()}@{socket.gethostname()}"
    assert first.strip().split("  ") == ["1", "2026-11-28T18:00:00+00:00", who, "lab-job start", "patch-RVS-1",
                                         "RVS; RVS-C101-PC01, RVS-C101-PC02; check"]  # fmt: skip
    assert second.split() == ["2", "damaged:", "not", "a", "JSON", "record", "(Expecting", "property", "name",
                              "enclosed", "in", "double", "quotes:", "line", "1", "column", "2", "(char", "1))"]



def test_audit_verify_exits_0_intact_1_broken_naming_the_line(state: Path) -> None:
    lines = written(3)
    intact = schooltech("audit", "verify")
    assert intact.returncode == 0, intact.stderr
    assert f"intact: 3 records in {journal.audit_path()}; head {journal.digest(lines[2])}" in intact.stdout
    assert schooltech("audit", "verify", "--head", journal.digest(lines[1])).returncode == 0

    journal.audit_path().write_bytes(b"\n".join([lines[0], lines[2]]) + b"\n")
    broken = schooltech("audit", "verify")
    assert broken.returncode == 1
    assert f"broken at line 2: {journal.audit_path()}:2: it does not link to line 1" in " ".join(broken.stdout.split())


def test_audit_verify_of_an_unusable_state_directory_is_a_usage_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "a-file").write_text("")
    monkeypatch.setenv("SCHOOLTECH_STATE_DIR", str(tmp_path / "a-file"))
    done = schooltech("audit", "verify")
    assert done.returncode == 2
    assert f"cannot use {tmp_path / 'a-file'} as a directory" in " ".join(done.stderr.split())


def test_the_journal_is_appended_never_rewritten(state: Path) -> None:
    first = written(1)[0]
    inode = os.stat(journal.audit_path()).st_ino
    journal.record({"event": "second"})
    assert journal.audit_path().read_bytes().startswith(first + b"\n")
    assert os.stat(journal.audit_path()).st_ino == inode

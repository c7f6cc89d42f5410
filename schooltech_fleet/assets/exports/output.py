"""Writing an export: all of it or nothing, and never over someone's file unless asked.

A file is written beside its destination and renamed over it; a directory of files is
filled beside its destination and swapped in. An existing, non-empty destination is kept
unless ``force`` is given; even then a directory is only replaced if it holds nothing but
what an export writes (``*.json`` files), so a mistyped ``--output ~`` cannot empty a home.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Mapping
from pathlib import Path

from ...errors import UsageError


class OutputExists(UsageError):
    """The export would replace a file or directory that already holds something."""

    def __init__(self, path: Path, hint: str) -> None:
        super().__init__(f"{path} already exists and is not empty", hint)


def write_file(path: Path, text: str, *, force: bool = False) -> None:
    """Write *text* to *path* atomically (UTF-8, newlines as given)."""
    if path.is_dir():
        raise UsageError(f"{path} is a directory", "give the path of the CSV file to write")
    if path.exists() and path.stat().st_size > 0 and not force:
        raise OutputExists(path, "choose another --output, or add --force to replace it")
    _parent(path)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as stream:
            stream.write(text)
        os.chmod(temporary, 0o644)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def write_directory(path: Path, files: Mapping[str, str], *, force: bool = False) -> None:
    """Make *path* a directory holding exactly *files* (name -> text), swapped in at once."""
    if path.exists() and not path.is_dir():
        raise UsageError(f"{path} is a file", "give a directory for the per-device JSON files")
    if path.is_dir() and any(path.iterdir()):
        if not force:
            raise OutputExists(path, "choose another --output, or add --force to replace it")
        strangers = sorted(p.name for p in path.iterdir() if not (p.is_file() and p.suffix == ".json"))
        if strangers:
            raise OutputExists(path, f"--force replaces only a directory of .json files; it also holds "
                                     f"{', '.join(strangers[:3])}: choose another --output")  # fmt: skip
    _parent(path)
    staging = Path(tempfile.mkdtemp(dir=path.parent, prefix=f".{path.name}."))
    retired: Path | None = None
    try:
        for name, text in files.items():
            (staging / name).write_text(text, encoding="utf-8")
        staging.chmod(0o755)
        if path.exists():
            retired = Path(tempfile.mkdtemp(dir=path.parent, prefix=f".{path.name}.old."))
            os.replace(path, retired / path.name)
        os.replace(staging, path)
    except BaseException:
        if retired is not None and (retired / path.name).exists():
            os.replace(retired / path.name, path)  # put the previous export back
        shutil.rmtree(staging, ignore_errors=True)
        raise
    finally:
        if retired is not None:
            shutil.rmtree(retired, ignore_errors=True)


def _parent(path: Path) -> None:
    if not path.parent.is_dir():
        raise UsageError(f"{path.parent} does not exist", "create the directory first, or choose another --output")

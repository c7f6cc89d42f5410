"""Which files are school files, and where the profiles live (no parsing here: cheap to import)."""

from __future__ import annotations

from pathlib import Path

from ..errors import UsageError

SCHOOL_SUFFIXES = (".school.yml", ".school.yaml")
PROFILE_DIR = Path(__file__).parent / "profiles"
SIM_OVERRIDE_NAME = ".schooltech-sim.yml"
"""The simulation layer ``schooltech sim up`` writes beside the school files it simulates."""


def is_school_file(path: Path) -> bool:
    return path.name.endswith(SCHOOL_SUFFIXES)


def discover(path: Path) -> list[Path]:
    """Every school file at *path* (a file, or a directory searched recursively)."""
    if not path.exists():
        raise UsageError(f"{path}: no such file or directory", "give a school file or a directory of them")
    if path.is_file():
        if not is_school_file(path):
            raise UsageError(
                f"{path}: not a school file", "school files are named CODE.school.yml, e.g. rvs.school.yml"
            )
        return [path]
    found = [
        p
        for p in sorted(path.rglob("*.school.y*ml"))
        if is_school_file(p) and not any(part.startswith(".") for part in p.relative_to(path).parts)
    ]
    return found


def require_school_files(path: Path) -> list[Path]:
    """Like :func:`discover`, but finding no school file is a usage error."""
    files = discover(path)
    if not files:
        raise UsageError(f"{path}: no school files found", "school files are named CODE.school.yml")
    return files


def simulation_layers(school_files: list[Path]) -> list[Path]:
    """The simulation layers that apply to *school_files* (one per directory, if present)."""
    directories = dict.fromkeys(path.parent for path in school_files)
    return [d / SIM_OVERRIDE_NAME for d in directories if (d / SIM_OVERRIDE_NAME).is_file()]

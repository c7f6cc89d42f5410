"""Find school files, parse them and validate each against the file format."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, Generic, TypeVar

from pydantic import BaseModel, ValidationError

from ..errors import UsageError
from .findings import Finding, display_path
from .model import ProfileFile, SchoolType
from .schema import schema_findings
from .yamlsource import YamlProblem, read_file

SCHOOL_SUFFIXES = (".school.yml", ".school.yaml")
PROFILE_DIR = Path(__file__).parent / "profiles"

M = TypeVar("M", bound=BaseModel)


@dataclass(frozen=True)
class Parsed(Generic[M]):
    """A file with its raw data (for locations) and its model, or the reasons it has none."""

    path: Path
    label: str
    data: Any
    model: M | None
    findings: tuple[Finding, ...]


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


def parse(path: Path, model: type[M], label: str | None = None) -> Parsed[M]:
    """Read *path* and validate it as *model*; never raises for bad content."""
    label = label or display_path(path)
    try:
        data = read_file(path)
    except YamlProblem as problem:
        code = "yaml" if problem.message.startswith(("YAML", "the file holds")) else "yaml-structure"
        return Parsed(
            path,
            label,
            None,
            None,
            (Finding(label, problem.line, problem.column, code, problem.message, problem.hint),),
        )
    if not isinstance(data, dict):
        what = "empty" if data is None else f"a {type(data).__name__}, not a mapping"
        return Parsed(
            path,
            label,
            data,
            None,
            (Finding(label, 1, 1, "schema", f"the file is {what}", "start from the example in docs/inventory.md"),),
        )
    try:
        return Parsed(path, label, data, model.model_validate(data), ())
    except ValidationError as exc:
        return Parsed(path, label, data, None, tuple(schema_findings(label, data, exc, model)))


@cache
def load_profile(school_type: SchoolType) -> Parsed[ProfileFile]:
    """The profile shipped with the package for *school_type* (parsed once per process)."""
    path = PROFILE_DIR / f"{school_type.value}.yml"
    return parse(path, ProfileFile)

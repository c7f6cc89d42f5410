"""Find school files, parse them and validate each against the file format."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, Generic, TypeVar

from pydantic import BaseModel, ValidationError

from .files import PROFILE_DIR
from .findings import Finding, display_path
from .model import ProfileFile, SchoolType
from .schema import kind_of, schema_findings
from .yamlsource import YamlProblem, read_file

M = TypeVar("M", bound=BaseModel)


@dataclass(frozen=True)
class Parsed(Generic[M]):
    """A file with its raw data (for locations) and its model, or the reasons it has none."""

    path: Path
    label: str
    data: Any
    model: M | None
    findings: tuple[Finding, ...]


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
        what = "empty" if data is None else f"{kind_of(data)}, not a mapping"
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

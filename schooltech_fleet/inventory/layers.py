"""Layering: profile -> school -> room -> device, the most specific layer wins.

Mappings merge key by key, recursively; lists and plain values are replaced as a
whole. A value written as ``null`` in a more specific layer clears the value
from the layers below it. Every merged value can say which layer set it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from .loader import Parsed
from .yamlsource import locate

Path = tuple[str | int, ...]


@dataclass(frozen=True)
class Layer:
    """One layer: a mapping written at *path* inside a parsed file."""

    kind: str  # profile, school, room, device, simulation
    parsed: Parsed[Any]
    path: Path


@dataclass(frozen=True)
class Source:
    """Where one resolved value was written."""

    layer: str
    file: str
    line: int
    column: int

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}"


def source_of(layer: Layer, path: Path) -> Source:
    """Locate *path* (relative to the layer's mapping) in the layer's file."""
    full = layer.path + path
    line, column = locate(layer.parsed.data, full) or (1, 1)
    return Source(layer.kind, layer.parsed.label, line, column)


def deep_merge(base: Mapping[str, Any], override: Mapping[str, Any]) -> dict[str, Any]:
    """*override* on top of *base*: mappings merge recursively, everything else replaces."""
    merged = dict(base)
    for key, value in override.items():
        below = merged.get(key)
        if isinstance(value, Mapping) and isinstance(below, Mapping):
            merged[key] = deep_merge(below, value)
        else:
            merged[key] = value
    return merged


def merge_layers(layers: Iterable[tuple[Layer, Mapping[str, Any]]]) -> dict[str, Any]:
    merged: dict[str, Any] = {}
    for _, values in layers:
        merged = deep_merge(merged, values)
    return merged


def trace_layers(layers: Iterable[tuple[Layer, Mapping[str, Any]]]) -> dict[str, Source]:
    """For every leaf of the merged result (dotted name), the source that set it."""
    sources: dict[str, Source] = {}

    def walk(layer: Layer, values: Mapping[str, Any], prefix: Path) -> None:
        for key, value in values.items():
            path = (*prefix, key)
            dotted = ".".join(str(p) for p in path)
            if isinstance(value, Mapping) and value:
                for stale in [k for k in sources if k == dotted]:
                    del sources[stale]
                walk(layer, value, path)
            else:
                for stale in [k for k in sources if k == dotted or k.startswith(dotted + ".")]:
                    del sources[stale]
                sources[dotted] = source_of(layer, path)

    for layer, values in layers:
        walk(layer, values, ())
    return sources

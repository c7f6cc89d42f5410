"""What changed between two sets of resolved variables, down to the leaf that changed.

Mappings are compared key by key (``web_filter.proxy_url``); lists of mappings that all
carry an ``id`` (licences) or a ``name`` (packages, exam freezes, terms) are compared
item by item (``licences[cad-suite].seats``); anything else is compared as a whole.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Literal


@dataclass(frozen=True)
class VarChange:
    name: str
    status: Literal["added", "removed", "changed"]
    old: Any = None  # not set when added
    new: Any = None  # not set when removed

    @property
    def root(self) -> str:
        """The top-level variable (``licences`` of ``licences[cad-suite].seats``)."""
        return self.name.split(".")[0].split("[")[0]


def var_changes(old: dict[str, Any], new: dict[str, Any]) -> tuple[VarChange, ...]:
    """Every variable that was added, removed or changed from *old* to *new*."""
    return tuple(_mapping("", old, new))


def _mapping(prefix: str, old: dict[str, Any], new: dict[str, Any]) -> Iterator[VarChange]:
    for key in dict.fromkeys([*old, *new]):
        yield from _compare(f"{prefix}.{key}" if prefix else str(key), old, new, key)


def _compare(name: str, old: dict[Any, Any], new: dict[Any, Any], key: Any) -> Iterator[VarChange]:
    if key not in new:
        yield VarChange(name, "removed", old=old[key])
    elif key not in old:
        yield VarChange(name, "added", new=new[key])
    elif old[key] != new[key]:
        before, after = old[key], new[key]
        if isinstance(before, dict) and isinstance(after, dict):
            yield from _mapping(name, before, after)
        elif (keyed_before := _keyed(before)) is not None and (keyed_after := _keyed(after)) is not None:
            for item in dict.fromkeys([*keyed_before, *keyed_after]):
                yield from _compare(f"{name}[{item}]", keyed_before, keyed_after, item)
        else:
            yield VarChange(name, "changed", before, after)


def _keyed(value: Any) -> dict[str, Any] | None:
    """A list of mappings as a mapping by their ``id`` or ``name``, if every item has a distinct one."""
    if not isinstance(value, list) or not all(isinstance(item, dict) for item in value):
        return None
    if not value:
        return {}
    for field in ("id", "name"):
        keys = [item.get(field) for item in value]
        if all(isinstance(k, str) for k in keys) and len(set(keys)) == len(keys):
            return dict(zip(keys, value, strict=True))
    return None

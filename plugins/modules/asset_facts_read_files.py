#!/usr/bin/python
"""Read small files under directories in one module execution (the asset_facts role's reader)."""

from __future__ import annotations

DOCUMENTATION = r"""
---
module: asset_facts_read_files
short_description: Read small files under directories in one execution, changing nothing
description:
  - Reads the files that match glob patterns under each of several directories and returns
    their text, keyed by their path relative to the directory, in one module execution
    (instead of one C(find) and one C(slurp) per file).
  - Links are followed. A directory that does not exist gives no files. A file larger than
    O(max_bytes) is left out and named in RV(too_big) and in a warning.
  - Read-only; C(changed) is always false and check mode gives the same result.
version_added: "1.0.0"
author: School IT (schooltech-fleet)
options:
  sources:
    description: The directories to read, each under a name of its own.
    type: list
    elements: dict
    required: true
    suboptions:
      name:
        description: The key of this directory's files in RV(files).
        type: str
        required: true
      path:
        description: The directory.
        type: path
        required: true
      patterns:
        description:
          - Glob patterns relative to O(sources[].path), such as V(product_serial) or V(*/address).
          - Absolute patterns and patterns with a V(..) component are refused.
        type: list
        elements: str
        required: true
  max_bytes:
    description: The largest file read, in bytes; a larger one is left out.
    type: int
    default: 4096
attributes:
  check_mode:
    support: full
  diff_mode:
    support: none
"""

EXAMPLES = r"""
- name: Read the firmware's DMI tables and the NICs' addresses
  schooltech.fleet.asset_facts_read_files:
    sources:
      - name: dmi
        path: /sys/class/dmi/id
        patterns: [product_serial, sys_vendor, product_name]
      - name: net
        path: /sys/class/net
        patterns: ["*/address"]
  register: asset_files
# asset_files.files.dmi.product_serial: "PF3KX9ZA\n"
# asset_files.files.net["eth0/address"]: "3c:52:82:1a:2b:3c\n"
"""

RETURN = r"""
files:
  description:
    - Per source name, each regular file found (links followed) that is not larger than
      O(max_bytes), by its path relative to the source's directory, sorted, with its text as
      read (UTF-8; bytes that are not are replaced). A source with no such file maps to {}.
  returned: always
  type: dict
  sample: {"dmi": {"product_serial": "PF3KX9ZA\n"}, "net": {"eth0/address": "3c:52:82:1a:2b:3c\n"}}
too_big:
  description: The paths of the files left out for being larger than O(max_bytes).
  returned: always
  type: list
  elements: str
  sample: ["/sys/class/dmi/id/modalias"]
"""

import glob
import os
from typing import Any

from ansible.module_utils.basic import AnsibleModule


def _refusal(pattern: str) -> str | None:
    """Why *pattern* may not be read, or None."""
    if os.path.isabs(pattern) or ".." in pattern.split("/"):
        return f"pattern {pattern!r} must be relative to its directory, without '..'"
    return None


def _read(path: str, max_bytes: int) -> str | None:
    """The file's text, or None if it is larger than *max_bytes* (sysfs files all claim 4096 bytes,
    so the size is what is read, not what stat says)."""
    with open(path, "rb") as handle:
        data = handle.read(max_bytes + 1)
    if len(data) > max_bytes:
        return None
    return data.decode("utf-8", errors="replace")


def read_sources(sources: list[dict[str, Any]], max_bytes: int) -> tuple[dict[str, dict[str, str]], list[str]]:
    """Each source's matching files' text by relative path, and the paths too big to read."""
    files: dict[str, dict[str, str]] = {}
    too_big: list[str] = []
    for source in sources:
        root = str(source["path"])
        found: dict[str, str] = {}
        for pattern in source["patterns"]:
            for path in glob.glob(os.path.join(glob.escape(root), pattern)):
                if not os.path.isfile(path):
                    continue
                text = _read(path, max_bytes)
                if text is None:
                    too_big.append(path)
                else:
                    found[os.path.relpath(path, root)] = text
        files[str(source["name"])] = dict(sorted(found.items()))
    return files, sorted(set(too_big))


def main() -> None:
    """Run the module."""
    module = AnsibleModule(
        argument_spec={
            "sources": {
                "type": "list",
                "elements": "dict",
                "required": True,
                "options": {
                    "name": {"type": "str", "required": True},
                    "path": {"type": "path", "required": True},
                    "patterns": {"type": "list", "elements": "str", "required": True},
                },
            },
            "max_bytes": {"type": "int", "default": 4096},
        },
        supports_check_mode=True,
    )
    sources = module.params["sources"]
    max_bytes = module.params["max_bytes"]
    if max_bytes < 1:
        module.fail_json(msg=f"max_bytes must be at least 1, not {max_bytes}")
    for source in sources:
        for pattern in source["patterns"]:
            refusal = _refusal(pattern)
            if refusal is not None:
                module.fail_json(msg=f"source {source['name']}: {refusal}")
    try:
        files, too_big = read_sources(sources, max_bytes)
    except OSError as exc:
        module.fail_json(msg=f"cannot read {exc.filename}: {exc.strerror}")
    for path in too_big:
        module.warn(f"{path} is larger than {max_bytes} bytes: left out")
    module.exit_json(changed=False, files=files, too_big=too_big)


if __name__ == "__main__":
    main()

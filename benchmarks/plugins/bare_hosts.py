# The baseline for benchmarks/inventory_scale.py: the least an inventory plugin can do.
# It reads a JSON list of [name, address] pairs and calls add_host and set_variable once each.

from __future__ import annotations

DOCUMENTATION = r"""
name: bare_hosts
short_description: Benchmark baseline that only adds hosts
description:
  - Reads C(*.bare.json), a list of [name, address] pairs, and adds each host with its C(ansible_host).
"""

import json

from ansible.plugins.inventory import BaseInventoryPlugin


class InventoryModule(BaseInventoryPlugin):
    NAME = "bare_hosts"

    def verify_file(self, path):
        return super().verify_file(path) and path.endswith(".bare.json")

    def parse(self, inventory, loader, path, cache=True):
        super().parse(inventory, loader, path, cache)
        with open(path, encoding="utf-8") as handle:
            for name, address in json.load(handle):
                inventory.add_host(name)
                inventory.set_variable(name, "ansible_host", address)

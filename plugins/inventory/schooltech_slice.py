# schooltech-fleet inventory plugin for the static slice each lab job gets: what schooltech resolved
# for the hosts the job targets, loaded as it was written (no schooltech_fleet package needed).

from __future__ import annotations

DOCUMENTATION = r"""
name: schooltech_slice
short_description: The inventory slice schooltech writes for one job
description:
  - Reads a C(*.slice.json) file that schooltech-fleet writes for each lab job (C(schooltech_fleet.jobs.payload)),
    holding the targeted hosts of one school with the variables schooltech resolved for them, the groups they
    are in (a group's variables on the group) and nothing else. It is not edited by hand.
  - "The layout is Ansible's YAML inventory layout (C(all) > C(vars), C(hosts), C(children)) with the marker
    C(schooltech_slice: 1) beside C(all); groups and hosts are added in the order the file lists them, as the
    yaml plugin would add them."
  - Every string is data, never a template, exactly as the schooltech plugin hands school files over. The yaml
    plugin would need each string marked C(__ansible_unsafe), then tag, deep-copy and inspect every value
    (about a second for a school of 600 PCs); this plugin sets the values directly.
  - Needs nothing but Ansible, so an execution node loads the slice sent to it with the collection alone.
author:
  - schooltech-fleet developers
"""

import json

from ansible.errors import AnsibleParserError
from ansible.plugins.inventory import BaseInventoryPlugin

SUFFIX = ".slice.json"
MARKER = "schooltech_slice"
FORMAT = 1


class InventoryModule(BaseInventoryPlugin):
    NAME = "schooltech_slice"

    def verify_file(self, path):
        return super().verify_file(path) and path.endswith(SUFFIX)

    def parse(self, inventory, loader, path, cache=True):
        super().parse(inventory, loader, path, cache)
        try:
            with open(path, encoding="utf-8") as source:
                data = json.load(source)
        except (OSError, ValueError) as exc:
            raise AnsibleParserError(f"{path}: not a schooltech slice ({exc})") from None
        if not isinstance(data, dict) or data.get(MARKER) != FORMAT or not isinstance(data.get("all"), dict):
            raise AnsibleParserError(f"{path}: not a schooltech slice of format {FORMAT} (written by schooltech)")
        # The values are plain JSON types schooltech wrote for this job: no templates, nothing to inspect.
        # Ansible 2.19 wraps the inventory in a proxy that deep-copies and inspects every value; the
        # data go to the inventory directly, as the schooltech plugin hands them over.
        self._group(getattr(self.inventory, "__wrapped__", self.inventory), "all", data["all"])

    def _group(self, data, name, entry):
        data.add_group(name)
        for key, value in entry.items():
            if key == "vars":
                for variable, item in value.items():
                    data.set_variable(name, variable, item)
            elif key == "hosts":
                for host, own in value.items():
                    data.add_host(host, group=name)
                    data.hosts[host].vars.update(own)
            elif key == "children":
                for child, sub in value.items():
                    self._group(data, child, sub)
                    data.add_child(name, child)
            else:
                raise AnsibleParserError(f"unexpected key {key!r} in group {name} of a schooltech slice")

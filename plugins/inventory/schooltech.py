# schooltech-fleet inventory plugin: every school file is an Ansible inventory source.
# The plugin stays thin: loading, validation and resolution live in the schooltech_fleet package.

from __future__ import annotations

DOCUMENTATION = r"""
name: schooltech
short_description: School inventories of schooltech-fleet
description:
  - Reads schooltech-fleet school files (C(*.school.yml) or C(*.school.yaml)), validates them and
    adds every device and switch with the variables resolved from the school-type profile, the school,
    the room and the device (the most specific wins), exactly as C(schooltech inventory show) prints them.
  - Point C(-i) at a school file or at a directory of them, for example C(-i inventories/secondary/).
  - A school's ansible-vault file beside its school file (C(secrets.vault.yml)) is taken too and adds
    nothing. It holds secrets that schooltech reads when a job needs them, not inventory; Ansible does
    not ask for its password, and a directory holding one is not a failed source.
  - An invalid school file fails the whole source with every problem as C(file:line:column), never a
    partial inventory. Run C(schooltech check) for the same report with hints.
  - "Groups: C(type_<type>) > C(school_<code>) > C(site_<code>_<site>) > C(room_<code>_<room>) > hosts;
    C(kind_<room kind>) > room groups; C(role_<role>); C(managed) / C(unmanaged) > C(family_<os family>) >
    C(os_<os>); C(switches) > C(platform_<platform>). Batches sit in their room, role and OS groups."
  - Variables shared by a room are set on its room group; a counted pattern of identical devices is a
    batch group (C(batch_<code>_<room>_<n>)) inside the room group carrying what those devices share;
    variables of one device are set on the host. The resolved set is room, then batch, then host
    variables, as C(ansible-inventory --host) shows.
  - "The C(ansible:) section of the school file (C(compose), C(groups), C(keyed_groups), C(strict), as in
    Ansible's constructed plugins) is evaluated by the schooltech_fleet package, never by Ansible: each
    expression is checked against an allow-list (no calls, so no lookups; no Python attributes) and
    evaluated in a Jinja sandbox, and C(compose) never sets a variable only the model sets (C(ansible_*)
    above all). Ansible receives the results as plain variables and groups."
  - While C(schooltech sim up) runs, the simulation's override (C(.schooltech-sim.yml) beside the school
    file) is applied as the last layer. The simulated devices point at their 127.0.0.1 endpoints and
    devices that are not simulated are left out.
  - "Besides school files, the plugin reads an inventory source configuration named C(*.schooltech.yml) (or
    C(.yaml)) holding C(plugin: schooltech.fleet.schooltech) and C(schools): how an AWX inventory source,
    or any C(-i), names the plugin by its collection name. The schools are loaded and checked together, as
    C(-i) on that path would."
options:
  plugin:
    description: The plugin's name, in a C(*.schooltech.yml) configuration file (the short name works too).
    type: str
    choices: [schooltech.fleet.schooltech, schooltech]
  schools:
    description:
      - In a C(*.schooltech.yml) configuration file, a school file or a directory of them, relative to the
        configuration file's own directory (the default, C(.), takes every school beside and below it).
    type: str
    default: .
requirements:
  - the schooltech_fleet Python package, importable by the Python that runs Ansible
author:
  - schooltech-fleet developers
"""

EXAMPLES = r"""
# ansible.cfg (as shipped at the root of the project)
# [defaults]
# inventory_plugins = ./plugins/inventory
# [inventory]
# enable_plugins = schooltech, host_list
# any_unparsed_is_failed = True

# List the groups of one school type:
#   ansible-inventory -i inventories/secondary/ --graph
# Ping every managed lab PC of room C101:
#   ansible -i inventories/secondary/ 'room_rvs_c101:&managed' -m ansible.builtin.ping

# From the installed collection (an AWX inventory source, for example), a configuration file
# inventories/district.schooltech.yml:
# plugin: schooltech.fleet.schooltech
# schools: .          # every school file beside and below this file
#   ansible-inventory -i inventories/district.schooltech.yml --graph

# In a school file, extra groups and variables (docs/inventory.md, "Expressions"):
# ansible:
#   groups:
#     old_hardware: warranty_end is defined and warranty_end < '2026-01-01'
#   keyed_groups:
#     - key: model | default('unknown') | lower | regex_replace('[^a-z0-9]+', '_')
#       prefix: model
#   compose:
#     room_label: room ~ '-' ~ device_role
"""

import os
from pathlib import Path

from ansible.errors import AnsibleParserError
from ansible.plugins.inventory import BaseInventoryPlugin

try:
    from schooltech_fleet.errors import FleetError, InventoryError
    from schooltech_fleet.inventory import load_fleet
    from schooltech_fleet.inventory.files import is_school_file

    IMPORT_ERROR = None
except ImportError as exc:  # pragma: no cover - reported at parse time
    IMPORT_ERROR = exc


# As in schooltech_fleet (inventory.files.SCHOOL_SUFFIXES, vault.VAULT_FILE), and known here even when
# that package cannot be imported: the plugin then claims the files to say so.
SCHOOL_SUFFIXES = (".school.yml", ".school.yaml")
VAULT_FILE = "secrets.vault.yml"
# An inventory source configuration naming this plugin (and the schools to read), as AWX inventory sources do.
CONFIG_SUFFIXES = (".schooltech.yml", ".schooltech.yaml")
NAMES = ("schooltech.fleet.schooltech", "schooltech")


class InventoryModule(BaseInventoryPlugin):
    NAME = "schooltech"

    def verify_file(self, path):
        return super().verify_file(path) and (
            path.endswith(SCHOOL_SUFFIXES + CONFIG_SUFFIXES) or os.path.basename(path) == VAULT_FILE
        )

    def parse(self, inventory, loader, path, cache=True):
        super().parse(inventory, loader, path, cache)
        if os.path.basename(path) == VAULT_FILE:
            return  # the school's secrets: read by schooltech when a job needs them, never inventory
        if IMPORT_ERROR is not None:
            raise AnsibleParserError(
                f"the schooltech inventory plugin needs the schooltech_fleet package in the Python "
                f"that runs Ansible: {IMPORT_ERROR}"
            )
        if path.endswith(CONFIG_SUFFIXES):
            source = self._configured_schools(path)
        else:
            self.set_options()
            source = Path(path)
            if not is_school_file(source):
                raise AnsibleParserError(f"{path} is not a school file (CODE.school.yml)")
        try:
            fleet = load_fleet(source)
        except InventoryError as exc:
            report = "\n".join(finding.text() for finding in exc.findings)
            # from None: the report is complete; Ansible would repeat the cause's summary after it
            raise AnsibleParserError(f"{exc.message}:\n{report}") from None
        except FleetError as exc:
            raise AnsibleParserError(exc.message) from None
        self._populate(fleet, path)

    def _configured_schools(self, path):
        """The school file or directory a C(*.schooltech.yml) configuration names, from its own directory."""
        config = self.loader.load_from_file(path, cache="none")
        if not isinstance(config, dict) or config.get("plugin") not in NAMES:
            raise AnsibleParserError(f"{path}: an inventory source for this plugin says 'plugin: {NAMES[0]}'")
        self.set_options(direct=config)
        schools = Path(os.path.dirname(path), self.get_option("schools"))
        if not schools.exists():
            raise AnsibleParserError(f"{path}: schools: {schools} does not exist")
        return schools

    def _populate(self, fleet, path):
        # Values are plain JSON types built fresh by the package for this call and hold no templates.
        # Ansible 2.19 wraps plugins' inventory in a proxy that deep-copies and inspects every value
        # (about 8 us a value, seconds for a district); the package already guarantees what that
        # inspection enforces, so the values go to the inventory data directly.
        data = getattr(self.inventory, "__wrapped__", self.inventory)
        for host in fleet.hosts:
            if host in data.hosts:
                raise AnsibleParserError(
                    f"{path}: host {host} is already defined by another inventory source; host names must be "
                    f"unique across every school (run 'schooltech check' on the whole inventory)"
                )
        for group in fleet.groups.values():
            data.add_group(group.name)
            for name, value in group.vars.items():
                data.set_variable(group.name, name, value)
        for host in fleet.hosts.values():
            data.add_host(host.name, group=host.groups[0])
            for group in host.groups[1:]:
                data.add_child(group, host.name)
            # A new host holds only inventory_file and inventory_dir, so set_variable would merge
            # nothing; and it would only untag and check names the package chose itself.
            data.hosts[host.name].vars.update(host.vars)
        # Link the groups only now, deepest first: a host joining a group that already has
        # ancestors makes Ansible walk them again for every host.
        for group in reversed(fleet.groups.values()):
            for child in group.children:
                data.add_child(group.name, child)

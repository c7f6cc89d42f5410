"""Which variables and groups only the inventory model sets.

Where Ansible and the switch engine connect, as whom, through what and with which
interpreter, and every value the playbooks, roles and engines read, come from the
model alone: a device's or switch's declared fields, the profile's and school's declared
settings, and the simulation layer. The ``ansible:`` section of a school file may add
variables (``compose``) and groups (``groups``, ``keyed_groups``), never set one of these.

A variable only the model sets is one that matches::

    ansible_*                      everything Ansible reads about a host: address, port, user,
                                   connection, ssh_*, become*, python_interpreter, shell_*, ...
    schooltech_*                   the job's own variables (rollout, calendar verdicts)
    switch_*                       how the switch engine reaches a switch
    lab_baseline_*, lab_software_*,
    licensing_*, patching_*        the roles' variables (an inventory variable would override
                                   the playbooks' mapping in group_vars/all)
    a resolved variable            RESOLVED (docs/inventory.md, "Resolved variables")
    a name Ansible reserves        ANSIBLE_NAMES (inventory_hostname, hostvars, play keywords ...)

A group only the model creates is one of MODEL_GROUPS or starts with one of MODEL_GROUP_PREFIXES.
"""

from __future__ import annotations

from .model import Settings

MODEL_PREFIXES: dict[str, str] = {
    "ansible_": "Ansible reads ansible_* variables to decide where and how it connects to a host (address, port, "
    "user, connection, SSH arguments, become, interpreter)",
    "schooltech_": "schooltech_* variables are the job's own (rollout, calendar verdicts)",
    "switch_": "switch_* variables say how the switch engine reaches a switch",
    "lab_baseline_": "lab_baseline_* variables are the settings of the role lab_baseline",
    "lab_software_": "lab_software_* variables are the settings of the role lab_software",
    "licensing_": "licensing_* variables are the settings of the role licensing",
    "patching_": "patching_* variables are the settings of the role patching",
    "asset_facts_": "asset_facts_* variables are the settings of the role asset_facts",
    "pxe_server_": "pxe_server_* variables are the settings of the role pxe_server (the boot server)",
}
"""Prefixes of the variables only the model sets, each with the reason."""

RESOLVED: frozenset[str] = frozenset(
    {
        # every host
        "school_code", "school_name", "school_type", "site", "building",
        # devices: the room, its VLAN, software, licences and calendar
        "room", "room_title", "room_kind", "vlan", "vlan_id", "subnet", "gateway", "software_sets",
        "software_packages", "windows_packages", "software_catalogue", "licences", "exam_freezes", "lessons",
        "terms", "imaging",
        # devices: the asset record
        "device_role", "os", "os_family", "managed", "model", "purchased", "warranty_end", "mac",
        "serial_number", "ip", "firmware", "secure_boot",
        # switches
        "switch_platform", "switch_model", "mgmt_ip", "access_ports", "uplink_ports",
        # a site's execution node: on its devices, and on its switches when it carries their sessions
        "execution_node", "switch_jump_node",
        # the simulation layer
        "simulation",
        # settings
        *Settings.model_fields,
    }
)  # fmt: skip
"""Every variable the inventory resolves for some host (``ansible_*`` ones aside)."""

ANSIBLE_NAMES: frozenset[str] = frozenset(
    {
        # magic variables
        "inventory_hostname", "inventory_hostname_short", "inventory_dir", "inventory_file", "group_names",
        "groups", "hostvars", "omit", "play_hosts", "playbook_dir", "role_name", "role_names", "role_path",
        "environment", "item",
        # reserved names: play keywords and template globals (ansible.vars.reserved.get_reserved_names())
        "action", "always", "any_errors_fatal", "args", "async", "async_val", "become", "become_exe",
        "become_flags", "become_method", "become_user", "block", "changed_when", "check_mode", "collections",
        "connection", "cycler", "debugger", "delay", "delegate_facts", "delegate_to", "dict", "diff",
        "fact_path", "failed_when", "force_handlers", "gather_facts", "gather_timeout", "handlers", "hosts",
        "ignore_errors", "ignore_unreachable", "joiner", "lipsum", "local_action", "lookup", "loop",
        "loop_control", "loop_with", "max_fail_percentage", "module_defaults", "name", "namespace", "no_log",
        "notify", "now", "order", "poll", "port", "post_tasks", "pre_tasks", "q", "query", "range", "register",
        "remote_user", "rescue", "retries", "roles", "run_once", "serial", "strategy", "tags", "tasks",
        "throttle", "timeout", "undef", "until", "vars", "vars_files", "vars_prompt", "when", "with_",
    }
)  # fmt: skip
"""Names Ansible gives a meaning of its own."""

CONNECTION: frozenset[str] = frozenset(
    {"ansible_host", "ansible_port", "ansible_user", "ansible_connection", "ansible_winrm_transport",
     "ansible_ssh_private_key_file", "ansible_ssh_common_args", "switch_password_file", "switch_known_hosts",
     "switch_minute_seconds"}
)  # fmt: skip
"""The connection variables the model sets: a device's or switch's address, the settings' admin
user, WinRM for Windows, and the simulation layer's endpoint and logins."""

READABLE: frozenset[str] = RESOLVED | CONNECTION | {"inventory_hostname"}
"""The variables an expression may read: a host's resolved ones, and its inventory name."""

MODEL_GROUPS = frozenset({"all", "ungrouped", "managed", "unmanaged", "switches"})
MODEL_GROUP_PREFIXES = ("type_", "school_", "site_", "room_", "kind_", "role_", "family_", "os_", "platform_", "batch_")


def model_only(name: str) -> str | None:
    """Why only the model may set the variable *name*, or None when the school file may compose it."""
    for prefix, why in MODEL_PREFIXES.items():
        if name.startswith(prefix):
            return why
    if name in RESOLVED:
        return f"{name} is a variable the inventory resolves from the school file's fields and settings"
    if name in ANSIBLE_NAMES:
        return f"{name} is a name Ansible reserves"
    return None


def model_group(name: str) -> bool:
    """True when *name* is, or could be, a group the model creates (``managed``, ``room_*``, ...)."""
    name = name.lower()
    return name in MODEL_GROUPS or name.startswith(MODEL_GROUP_PREFIXES)

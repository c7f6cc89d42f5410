"""The Ansible configuration every job runs with: the project's ansible.cfg, plus speed.

Speed comes from Mitogen's strategy (one persistent Python per host instead of a
module upload per task), SSH pipelining and ControlPersist (in ansible.cfg), enough
forks for a room at once, and cached facts. Ansible 12 deprecates third-party
strategy plugins: ``SCHOOLTECH_ANSIBLE_STRATEGY=linear`` (or Mitogen not installed)
falls back to Ansible's own linear strategy with everything else unchanged. The
``free`` strategy is refused: it ignores ``max_fail_percentage``, so a failing canary
would not stop the rollout.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from ..errors import UsageError
from ..paths import cache_dir

FORKS = 25
DEFAULT_COLLECTIONS_PATH = "~/.ansible/collections:/usr/share/ansible/collections"


def project_root() -> Path:
    """The checkout holding ansible.cfg, playbooks/, roles/ and plugins/."""
    root = Path(__file__).resolve().parents[2]
    if not (root / "playbooks").is_dir() or not (root / "ansible.cfg").is_file():
        raise UsageError(f"no playbooks/ and ansible.cfg beside the package in {root}",
                         "run schooltech from a checkout of schooltech-fleet")  # fmt: skip
    return root


def strategy() -> str:
    """``mitogen_linear`` when Mitogen is installed and not turned off, else ``linear``."""
    wanted = os.environ.get("SCHOOLTECH_ANSIBLE_STRATEGY", "mitogen")
    if wanted == "free" or os.environ.get("ANSIBLE_STRATEGY") == "free":
        raise UsageError("the free strategy ignores max_fail_percentage, so a failing canary would not halt the "
                         "rollout", "unset ANSIBLE_STRATEGY / SCHOOLTECH_ANSIBLE_STRATEGY")  # fmt: skip
    if wanted == "linear" or _mitogen_strategies() is None:
        return "linear"
    return "mitogen_linear"


def _mitogen_strategies() -> Path | None:
    try:
        import ansible_mitogen  # noqa: PLC0415 - optional
    except ImportError:
        return None
    return Path(ansible_mitogen.__file__).parent / "plugins" / "strategy"


STATIC_INVENTORY = {"ANSIBLE_INVENTORY_ENABLED": "schooltech.fleet.schooltech_slice"}
"""A job's inventory is the static slice the command wrote (payload.py); ansible.cfg's plugins
(schooltech, host_list) are for ``ansible-playbook -i inventories/...`` by hand and AWX."""


def node_environment() -> dict[str, str]:
    """Environment for ansible-playbook on an execution node: nothing of this machine's paths, and
    Ansible's own strategy (Mitogen accelerates the controller's connections; it is not shipped to nodes).
    The node's ``ansible.cfg`` travels in the payload (remote.py)."""
    return {"ANSIBLE_STRATEGY": "linear", "ANSIBLE_GATHERING": "smart", "ANSIBLE_HOST_KEY_CHECKING": "True"}


def ansible_environment(fact_scope: str) -> dict[str, str]:
    """Environment for ansible-playbook; *fact_scope* keeps facts of a simulation apart from the real school."""
    root = project_root()
    env = {
        # the ansible-playbook of this installation, even when its virtual environment is not activated
        "PATH": os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")]),
        "ANSIBLE_CONFIG": str(root / "ansible.cfg"),
        "ANSIBLE_ROLES_PATH": str(root / "roles"),
        # the playbooks call the roles as schooltech.fleet.*: this checkout first, even when the user's
        # environment names collection paths of its own (which would otherwise replace ansible.cfg's)
        "ANSIBLE_COLLECTIONS_PATH": os.pathsep.join(
            [str(root / ".collections"), os.environ.get("ANSIBLE_COLLECTIONS_PATH", DEFAULT_COLLECTIONS_PATH)]
        ),
        "ANSIBLE_INVENTORY_PLUGINS": str(root / "plugins" / "inventory"),
        "ANSIBLE_GATHERING": "smart",
        "ANSIBLE_CACHE_PLUGIN": "jsonfile",
        "ANSIBLE_CACHE_PLUGIN_CONNECTION": str(cache_dir() / "facts" / fact_scope),  # rebuildable: per user
        "ANSIBLE_CACHE_PLUGIN_TIMEOUT": "86400",
        "ANSIBLE_STRATEGY": strategy(),
        # ansible-runner turns host key checking off unless told otherwise; a lab PC must prove who it is
        "ANSIBLE_HOST_KEY_CHECKING": "True",
    }
    strategies = _mitogen_strategies()
    if env["ANSIBLE_STRATEGY"] == "mitogen_linear" and strategies is not None:
        env["ANSIBLE_STRATEGY_PLUGINS"] = str(strategies)
    return env

"""The Ansible collection schooltech.fleet: built and installed as a district installs it, then used
through its FQCNs with nothing of the repository on Ansible's paths; and the AWX project files
(collections/requirements.yml, execution-environment.yml) that install it."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tarfile
import tomllib
import zipfile
from pathlib import Path
from typing import Any

import ansible
import pytest
import yaml
from inventory.helpers import REPO, ansible_inventory, plain
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet

from schooltech_fleet.jobs.tuning import ansible_environment

BIN = Path(sys.executable).parent
DEMO = REPO / "inventories" / "demo"
FQCN = "schooltech.fleet"
PYPROJECT = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
GALAXY = yaml.safe_load((REPO / "galaxy.yml").read_text(encoding="utf-8"))
PLAYBOOKS = sorted(path.stem for path in (REPO / "playbooks").glob("*.yml"))
# What a collection needs, and nothing else of the repository (the Python package, tests, school files)
COLLECTION_TOP = {"FILES.json", "MANIFEST.json", "README.md", "meta", "playbooks", "plugins", "roles"}


def run(*argv: str | Path, cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*map(str, argv)], cwd=cwd, env=env, capture_output=True, text=True, timeout=300,
                          check=False)  # fmt: skip


def isolated_env(place: Path, collections: Path) -> dict[str, str]:
    """Ansible with an empty configuration: no roles_path, no inventory_plugins, only *collections*."""
    config = place / "ansible.cfg"
    config.write_text("[defaults]\n", encoding="utf-8")
    keep = {name: value for name, value in os.environ.items() if not name.startswith("ANSIBLE_")}
    return {**keep, "ANSIBLE_CONFIG": str(config), "ANSIBLE_COLLECTIONS_PATH": str(collections),
            "ANSIBLE_NOCOLOR": "1", "ANSIBLE_LOCAL_TEMP": str(place / "tmp")}  # fmt: skip


@pytest.fixture(scope="module")
def dist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """scripts/build-dist: the collection tarball and the package's wheel."""
    out = tmp_path_factory.mktemp("dist")
    env = {**os.environ, "SCHOOLTECH_VENV": str(BIN.parent)}
    done = run(REPO / "scripts" / "build-dist", out, cwd=REPO, env=env)
    assert done.returncode == 0, done.stderr
    return out


@pytest.fixture(scope="module")
def tarball(dist: Path) -> Path:
    return dist / f"schooltech-fleet-{PYPROJECT['version']}.tar.gz"


@pytest.fixture(scope="module")
def installed(tarball: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The tarball installed with ansible-galaxy into a directory of its own (offline, no dependencies)."""
    place = tmp_path_factory.mktemp("installed")
    env = isolated_env(place, place / "collections")
    done = run(BIN / "ansible-galaxy", "collection", "install", "--offline", "--no-deps", "-p", place / "collections",
               tarball, cwd=place, env=env)  # fmt: skip
    assert done.returncode == 0, done.stderr
    return place


def test_galaxy_yml_names_the_collection_and_follows_the_package_version() -> None:
    assert (GALAXY["namespace"], GALAXY["name"]) == ("schooltech", "fleet")
    assert GALAXY["version"] == PYPROJECT["version"]
    assert GALAXY["license"] == [PYPROJECT["license"]["text"]]


def test_requires_ansible_is_the_ansible_core_the_project_uses() -> None:
    runtime = yaml.safe_load((REPO / "meta" / "runtime.yml").read_text(encoding="utf-8"))
    core = next(Requirement(spec) for spec in PYPROJECT["dependencies"] if spec.startswith("ansible-core"))
    required = SpecifierSet(runtime["requires_ansible"])
    assert ansible.__version__ in required
    for version in ("2.18.9", "2.19.0", "2.19.99", "2.20.0"):
        assert (version in required) == (version in core.specifier), version


def test_the_tarball_holds_roles_playbooks_plugins_and_meta_only(tarball: Path) -> None:
    with tarfile.open(tarball) as tar:
        members = tar.getmembers()
    names = {member.name for member in members}
    assert {name.split("/")[0] for name in names} == COLLECTION_TOP
    assert {name for name in names if name.startswith("plugins/") and not members_is_dir(members, name)} == {
        "plugins/inventory/schooltech.py",
        "plugins/inventory/schooltech_slice.py",
        "plugins/modules/asset_facts_read_files.py",
    }
    roles = {path.name for path in (REPO / "roles").iterdir() if path.is_dir()}
    assert {name.split("/")[1] for name in names if name.startswith("roles/")} == roles
    # a link would point at a file the tarball leaves out (or not install at all): files only
    assert all(member.isfile() or member.isdir() for member in members), [m.name for m in members if m.issym()]
    assert not [name for name in names if "__pycache__" in name or name.endswith(".pyc")]


def members_is_dir(members: list[tarfile.TarInfo], name: str) -> bool:
    return next(member for member in members if member.name == name).isdir()


def test_the_installed_collections_inventory_plugin_lists_what_the_repositorys_plugin_lists(
    installed: Path, tmp_path: Path
) -> None:
    source = tmp_path / "demo.schooltech.yml"
    source.write_text(f"plugin: {FQCN}.schooltech\nschools: {DEMO}\n", encoding="utf-8")
    env = isolated_env(tmp_path, installed / "collections")
    through_collection = run(BIN / "ansible-inventory", "-i", source, "--list", cwd=tmp_path, env=env)
    assert through_collection.returncode == 0, through_collection.stderr
    through_repository = ansible_inventory("-i", DEMO, "--list")
    assert through_repository.returncode == 0, through_repository.stderr

    collection_listing, repository_listing = (plain(json.loads(done.stdout))
                                              for done in (through_collection, through_repository))  # fmt: skip
    hostvars = collection_listing["_meta"].pop("hostvars")
    assert hostvars == repository_listing["_meta"].pop("hostvars")
    assert len(hostvars) > 10
    assert collection_listing == repository_listing  # the groups, their children and hosts


def test_without_the_installed_collection_its_inventory_source_is_not_read(tmp_path: Path) -> None:
    """The control for the test above: what served the listing was the installed collection."""
    source = tmp_path / "demo.schooltech.yml"
    source.write_text(f"plugin: {FQCN}.schooltech\nschools: {DEMO}\n", encoding="utf-8")
    env = {**isolated_env(tmp_path, tmp_path / "no-collections"), "ANSIBLE_INVENTORY_UNPARSED_FAILED": "1"}
    done = run(BIN / "ansible-inventory", "-i", source, "--list", cwd=tmp_path, env=env)
    assert done.returncode != 0
    assert f"{FQCN}.schooltech" in done.stderr


def test_every_playbook_passes_syntax_check_from_the_installed_collection(installed: Path) -> None:
    env = isolated_env(installed, installed / "collections")
    done = run(BIN / "ansible-playbook", "--syntax-check", "-i", "localhost,",
               *(f"{FQCN}.{name}" for name in PLAYBOOKS), cwd=installed, env=env)  # fmt: skip
    assert done.returncode == 0, done.stderr
    for name in PLAYBOOKS:
        assert f"ansible_collections/schooltech/fleet/playbooks/{name}.yml" in done.stdout


def test_the_repositorys_playbooks_find_the_roles_by_fqcn_in_the_checkout() -> None:
    """As the ansible-runner jobs run them: the project's ansible.cfg, playbooks/ by path."""
    env = {**os.environ, "ANSIBLE_CONFIG": str(REPO / "ansible.cfg"), "ANSIBLE_NOCOLOR": "1"}
    done = run(BIN / "ansible-playbook", "--syntax-check", "-i", DEMO,
               *(REPO / "playbooks" / f"{name}.yml" for name in PLAYBOOKS), cwd=REPO, env=env)  # fmt: skip
    assert done.returncode == 0, done.stderr
    roles = "".join((REPO / "playbooks" / f"{name}.yml").read_text(encoding="utf-8") for name in PLAYBOOKS)
    assert "role: schooltech.fleet." in roles


def test_jobs_find_the_roles_even_when_the_users_environment_names_other_collection_paths(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ANSIBLE_COLLECTIONS_PATH", str(tmp_path))  # would replace ansible.cfg's collections_path
    env = {**os.environ, **ansible_environment("collection-test")}
    done = run(BIN / "ansible-playbook", "--syntax-check", "-i", DEMO, REPO / "playbooks" / "patch.yml",
               cwd=REPO, env=env)  # fmt: skip
    assert done.returncode == 0, done.stderr


def test_awx_project_requirements_install_this_checkout_as_the_collection(tmp_path: Path) -> None:
    """AWX runs ansible-galaxy on collections/requirements.yml from the project root, into a path of its own."""
    into = tmp_path / "requirements_collections"
    done = run(
        BIN / "ansible-galaxy",
        "collection",
        "install",
        "--offline",
        "--no-deps",
        "-r",
        "collections/requirements.yml",
        "-p",
        into,
        cwd=REPO,
        env=isolated_env(tmp_path, into),
    )
    assert done.returncode == 0, done.stderr
    manifest = into / "ansible_collections" / "schooltech" / "fleet" / "MANIFEST.json"
    info = json.loads(manifest.read_text(encoding="utf-8"))["collection_info"]
    assert (info["namespace"], info["name"], info["version"]) == ("schooltech", "fleet", PYPROJECT["version"])
    assert info["dependencies"] == GALAXY["dependencies"]


def test_the_repository_inventory_source_reads_every_school_once() -> None:
    """inventories/district.schooltech.yml (an AWX inventory source) lists what inventories/ lists."""
    by_source = ansible_inventory("-i", REPO / "inventories" / "district.schooltech.yml", "--list")
    by_directory = ansible_inventory("-i", REPO / "inventories", "--list")
    assert by_source.returncode == 0, by_source.stderr
    assert by_directory.returncode == 0, by_directory.stderr
    assert plain(json.loads(by_source.stdout)) == plain(json.loads(by_directory.stdout))


@pytest.fixture(scope="module")
def ee_context(dist: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``ansible-builder create`` on execution-environment.yml beside a fresh dist/: a build context, no image."""
    place = tmp_path_factory.mktemp("ee")
    shutil.copy(REPO / "execution-environment.yml", place)
    shutil.copytree(dist, place / "dist")
    done = run(BIN / "ansible-builder", "create", "-f", "execution-environment.yml", "-c", "context",
               cwd=place, env=dict(os.environ))  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    return place / "context"


def requirement_names(specs: list[str]) -> dict[str, str]:
    return {Requirement(spec).name: str(Requirement(spec).specifier) for spec in specs}


def test_the_execution_environment_installs_ansible_core_and_the_packages_requirements(ee_context: Path) -> None:
    containerfile = (ee_context / "Containerfile").read_text(encoding="utf-8")
    core = next(spec for spec in PYPROJECT["dependencies"] if spec.startswith("ansible-core"))
    assert f'ARG ANSIBLE_INSTALL_REFS="{core} ' in containerfile
    listed = requirement_names((ee_context / "_build" / "requirements.txt").read_text(encoding="utf-8").split())
    wanted = requirement_names([spec.split("#")[0].strip() for spec in PYPROJECT["dependencies"]])
    for name in ("ansible", "ansible-core", "ansible-runner"):  # the EE's own ansible-core and runner instead
        wanted.pop(name)
    assert {name: listed.get(name) for name in wanted} == wanted
    assert "pywinrm" in listed  # Windows lab PCs are reached over WinRM


def test_the_execution_environment_installs_the_collections_the_roles_call(ee_context: Path) -> None:
    galaxy: dict[str, Any] = yaml.safe_load((ee_context / "_build" / "requirements.yml").read_text(encoding="utf-8"))
    assert {item["name"]: item["version"] for item in galaxy["collections"]} == GALAXY["dependencies"]


def test_the_execution_environment_carries_this_checkouts_wheel_and_collection(ee_context: Path) -> None:
    containerfile = (ee_context / "Containerfile").read_text(encoding="utf-8")
    final = containerfile.split("FROM base AS final", 1)[1]
    assert "COPY _build/dist/ /tmp/schooltech-dist/" in final
    install = next(line for line in final.splitlines() if "schooltech_fleet-*.whl" in line)
    assert "pip install" in install and "ansible-galaxy collection install" in install
    carried = sorted(path.name for path in (ee_context / "_build" / "dist").iterdir())
    version = PYPROJECT["version"]
    assert carried == [f"schooltech-fleet-{version}.tar.gz", f"schooltech_fleet-{version}-py3-none-any.whl"]
    # the token service reaches the wheel as the file the pxe_server role carries, not as a link
    with zipfile.ZipFile(ee_context / "_build" / "dist" / carried[1]) as wheel:
        module = wheel.read("schooltech_fleet/imaging/pxe_service.py")
    assert module == (REPO / "roles" / "pxe_server" / "files" / "schooltech-pxe").read_bytes()


def test_a_source_naming_schools_that_do_not_exist_fails_and_says_which(tmp_path: Path) -> None:
    source = tmp_path / "district.schooltech.yml"
    source.write_text(f"plugin: {FQCN}.schooltech\nschools: no-such-schools\n", encoding="utf-8")
    done = ansible_inventory("-i", source, "--list")
    assert done.returncode != 0
    assert f"schools: {tmp_path / 'no-such-schools'} does not exist" in " ".join(done.stderr.split())

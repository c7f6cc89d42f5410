"""``image plan``: every PC's iPXE script and answer file, rendered from the inventory and validated.

A Secure Boot PC also gets its GRUB entry (:mod:`grub`): its firmware boots Debian's signed
shim and GRUB, which read the entry over TFTP; the iPXE script is kept for the same PC booted
with Secure Boot off.

Nothing boots from a plan: the imaging run renders the same files with its one-shot tokens
and serves them only while it runs. A plan rendered without tokens carries a placeholder
(``plan-`` and the PC's MAC) that no boot server ever opens.
"""

from __future__ import annotations

import subprocess
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from ..errors import FleetError, UsageError
from ..inventory import load_fleet
from ..inventory.fleet import Fleet
from . import grub, ipxe
from .answers import AnswerRequest, Finding, RenderedAnswer, render_answer, validate_answers
from .targets import BootServerRef, ImagingTarget, imaging_targets


@dataclass(frozen=True)
class PlannedPc:
    """One PC's boot script and answer file."""

    target: ImagingTarget
    token: str
    server_url: str
    script: str
    answer: RenderedAnswer
    grub_entry: str | None = None  # Secure Boot PCs only

    @property
    def script_name(self) -> str:
        return ipxe.script_path(self.target.mac)

    @property
    def grub_entry_name(self) -> str:
        return grub.grub_entry_name(self.target.mac)


@dataclass(frozen=True)
class ImagePlan:
    """What an imaging run of a school (or a room) would serve; *findings* empty when every file passes."""

    school: str
    room: str | None
    pcs: tuple[PlannedPc, ...]
    findings: tuple[Finding, ...]

    @property
    def valid(self) -> bool:
        return not self.findings


ROLE_HTTP_PORT = 8080
"""The port the ``pxe_server`` role serves its HTTP tree on (``pxe_server_http_port``'s default)."""


def default_server_url(server: BootServerRef) -> str:
    """The boot server's URL as the ``pxe_server`` role serves it: HTTP on its port of the server's address."""
    return f"http://{server.address}:{ROLE_HTTP_PORT}"


def plan_token(mac: str) -> str:
    """The placeholder token of a plan: ``plan-`` and the MAC, the shape of a token but never opened."""
    return f"plan-{ipxe.hexhyp(mac)}"


def plan_images(
    fleet: Fleet,
    school: str,
    room: str | None = None,
    *,
    admin_key: str,
    tokens: Mapping[str, str] | None = None,
    server_url: Callable[[BootServerRef], str] = default_server_url,
) -> ImagePlan:
    """Render and validate the boot script and answer file of every PC of *school* (*room*) to image.

    *admin_key* is the OpenSSH public key the installed system lets the admin account log in
    with (the key the jobs use afterwards); *tokens* maps each PC's MAC to its one-shot token
    (placeholders when not given); *server_url* gives the URL PCs reach a boot server at.
    """
    planned: list[PlannedPc] = []
    findings: list[Finding] = []
    for target in imaging_targets(fleet, school, room):
        token = tokens[target.mac] if tokens is not None else plan_token(target.mac)
        url = server_url(target.boot_server)
        try:
            answer = render_answer(_request(target, admin_key, ipxe.callback_url(url, token)))
            script = ipxe.install_script(url, target.os, target.firmware, token, target.name)
            entry = grub.install_entry(url, target.os, token, target.name) if target.secure_boot else None
        except FleetError as exc:
            findings.append(Finding(target.name, None, f"{exc.message} ({exc.hint})" if exc.hint else exc.message))
            continue
        findings += ipxe.check_script(ipxe.script_path(target.mac), script, url)
        if entry is not None:
            findings += grub.check_entry(grub.grub_entry_name(target.mac), entry, url)
        planned.append(PlannedPc(target, token, url, script, answer, entry))
    findings += validate_answers([pc.answer for pc in planned])
    return ImagePlan(school, room, tuple(planned), tuple(findings))


def plan_school_images(inventory: Path, school: str, room: str | None = None, admin_key_file: Path | None = None
                       ) -> ImagePlan:  # fmt: skip
    """:func:`plan_images` for *school* of the inventory at *inventory*, with :func:`admin_public_key`."""
    fleet = load_fleet(inventory)
    return plan_images(fleet, school, room, admin_key=admin_public_key(fleet, school, admin_key_file))


def admin_public_key(fleet: Fleet, school: str, path: Path | None = None) -> str:
    """The OpenSSH public key the installed PCs let the admin log in with.

    *path* if given; else the public half of the key the school's jobs log in with
    (``ansible_ssh_private_key_file``, as the simulation sets it); else ``~/.ssh/id_ed25519.pub``.
    """
    if path is None:
        fleet.school(school)
        managed = fleet.select(f"school_{school.lower()}:&managed")
        used = sorted({str(fleet.host_vars(h).get("ansible_ssh_private_key_file") or "") for h in managed} - {""})
        if used:
            return _public_half(Path(used[0]))
        path = Path.home() / ".ssh" / "id_ed25519.pub"
    try:
        lines = path.read_text(encoding="utf-8").strip().splitlines()
    except OSError as exc:
        raise UsageError(f"cannot read the admin's public key {path}: {exc.strerror}",
                         "give it with --admin-key FILE (an OpenSSH public key, e.g. ~/.ssh/id_ed25519.pub)") from None
    if len(lines) != 1 or not lines[0].startswith(("ssh-", "ecdsa-")):
        raise UsageError(f"{path} is not one OpenSSH public key line", "give the .pub file, not the private key")
    return lines[0]


def _public_half(private_key: Path) -> str:
    done = subprocess.run(["ssh-keygen", "-y", "-f", str(private_key)], capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise UsageError(f"cannot read the public half of the jobs' key {private_key}: {done.stderr.strip()}",
                         "give the admin's public key with --admin-key FILE")  # fmt: skip
    return done.stdout.strip()


def _request(target: ImagingTarget, admin_key: str, callback_url: str) -> AnswerRequest:
    return AnswerRequest(
        hostname=target.name, os=target.os, firmware=target.firmware, disk_layout=target.disk_layout,
        locale=target.locale, keyboard=target.keyboard, timezone=target.timezone,
        admin_user=target.admin_user, admin_ssh_key=admin_key, callback_url=callback_url,
        mirror=target.mirror, proxy=target.proxy,
    )  # fmt: skip


def write_plan(plan: ImagePlan, directory: Path) -> list[Path]:
    """Write the plan's files under *directory* as a boot server lays them out: ``boot/`` and
    ``answers/`` (HTTP), ``grub/`` (TFTP, Secure Boot PCs)."""
    written = []
    for pc in plan.pcs:
        files = [(directory / pc.script_name, pc.script), (directory / "answers" / pc.answer.filename, pc.answer.text)]
        if pc.grub_entry is not None:
            files.append((directory / pc.grub_entry_name, pc.grub_entry))
        for path, text in files:
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text(text, encoding="utf-8")
            except OSError as exc:
                raise UsageError(f"cannot write {path}: {exc.strerror or exc}",
                                 "give --output a directory you can write in") from exc  # fmt: skip
            written.append(path)
    return written

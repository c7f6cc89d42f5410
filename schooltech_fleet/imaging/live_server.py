"""A live school's boot server: a host running the ``pxe_server`` role, driven over SSH.

The role installs the token service, ``schooltech-pxe`` (:mod:`schooltech_fleet.imaging.pxe_service`,
the same file the imaging lab runs); every operation of
:class:`~schooltech_fleet.imaging.boot_server.BootServer` is one of its commands, run with
``sudo -n`` (unless the login is root) over one OpenSSH connection that the run opens once
and reuses (``ControlMaster``; the master ends :data:`CONTROL_PERSIST` seconds after the
last command, or at :meth:`LiveBootServer.disconnect`)::

    server = LiveBootServer("bootsrv", "http://10.20.0.5:8080", SshTarget("10.20.0.5", user="fleetadmin"))
    server.open(mac, script, answer, token)    # schooltech-pxe open MAC TOKEN, script and answer on stdin
    server.wake(mac)                           # schooltech-pxe wake MAC: from the server, inside the VLANs
    server.snapshot()                          # schooltech-pxe status: MACs asked, tokens called back
    server.close(mac)                          # schooltech-pxe close MAC

The installer's callback reaches the server's nginx, which passes it to the token service: it
closes the token and flips the PC's script to local boot there, whether or not the controller
is still connected.
"""

from __future__ import annotations

import json
import shlex
import shutil
import subprocess
import tempfile
import weakref
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import ImagingError
from .answers import RenderedAnswer
from .boot_server import BootSnapshot
from .pxe_service import normal_mac

PROGRAM = "/usr/local/sbin/schooltech-pxe"
CONTROL_PERSIST = 120
_TIMEOUT = 60.0
_ROLE_HINT = "apply the pxe_server role to the boot server (roles/pxe_server/README.md)"


@dataclass(frozen=True)
class SshTarget:
    """How the controller logs in to a boot server: ssh's defaults (~/.ssh/config, agent) unless set."""

    host: str
    port: int = 22
    user: str | None = None
    identity: Path | None = None  # a private key file, else ssh's own
    known_hosts: Path | None = None  # a known_hosts file, else ssh's own (host keys are always checked)

    def argv(self, control_dir: Path) -> list[str]:
        """``ssh`` and its options up to the destination (the remote command follows)."""
        argv = ["ssh", "-o", "BatchMode=yes", "-o", "ConnectTimeout=10", "-o", "ServerAliveInterval=15",
                "-o", "ControlMaster=auto", "-o", f"ControlPath={control_dir}/%C",
                "-o", f"ControlPersist={CONTROL_PERSIST}", "-p", str(self.port)]  # fmt: skip
        if self.identity is not None:
            argv += ["-i", str(self.identity), "-o", "IdentitiesOnly=yes"]
        if self.known_hosts is not None:
            argv += ["-o", f"UserKnownHostsFile={self.known_hosts}", "-o", "StrictHostKeyChecking=yes"]
        if self.user is not None:
            argv += ["-l", self.user]
        return [*argv, self.host]


class LiveBootServer:
    """The ``pxe_server`` host *name*, serving PCs at *url*, reached over SSH at *ssh*."""

    def __init__(self, name: str, url: str, ssh: SshTarget) -> None:
        self.name = name
        self._url = url
        self.ssh = ssh
        self._control_dir = Path(tempfile.mkdtemp(prefix="schooltech-pxe-ssh-"))
        self._finalizer = weakref.finalize(self, _disconnect, ssh, self._control_dir)

    @property
    def url(self) -> str:
        return self._url

    def open(self, mac: str, script: str, answer: RenderedAnswer, token: str, grub_entry: str | None = None) -> None:
        """Open *token* with *answer* on the server, then serve *script* (and a Secure Boot PC's *grub_entry*,
        written under the role's TFTP root) to the PC *mac*."""
        entry = {"script": script, "answer": answer.text, "answer_name": answer.filename, "grub_entry": grub_entry}
        self._command(["open", "--", mac, token], stdin=json.dumps(entry))  # a token is never an option

    def close(self, mac: str) -> None:
        """Serve the PC the local-boot script again and close its open token, if any."""
        self._command(["close", mac])

    def wake(self, mac: str) -> None:
        """One magic packet for *mac* from the server to each served VLAN's broadcast address."""
        self._command(["wake", mac])

    def snapshot(self) -> BootSnapshot:
        """One ``schooltech-pxe status``: the MACs that fetched their script since their entry opened
        (nginx's request log) and the tokens called back."""
        status = self.status()
        return BootSnapshot(frozenset(status["asked"]), frozenset(status["called_back"]))

    def asked(self, mac: str) -> bool:
        """Whether the PC *mac* fetched its script since its entry was opened."""
        return normal_mac(mac) in self.snapshot().asked

    def called_back(self, token: str) -> bool:
        """Whether the installer holding *token* has called back."""
        return token in self.snapshot().called_back

    def status(self) -> dict[str, Any]:
        """``schooltech-pxe status``: MACs asked since their entry opened, tokens called back, open tokens."""
        return self._command(["status"])

    def connected(self) -> bool:
        """Whether the shared SSH connection is up (``ssh -O check``): the commands reuse it."""
        argv = [*self.ssh.argv(self._control_dir)[:-1], "-O", "check", self.ssh.host]
        return subprocess.run(argv, capture_output=True, timeout=10, check=False).returncode == 0

    def disconnect(self) -> None:
        """End the shared SSH connection (also done when this object is collected)."""
        self._finalizer()

    def _command(self, args: list[str], stdin: str = "") -> dict[str, Any]:
        remote = [PROGRAM, *args] if self.ssh.user == "root" else ["sudo", "-n", PROGRAM, *args]
        argv = [*self.ssh.argv(self._control_dir), "--", shlex.join(remote)]
        try:
            done = subprocess.run(argv, input=stdin, capture_output=True, text=True, timeout=_TIMEOUT, check=False)
        except subprocess.TimeoutExpired:
            raise ImagingError(f"boot server {self.name}: schooltech-pxe {args[0]} did not answer in {_TIMEOUT:.0f} s",
                               f"check that {self.ssh.host} is up and not overloaded") from None  # fmt: skip
        except FileNotFoundError:
            raise ImagingError("the ssh client is not installed", "install openssh-client") from None
        if done.returncode != 0:
            raise _failure(self.name, self.ssh, args[0], done.returncode, done.stderr.strip())
        try:
            result = json.loads(done.stdout)
        except json.JSONDecodeError:
            raise ImagingError(f"boot server {self.name}: schooltech-pxe {args[0]} answered {done.stdout[:200]!r}",
                               _ROLE_HINT) from None  # fmt: skip
        if not isinstance(result, dict):
            raise ImagingError(f"boot server {self.name}: schooltech-pxe {args[0]} answered {result!r}", _ROLE_HINT)
        return result


def _failure(name: str, ssh: SshTarget, command: str, code: int, stderr: str) -> ImagingError:
    """What a failed remote command means, with what to do about it."""
    last = stderr.splitlines()[-1] if stderr else "no message"
    where = f"{ssh.user + '@' if ssh.user else ''}{ssh.host}:{ssh.port}"
    if code == 255:
        return ImagingError(f"boot server {name} ({where}) cannot be reached over SSH: {last}",
                            "check that it is up, that this machine's key may log in and that its host key "
                            "is in known_hosts (connect once with ssh)")  # fmt: skip
    if code == 127 or "command not found" in stderr or "No such file" in stderr:
        return ImagingError(f"boot server {name} has no token service ({PROGRAM}): {last}", _ROLE_HINT)
    if "sudo" in stderr and ("password" in stderr or "not allowed" in stderr or "sudoers" in stderr):
        return ImagingError(f"boot server {name}: {ssh.user or 'the login'} may not run {PROGRAM} with sudo: {last}",
                            "give that user passwordless sudo there, or log in as root (ssh_user)")  # fmt: skip
    return ImagingError(f"boot server {name}: schooltech-pxe {command} failed: {last}",
                        "see the boot server's journal: journalctl -u schooltech-pxe")  # fmt: skip


def _disconnect(ssh: SshTarget, control_dir: Path) -> None:
    """Ask the SSH master to exit (if one runs) and remove its socket directory."""
    if any(control_dir.iterdir()):
        subprocess.run([*ssh.argv(control_dir)[:-1], "-O", "exit", ssh.host],
                       capture_output=True, timeout=10, check=False)  # fmt: skip
    shutil.rmtree(control_dir, ignore_errors=True)

"""Switch secrets never leave the switch: every secret value in text read from one becomes a placeholder.

``text(platform, value)`` is the one entry point. It takes a running config, or any text
that may quote its lines (a diff, a command list, an error message, a session log), and
replaces each secret *value* by ``<secret:3fa9c2d1>``: a fingerprint, the first 32 bits of
HMAC-SHA256 of the value under a random key kept in the state directory (``fingerprint.key``,
``0600``, made on first use). So:

* the same secret always gives the same placeholder: a backup commits only on real change,
  and a plan compares the running config with a backup line for line;
* a changed secret gives another placeholder, and shows as a change;
* nobody holding a backup (or a log) can test guesses offline: that takes the key.

Where a platform's CLI holds secrets is data (``platforms/<name>/secrets.py``); the keyword
and everything that is not a secret (the user name, the encryption type, an SNMP
community's access and ACL) stay byte for byte. A placeholder is never sent to a switch:
``SwitchSession.configure`` refuses a command that holds one (:func:`holds_placeholder`).
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re
import secrets
import threading
from functools import cache
from pathlib import Path

from .. import private
from ..errors import FleetError
from ..paths import state_dir
from .platforms import Platform

KEY_FILE = "fingerprint.key"
PLACEHOLDER = re.compile(r"<secret:[0-9a-f]{8}>")

# Where a statement may start in text that quotes one: a line (after a diff marker and
# indentation), a prompt ("SW(config-line)#"), a quote, or ": " / "; " in a message;
# "no" and "default" in front of it change nothing.
_STATEMENT_START = r"""(?:^[-+]?|(?<=[#'";:\r]))[ \t]*(?:(?:no|default) )?"""
_KEY_BYTES = 32
_keys: dict[Path, bytes] = {}
_keys_lock = threading.Lock()


class SecretKeyError(FleetError):
    """The key of the secrets' fingerprints cannot be read or made."""


def text(platform: Platform, value: str) -> str:
    """*value* with every secret of *platform*'s CLI replaced by its placeholder."""
    return Redactor(platform).text(value)


def holds_placeholder(value: str) -> bool:
    """Whether *value* holds a placeholder (and so not the secret a switch would need)."""
    return PLACEHOLDER.search(value) is not None


class Redactor:
    """The secrets of one platform, with the fingerprint key read once (for a stream: a session log)."""

    def __init__(self, platform: Platform) -> None:
        self._rules = _compiled(platform)
        self._key = fingerprint_key()

    def text(self, value: str) -> str:
        for rule in self._rules:
            value = rule.sub(self._hide_groups, value)
        return value

    def placeholder(self, secret: str) -> str:
        digest = hmac.new(self._key, secret.encode("utf-8", "surrogateescape"), hashlib.sha256).hexdigest()
        return f"<secret:{digest[:8]}>"

    def _hide_groups(self, match: re.Match[str]) -> str:
        whole, offset = match.group(0), match.start()
        spans = sorted(match.span(name) for name, found in match.groupdict().items()
                       if name.startswith("secret") and found is not None)  # fmt: skip
        pieces, done = [], 0
        for start, end in spans:
            pieces += [whole[done:start - offset], self._hide(whole[start - offset:end - offset])]
            done = end - offset
        return "".join([*pieces, whole[done:]])

    def _hide(self, value: str) -> str:
        quoted = len(value) >= 2 and value[0] == value[-1] == '"'
        inner = value[1:-1] if quoted else value
        if not inner or PLACEHOLDER.match(inner):
            return value  # already hidden: redacting twice changes nothing
        return f'"{self.placeholder(inner)}"' if quoted else self.placeholder(inner)


@cache
def _compiled(platform: Platform) -> tuple[re.Pattern[str], ...]:
    """The statement rules as one pattern (one pass over the text; at a statement start the first rule that
    matches wins, as rule order says), then each rule that may match anywhere."""
    statements = [_numbered(rule.pattern, n) for n, rule in enumerate(platform.secrets) if not rule.anywhere]
    anywhere = [rule.pattern for rule in platform.secrets if rule.anywhere]
    combined = [f"{_STATEMENT_START}(?:{'|'.join(f'(?:{p})' for p in statements)})"] if statements else []
    return tuple(re.compile(pattern, re.MULTILINE) for pattern in (*combined, *anywhere))


def _numbered(pattern: str, number: int) -> str:
    """*pattern* with its group names made unique among the platform's rules (``secret`` -> ``secret_r3``)."""
    return re.sub(r"\(\?P<(\w+)>", lambda m: f"(?P<{m.group(1)}_r{number}>", pattern)


def fingerprint_key() -> bytes:
    """The key of the fingerprints in this state directory, made (random, ``0600``) on first use."""
    path = state_dir() / KEY_FILE
    with _keys_lock:
        if path not in _keys:
            _keys[path] = _read_or_make(path)
        return _keys[path]


def _read_or_make(path: Path) -> bytes:
    try:
        return _read(path)
    except FileNotFoundError:
        pass
    # Written aside, then linked into place: a concurrent process either wins or reads the winner's key.
    made = path.with_name(f".{path.name}.{os.getpid()}-{threading.get_ident()}")
    fd = private.open_file(made, os.O_WRONLY | os.O_CREAT | os.O_EXCL)
    try:
        with os.fdopen(fd, "w", encoding="ascii") as handle:
            handle.write(secrets.token_hex(_KEY_BYTES) + "\n")
        os.link(made, path)
    except FileExistsError:
        pass
    finally:
        made.unlink(missing_ok=True)
    return _read(path)


def _read(path: Path) -> bytes:
    private.conform(path)
    try:
        key = bytes.fromhex(path.read_text(encoding="ascii").strip())
    except (ValueError, UnicodeDecodeError):
        key = b""
    if len(key) != _KEY_BYTES:
        raise SecretKeyError(
            f"{path} is not a fingerprint key (64 hexadecimal digits)",
            "remove it: a new one is made, and every secret's placeholder changes once "
            "(the next backup of each switch commits once)",
        )
    return key

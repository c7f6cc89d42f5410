"""How IOS stores passwords and secrets, and how it checks a typed password against them.

* type 0: clear text;
* type 7: the reversible Vigenere-style scrambling of ``service password-encryption``
  (``password 7 0822455D0A16``), also used for ``ntp authentication-key`` and server keys;
* type 5: md5-crypt (``$1$salt$hash``), what IOS 15.2 stores for ``secret PLAIN`` and
  what this emulator stores for a secret typed in the clear;
* type 8 (PBKDF2-SHA256) and type 9 (scrypt): accepted when configured pre-hashed.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

_TYPE7_KEY = b"dsfd;kfoA,.iyewrkldJKDHSUBsgvca69834ncxv9873254k;fg87"
_CRYPT_ALPHABET = "./0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
_BASE64_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
_TO_CISCO = str.maketrans(_BASE64_ALPHABET, _CRYPT_ALPHABET)
_MD5_SALT_LENGTH = 4
_MD5_ROUNDS = 1000
_TYPE8_ITERATIONS = 20_000
_SCRYPT = {"n": 2**14, "r": 1, "p": 1, "dklen": 32}
_TYPE7_OFFSETS = 16


def type7_encode(plain: str) -> str:
    """``service password-encryption`` scrambling; the offset is derived from the text (stable output)."""
    offset = sum(plain.encode()) % _TYPE7_OFFSETS
    scrambled = bytes(
        byte ^ _TYPE7_KEY[(offset + index) % len(_TYPE7_KEY)] for index, byte in enumerate(plain.encode())
    )
    return f"{offset:02d}" + scrambled.hex().upper()


def type7_decode(encoded: str) -> str | None:
    """The clear text of a type 7 string, or None if it is not one."""
    try:
        offset = int(encoded[:2])
        scrambled = bytes.fromhex(encoded[2:])
    except ValueError:
        return None
    plain = bytes(byte ^ _TYPE7_KEY[(offset + index) % len(_TYPE7_KEY)] for index, byte in enumerate(scrambled))
    return plain.decode(errors="replace")


def md5_crypt(password: str, salt: str | None = None) -> str:
    """IOS type 5: FreeBSD md5-crypt ``$1$SALT$HASH`` (a 4-character salt, as IOS uses)."""
    salt = salt or "".join(secrets.choice(_CRYPT_ALPHABET) for _ in range(_MD5_SALT_LENGTH))
    pw, salt_bytes, magic = password.encode(), salt.encode()[:8], b"$1$"
    alternate = hashlib.md5(pw + salt_bytes + pw).digest()
    context = hashlib.md5(pw + magic + salt_bytes)
    for index in range(len(pw)):
        context.update(alternate[index % 16 : index % 16 + 1])
    length = len(pw)
    while length:
        context.update(b"\0" if length & 1 else pw[:1])
        length >>= 1
    digest = context.digest()
    for round_number in range(_MD5_ROUNDS):
        step = hashlib.md5()
        step.update(pw if round_number & 1 else digest)
        if round_number % 3:
            step.update(salt_bytes)
        if round_number % 7:
            step.update(pw)
        step.update(digest if round_number & 1 else pw)
        digest = step.digest()
    groups = ((0, 6, 12), (1, 7, 13), (2, 8, 14), (3, 9, 15), (4, 10, 5))
    encoded = "".join(_crypt64((digest[a] << 16) | (digest[b] << 8) | digest[c], 4) for a, b, c in groups)
    encoded += _crypt64(digest[11], 2)
    return f"$1${salt_bytes.decode()}${encoded}"


def _crypt64(value: int, count: int) -> str:
    out = []
    for _ in range(count):
        out.append(_CRYPT_ALPHABET[value & 0x3F])
        value >>= 6
    return "".join(out)


def _cisco_base64(raw: bytes) -> str:
    return base64.b64encode(raw).decode().rstrip("=").translate(_TO_CISCO)


def hash_type9(password: str, salt: str) -> str:
    """IOS type 9: scrypt (N=16384, r=1, p=1) of the password with a 14-character salt."""
    derived = hashlib.scrypt(password.encode(), salt=salt.encode(), **_SCRYPT)
    return f"$9${salt}${_cisco_base64(derived)}"


def hash_type8(password: str, salt: str) -> str:
    """IOS type 8: PBKDF2-SHA256, 20000 iterations, 14-character salt."""
    derived = hashlib.pbkdf2_hmac("sha256", password.encode(), salt.encode(), _TYPE8_ITERATIONS, 32)
    return f"$8${salt}${_cisco_base64(derived)}"


def verify(password: str, kind: str, stored: str) -> bool:
    """Whether ``password`` matches a stored value of IOS type ``kind`` (``0``, ``5``, ``7``, ``8``, ``9``)."""
    if kind == "0":
        candidate = password
    elif kind == "7":
        candidate = type7_decode(stored) or ""
        return hmac.compare_digest(candidate.encode(), password.encode())
    elif kind in ("5", "8", "9") and stored.count("$") == 3:
        salt = stored.split("$")[2]
        candidate = {"5": md5_crypt, "8": hash_type8, "9": hash_type9}[kind](password, salt)
    else:
        return False
    return hmac.compare_digest(candidate.encode(), stored.encode())


_ALGORITHMS = {"md5": "5", "sha256": "8", "scrypt": "9"}
_SALT_LENGTH = 14


def stored_words(kind: str, words: list[str], *, encrypt: bool) -> list[str]:
    """The words of a configuration line as IOS stores it, secrets hashed or scrambled.

    ``kind`` names the line: ``secret`` (``enable secret``), ``password`` (``enable password``,
    a line's ``password``), ``username`` (either, with ``password 0 X`` shown with its 0),
    ``key`` (server keys) or ``ntp-key`` (``ntp authentication-key N md5 X``, always type 7).
    ``words`` is the whole line (keywords included); ``encrypt`` is whether ``service
    password-encryption`` is on.
    """
    words = list(words)
    if kind == "ntp-key":
        return _ntp_key(words)
    if kind in ("secret", "username"):
        words = _secret(words)
    if kind in ("password", "username"):
        words = _scrambled(words, "password", encrypt=encrypt, show_zero=kind == "username")
    if kind == "key":
        words = _scrambled(words, "key", encrypt=encrypt, show_zero=False)
    return words


def _secret(words: list[str]) -> list[str]:
    algorithm = None
    if "algorithm-type" in words:
        at = words.index("algorithm-type")
        algorithm = _ALGORITHMS.get(words[at + 1]) if at + 1 < len(words) else None
        del words[at : at + 2]
    if "secret" not in words:
        return words
    at = words.index("secret")
    value = words[at + 1 :]
    if len(value) == 2 and value[0] in ("5", "8", "9"):
        return words
    plain = value[1] if len(value) == 2 and value[0] == "0" else " ".join(value)
    if not plain:
        return words
    kind = algorithm or "5"
    salt = "".join(secrets.choice(_CRYPT_ALPHABET) for _ in range(_SALT_LENGTH))
    hashed = {"5": md5_crypt(plain), "8": hash_type8(plain, salt), "9": hash_type9(plain, salt)}[kind]
    return [*words[:at], "secret", kind, hashed]


def _scrambled(words: list[str], keyword: str, *, encrypt: bool, show_zero: bool) -> list[str]:
    if keyword not in words:
        return words
    at = words.index(keyword)
    value = words[at + 1 :]
    if len(value) >= 2 and value[0] == "7":
        return words
    plain = " ".join(value[1:] if len(value) >= 2 and value[0] == "0" else value)
    if not plain:
        return words
    if encrypt:
        return [*words[:at], keyword, "7", type7_encode(plain)]
    return [*words[:at], keyword, *(["0"] if show_zero else []), plain]


def _ntp_key(words: list[str]) -> list[str]:
    """``ntp authentication-key N md5 VALUE [7]``: IOS always keeps the value type 7."""
    if len(words) == 6 and words[-1] == "7":
        return words
    if len(words) >= 5:
        return [*words[:4], type7_encode(" ".join(words[4:])), "7"]
    return words

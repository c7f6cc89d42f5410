"""Who may log in over SSH, and at which privilege, according to the running-config.

Without any ``username`` line (a factory-default switch) the spec's user and password log
in, at privilege 15 unless the spec has an enable secret. Otherwise the vty range the
session lands on (``vty.py``) decides the method list:

* with ``aaa new-model``: the vty's ``login authentication LIST`` or ``default``, from
  ``aaa authentication login LIST METHOD...`` (an undefined ``default`` list means
  ``local``). TACACS+ and RADIUS servers never answer in the simulation, so ``group ...``,
  ``tacacs+`` and ``radius`` methods fall through to the next method; ``local`` (user name
  case-insensitive) and ``local-case`` check the running users and stop there, pass or fail;
  ``enable`` checks the enable secret, ``line`` the vty password, ``none`` lets anyone in.
  The privilege is the user's when ``aaa authorization exec`` (the vty's list or ``default``)
  lists ``local`` or ``if-authenticated``, else the vty's ``privilege level`` (default 1);
* without it: ``login`` checks the vty's ``password``; ``login local`` or no ``login`` line
  checks the running users, whose privilege applies.

A user's ``secret`` (types 0, 5, 8, 9) or ``password`` (types 0, 7) must match. Deleting a
user never ends an open session; it only refuses the next login.
"""

from __future__ import annotations

from dataclasses import dataclass

from schooltech_fleet.sim.switches.ios_passwords import verify
from schooltech_fleet.sim.switches.state import SwitchState
from schooltech_fleet.sim.switches.verbatim import VerbatimLine, find

MAX_PRIVILEGE = 15
DEFAULT_PRIVILEGE = 1
_SERVER_METHODS = ("group", "tacacs+", "radius")


@dataclass(frozen=True)
class Login:
    """A successful SSH login: who, at which privilege level."""

    username: str
    privilege: int


@dataclass(frozen=True)
class LocalUser:
    """A ``username`` line: privilege and stored secret (``kind`` None: ``nopassword``)."""

    name: str
    privilege: int
    kind: str | None
    value: str

    def accepts(self, password: str) -> bool:
        """Whether ``password`` matches the stored secret or password."""
        return self.kind is None or verify(password, self.kind, self.value)


def local_users(state: SwitchState) -> dict[str, LocalUser]:
    """The ``username`` lines of the running-config, by name."""
    users = {}
    for line in find(state.verbatim, "username"):
        words = line.words
        name, rest = words[1], words[2:]
        privilege = DEFAULT_PRIVILEGE
        kind: str | None = None
        value = ""
        for index, word in enumerate(rest):
            if word == "privilege" and index + 1 < len(rest) and rest[index + 1].isdigit():
                privilege = int(rest[index + 1])
            elif word in ("secret", "password"):
                kind, value = _typed_value(rest[index + 1 :])
                break
        users[name] = LocalUser(name, privilege, kind, value)
    return users


def _typed_value(words: list[str]) -> tuple[str, str]:
    """``[TYPE] VALUE`` after ``secret``/``password`` -> (type, value)."""
    if len(words) >= 2 and words[0].isdigit():
        return words[0], " ".join(words[1:])
    return "0", " ".join(words)


def authenticate(state: SwitchState, vty: VerbatimLine | None, username: str, password: str) -> Login | None:
    """The login a running-config with ``username`` lines grants, or None."""
    users = local_users(state)
    children = vty.children if vty is not None else []
    aaa = bool(find(state.verbatim, "aaa", "new-model"))
    for method in _login_methods(state, children, aaa):
        if method.startswith(_SERVER_METHODS):
            continue
        if method in ("local", "local-case"):
            user = _find_user(users, username, case_sensitive=method == "local-case")
            if user is None or not user.accepts(password):
                return None
            return Login(user.name, _privilege(state, children, aaa, user))
        passed = method == "none" or (method == "enable" and check_enable(state, password, None) is True)
        passed = passed or (method == "line" and _line_password_matches(children, password))
        return Login(username, _privilege(state, children, aaa, None)) if passed else None
    return None


def _login_methods(state: SwitchState, vty: list[VerbatimLine], aaa: bool) -> list[str]:
    logins = find(vty, "login")
    if not aaa:
        return ["line"] if logins and logins[0].words == ["login"] else ["local"]
    named = [line.words[2] for line in logins if line.words[:2] == ["login", "authentication"] and len(line.words) > 2]
    list_name = named[0] if named else "default"
    for line in find(state.verbatim, "aaa", "authentication", "login", list_name):
        return _methods(line.words[4:])
    return ["local"] if list_name == "default" else []


def _methods(words: list[str]) -> list[str]:
    """``group tacacs+ local`` -> ``["group tacacs+", "local"]``."""
    methods: list[str] = []
    for word in words:
        if methods and methods[-1] == "group":
            methods[-1] = f"group {word}"
        else:
            methods.append(word)
    return methods


def _find_user(users: dict[str, LocalUser], username: str, *, case_sensitive: bool) -> LocalUser | None:
    if case_sensitive:
        return users.get(username)
    return next((user for name, user in users.items() if name.lower() == username.lower()), None)


def _privilege(state: SwitchState, vty: list[VerbatimLine], aaa: bool, user: LocalUser | None) -> int:
    line_level = next((int(line.words[2]) for line in find(vty, "privilege", "level") if len(line.words) > 2),
                      DEFAULT_PRIVILEGE)  # fmt: skip
    if user is None:
        return line_level
    if not aaa:
        return user.privilege
    named = [line.words[2] for line in find(vty, "authorization", "exec") if len(line.words) > 2]
    list_name = named[0] if named else "default"
    for line in find(state.verbatim, "aaa", "authorization", "exec", list_name):
        if {"local", "if-authenticated"} & set(line.words[4:]):
            return user.privilege
    return line_level


def _line_password_matches(vty: list[VerbatimLine], password: str) -> bool:
    for line in find(vty, "password"):
        kind, value = _typed_value(line.words[1:])
        return verify(password, kind, value)
    return False


def check_enable(state: SwitchState, typed: str, spec_secret: str | None) -> bool | None:
    """Whether ``typed`` is the enable secret (running ``enable secret``/``password``, else the spec's).

    None when no enable password is set at all (IOS answers ``% No password set``).
    """
    for keyword in ("secret", "password"):
        for line in find(state.verbatim, "enable", keyword):
            kind, value = _typed_value(line.words[2:])
            return verify(typed, kind, value)
    if spec_secret is None:
        return None
    return typed == spec_secret

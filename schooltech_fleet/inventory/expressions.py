"""What a Jinja expression of a school file may hold, and how it is evaluated.

The ``ansible:`` section of a school file holds Jinja expressions (``compose`` values,
``groups`` conditions, ``keyed_groups`` keys). Ansible would evaluate them on the
controller, where ``lookup('pipe', ...)`` runs any command, so an expression is never
handed to Ansible: it is parsed here, checked against an allow-list, compiled from the
very tree that was checked and evaluated in a sandbox; Ansible receives the results as
plain data.

The allow-list (anything else is refused, with the reason):

- variables of the inventory (:data:`.variables.READABLE` and the names composed in the
  same file) and constants: text, numbers, ``true``, ``false``, ``none``;
- ``.name`` and ``[constant]`` access to keys and list items (never a Python attribute,
  never a name starting with ``_``), slices with constant bounds;
- comparisons, ``and``/``or``/``not``, ``+ - * / // %`` on numbers, ``~`` (join text),
  ``x if c else y``, lists, tuples and mappings;
- the filters in :data:`FILTERS` and the tests in :data:`TESTS` (pure functions of data);
  a regular expression written as a constant must compile.

Refused: calls of any kind (``f(...)``, so no ``lookup``/``query``/``q`` however they are
spelt or aliased), Jinja's globals (``self``, ``cycler``, ``joiner``, ``namespace``,
``lipsum``, ``range``, ``dict``), ``**``, ``'...' % x`` string formatting, other filters
and tests, computed subscripts. The sandbox (an ``ImmutableSandboxedEnvironment`` without
globals, where attribute access reaches only mapping keys and nothing is callable) bounds
what the allow-list lets through: every text or list an expression builds stays below
:data:`MAX_SIZE`, ``%`` works on numbers only, and a value holds no control character or
template delimiter. A regular expression can still backtrack for a long time: that costs
time, and runs nothing.
"""

from __future__ import annotations

import difflib
import math
import re
from collections.abc import Callable, Collection, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from jinja2 import nodes
from jinja2.exceptions import SecurityError, TemplateSyntaxError, UndefinedError
from jinja2.parser import Parser
from jinja2.runtime import Context, StrictUndefined, Undefined
from jinja2.sandbox import ImmutableSandboxedEnvironment

from .safety import unsafe_reason

MAX_LENGTH = 1000
"""The longest expression accepted, in characters."""

MAX_SIZE = 100_000
"""The most characters and items any value an expression builds may hold, all nesting counted."""

HINT = "compose from the inventory's variables with operators, filters and tests (docs/inventory.md, 'Expressions')"

_LOOKUPS = frozenset({"lookup", "query", "q"})
_GLOBALS = frozenset(
    {"self", "cycler", "joiner", "namespace", "lipsum", "range", "dict", "loop", "caller", "varargs", "kwargs",
     "vars", "hostvars", "now", "undef", "omit", "environment"}
)  # fmt: skip


def _regex_replace(
    value: Any = "",
    pattern: str = "",
    replacement: str = "",
    ignorecase: bool = False,
    multiline: bool = False,
    count: int = 0,
    mandatory_count: int = 0,
) -> str:
    """Ansible's ``regex_replace``: ``re.sub`` over the text of *value*."""
    flags = (re.IGNORECASE if ignorecase else 0) | (re.MULTILINE if multiline else 0)
    output, subs = re.compile(pattern, flags).subn(replacement, str(value), count=count)
    if mandatory_count and mandatory_count != subs:
        raise ValueError(f"{pattern!r} should match {mandatory_count} times, but matches {subs} times")
    return output


def _regex_test(kind: str) -> Callable[..., bool]:
    def test(value: Any, pattern: str = "", ignorecase: bool = False, multiline: bool = False) -> bool:
        flags = (re.IGNORECASE if ignorecase else 0) | (re.MULTILINE if multiline else 0)
        compiled = re.compile(pattern, flags)
        return bool(compiled.match(str(value)) if kind == "match" else compiled.search(str(value)))

    test.__name__ = kind
    return test


_JINJA_FILTERS = (
    "default", "d", "lower", "upper", "capitalize", "title", "trim", "replace", "length", "count", "first",
    "last", "join", "string", "int", "float", "abs", "round", "list", "sort", "unique", "min", "max",
)  # fmt: skip
_JINJA_TESTS = (
    "defined", "undefined", "none", "boolean", "true", "false", "integer", "float", "number", "string",
    "mapping", "sequence", "in", "eq", "equalto", "==", "ne", "!=", "lt", "lessthan", "<", "le", "<=", "gt",
    "greaterthan", ">", "ge", ">=", "odd", "even", "divisibleby", "lower", "upper",
)  # fmt: skip

FILTERS: frozenset[str] = frozenset({*_JINJA_FILTERS, "regex_replace"})
"""The filters an expression may use: Jinja's pure ones and Ansible's ``regex_replace``."""

TESTS: frozenset[str] = frozenset({*_JINJA_TESTS, "match", "search"})
"""The tests an expression may use: Jinja's and Ansible's ``match`` and ``search``."""


@dataclass(frozen=True)
class Refusal:
    """Why an expression may not be used, and what to write instead."""

    message: str
    hint: str = HINT
    rank: int = 9  # of several reasons, the lowest rank is the one reported: the most telling


_SANDBOX_HINT = (
    f"an expression may build at most {MAX_SIZE:,} characters and items, and no text with a control character "
    "or a template delimiter"
)


class EvaluationError(Exception):
    """An expression could not be evaluated for one host (an undefined variable, a wrong type, ...)."""

    def __init__(self, message: str, *, fatal: bool = False, hint: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.fatal = fatal  # an error whatever ``strict`` says (the sandbox stopped it)
        self.hint = hint


# --- checking ---------------------------------------------------------------------------


def parse(source: str) -> nodes.Expr | Refusal:
    """The expression tree of *source*, exactly as Jinja compiles it, or why it is not one."""
    if len(source) > MAX_LENGTH:
        return Refusal(f"the expression is {len(source)} characters long; at most {MAX_LENGTH} are allowed",
                       "split it into several composed variables")  # fmt: skip
    try:
        parser = Parser(_SANDBOX, source, state="variable")
        expr = parser.parse_expression()
        if not parser.stream.eos:
            raise TemplateSyntaxError("unexpected text after the expression", parser.stream.current.lineno)
    except TemplateSyntaxError as exc:
        return Refusal(f"not a Jinja expression: {exc.message}", "write one expression, e.g. room ~ '-' ~ device_role")
    except RecursionError:
        return Refusal("the expression is nested too deeply", "split it into several composed variables")
    return expr


def refusals(expr: nodes.Expr, variables: Collection[str]) -> list[Refusal]:
    """Every reason *expr* may not be used, given the *variables* a host may have; the most telling first."""
    return sorted(_refuse(expr, variables), key=lambda refusal: refusal.rank)


def _refuse(node: nodes.Node, variables: Collection[str]) -> Iterator[Refusal]:
    check = _RULES.get(type(node))
    if check is None:
        yield Refusal(f"{_describe(node)} is not allowed in an inventory expression")
        return
    yield from check(node, variables)
    for child in node.iter_child_nodes():
        yield from _refuse(child, variables)


def _describe(node: nodes.Node) -> str:
    return "'**'" if isinstance(node, nodes.Pow) else f"a {type(node).__name__} node"


def _name(node: nodes.Name, variables: Collection[str]) -> Iterator[Refusal]:
    name = node.name
    if name in variables:
        return
    if name in _LOOKUPS:
        yield Refusal(
            f"'{name}' is Ansible's lookup function: it runs on the Ansible controller (a pipe lookup runs any "
            f"command there, a file lookup reads any file), so an inventory expression may not name it",
            rank=0,
        )
    elif name in _GLOBALS:
        yield Refusal(f"'{name}' is a template global, not a variable of the inventory: through it a template "
                      "reaches Python's internals", rank=2)  # fmt: skip
    elif name.startswith("_"):
        yield Refusal(f"'{name}': names starting with '_' are not allowed")
    else:
        close = difflib.get_close_matches(name, sorted(variables), n=1)
        yield Refusal(
            f"'{name}' is not a variable of the inventory",
            f"did you mean {close[0]!r}?" if close else "docs/inventory.md lists the resolved variables",
        )


def _call(node: nodes.Call, variables: Collection[str]) -> Iterator[Refusal]:
    yield Refusal(
        "calls are not allowed in an inventory expression: a call can run code on the Ansible controller "
        "(lookup('pipe', ...) however it is spelt or aliased)",
        "use operators, filters (x | lower) and tests (x is defined) instead",
        rank=1,
    )


def _getattr(node: nodes.Getattr, variables: Collection[str]) -> Iterator[Refusal]:
    if node.attr.startswith("_"):
        yield Refusal(f"'.{node.attr}' reaches Python's internals: keys starting with '_' are not allowed", rank=3)


def _getitem(node: nodes.Getitem, variables: Collection[str]) -> Iterator[Refusal]:
    arg = node.arg
    if isinstance(arg, nodes.Slice):
        if not all(part is None or _constant_int(part) for part in (arg.start, arg.stop, arg.step)):
            yield Refusal("slice bounds must be constant numbers", "write x[0:3]")
    elif isinstance(arg, nodes.Const) and isinstance(arg.value, str):
        if arg.value.startswith("_"):
            yield Refusal(f"[{arg.value!r}] reaches Python's internals: keys starting with '_' are not allowed", rank=3)
    elif not _constant_int(arg):
        yield Refusal("a subscript must be a constant: a number, a slice or a key such as ['name']",
                      "computed keys can reach anything; name the key")  # fmt: skip


def _constant_int(node: nodes.Node) -> bool:
    if isinstance(node, nodes.Neg):
        node = node.node
    return isinstance(node, nodes.Const) and type(node.value) is int


def _const(node: nodes.Const, variables: Collection[str]) -> Iterator[Refusal]:
    if not isinstance(node.value, (str, int, float, bool, type(None))):
        yield Refusal(f"the constant {node.value!r} is not allowed")


def _filter(node: nodes.Filter, variables: Collection[str]) -> Iterator[Refusal]:
    if node.name not in FILTERS:
        yield Refusal(f"the filter '{node.name}' is not allowed", f"allowed filters: {', '.join(sorted(FILTERS))}")
    yield from _no_unpacking(node)
    yield from _regular_expression(node)


def _test(node: nodes.Test, variables: Collection[str]) -> Iterator[Refusal]:
    if node.name not in TESTS:
        yield Refusal(f"the test '{node.name}' is not allowed", f"allowed tests: {', '.join(sorted(TESTS))}")
    yield from _no_unpacking(node)
    yield from _regular_expression(node)


def _regular_expression(node: nodes.Filter | nodes.Test) -> Iterator[Refusal]:
    if node.name in _REGEX_USERS and node.args and isinstance(node.args[0], nodes.Const):
        pattern = node.args[0].value
        try:
            re.compile(pattern)
        except (re.error, TypeError) as exc:
            yield Refusal(f"{pattern!r} is not a regular expression: {exc}", "write a Python regular expression")


_REGEX_USERS = frozenset({"regex_replace", "match", "search"})


def _no_unpacking(node: nodes.Filter | nodes.Test) -> Iterator[Refusal]:
    if node.dyn_args is not None or node.dyn_kwargs is not None:
        yield Refusal("*args and **kwargs are not allowed", "write each argument")


def _mod(node: nodes.Mod, variables: Collection[str]) -> Iterator[Refusal]:
    if isinstance(node.left, nodes.Const) and isinstance(node.left.value, str):
        yield Refusal("string formatting ('...' % x) is not allowed: it can reach into values",
                      "join text with ~, e.g. 'lab-' ~ room")  # fmt: skip


def _allowed(node: nodes.Node, variables: Collection[str]) -> Iterator[Refusal]:
    return iter(())


_Rule = Callable[[Any, Collection[str]], Iterator[Refusal]]
_RULES: dict[type[nodes.Node], _Rule] = {
    nodes.Name: _name,
    nodes.Const: _const,
    nodes.Call: _call,
    nodes.Getattr: _getattr,
    nodes.Getitem: _getitem,
    nodes.Filter: _filter,
    nodes.Test: _test,
    nodes.Mod: _mod,
    **{
        kind: _allowed
        for kind in (
            nodes.Tuple,
            nodes.List,
            nodes.Dict,
            nodes.Pair,
            nodes.Keyword,
            nodes.CondExpr,
            nodes.Compare,
            nodes.Operand,
            nodes.And,
            nodes.Or,
            nodes.Not,
            nodes.Neg,
            nodes.Pos,
            nodes.Add,
            nodes.Sub,
            nodes.Mul,
            nodes.Div,
            nodes.FloorDiv,
            nodes.Concat,
            nodes.Slice,
        )
    },
}
# nodes.Call and nodes.Pow are refused; every node type not listed is refused too


# --- evaluating -------------------------------------------------------------------------


class Compiled:
    """One checked expression, compiled from the tree that was checked."""

    def __init__(self, source: str, expr: nodes.Expr) -> None:
        self.source = source
        body = [nodes.Assign(nodes.Name("result", "store"), expr, lineno=1)]
        self._template = _SANDBOX.from_string(nodes.Template(body, lineno=1))

    def __call__(self, variables: Mapping[str, Any]) -> Any:
        """The value of the expression for a host with *variables*, as plain data."""
        try:
            context = self._template.new_context(dict(variables))
            for _ in self._template.root_render_func(context):
                pass
            return plain(context.vars["result"])
        except SecurityError as exc:
            raise EvaluationError(str(exc), fatal=True, hint=_SANDBOX_HINT) from None
        except (UndefinedError, RecursionError) as exc:
            raise EvaluationError(str(exc) or type(exc).__name__) from None
        except Exception as exc:  # a filter may raise anything: this host's value fails, nothing else
            raise EvaluationError(f"{type(exc).__name__}: {exc}") from None


def compile_expression(source: str, variables: Collection[str]) -> Compiled | list[Refusal]:
    """*source* compiled for the sandbox, or every reason it may not be used.

    The tree that is checked is the tree that is compiled: nothing is parsed twice.
    """
    expr = parse(source)
    if isinstance(expr, Refusal):
        return [expr]
    return refusals(expr, variables) or Compiled(source, expr)


def plain(value: Any) -> Any:
    """*value* as JSON data (lists, mappings with text keys, text, numbers, booleans, null), bounded in size."""
    budget = [MAX_SIZE]
    return _plain(value, budget)


def _plain(value: Any, budget: list[int]) -> Any:
    budget[0] -= 1
    if budget[0] < 0:
        raise SecurityError(f"the value is larger than {MAX_SIZE} characters and items")
    if isinstance(value, Undefined):
        str(value)  # a StrictUndefined (or the sandbox's unsafe one) raises the error naming what is missing
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"{value} is not a finite number")
        return float(value)
    if isinstance(value, str):
        budget[0] -= len(value)
        if budget[0] < 0:
            raise SecurityError(f"the value is larger than {MAX_SIZE} characters and items")
        reason = unsafe_reason(value, multiline=True)
        if reason:
            raise SecurityError(f"the text {value[:40]!r} {reason}")
        return str(value)
    if isinstance(value, Mapping):
        out: dict[str, Any] = {}
        for key, item in value.items():
            if not isinstance(key, str):
                raise ValueError(f"a mapping key must be text, not {key!r}")
            out[_plain(key, budget)] = _plain(item, budget)
        return out
    if isinstance(value, (list, tuple)) or _is_iterator(value):
        return [_plain(item, budget) for item in value]
    raise ValueError(f"{type(value).__name__} is not data an inventory variable may hold")


def _is_iterator(value: Any) -> bool:
    return isinstance(value, Iterator)


class _Sandbox(ImmutableSandboxedEnvironment):
    """Jinja's immutable sandbox, narrowed to data: no globals, no calls, no Python attributes."""

    intercepted_binops = frozenset({"*", "%", "**"})

    def __init__(self) -> None:
        super().__init__(undefined=StrictUndefined, autoescape=False)
        self.globals.clear()
        jinja_filters, jinja_tests = self.filters, self.tests
        self.filters = {name: _bounded(jinja_filters[name]) for name in _JINJA_FILTERS}
        self.filters["regex_replace"] = _bounded(_regex_replace)
        self.tests = {name: jinja_tests[name] for name in _JINJA_TESTS}
        self.tests |= {"match": _regex_test("match"), "search": _regex_test("search")}

    def is_safe_callable(self, obj: Any) -> bool:
        return False

    def getattr(self, obj: Any, attribute: str) -> Any:
        return self.getitem(obj, attribute)

    def getitem(self, obj: Any, argument: Any) -> Any:
        if isinstance(argument, str) and argument.startswith("_"):
            raise SecurityError(f"key {argument!r} starts with '_'")
        if isinstance(obj, Mapping):
            if isinstance(argument, (str, int)) and argument in obj:
                return obj[argument]
        elif isinstance(obj, (list, tuple, str)) and isinstance(argument, (int, slice)):
            try:
                return obj[argument]
            except IndexError:
                pass
        return self.undefined(obj=obj, name=argument)

    def call_binop(self, context: Context, operator: str, left: Any, right: Any) -> Any:
        if operator == "**":
            raise SecurityError("'**' is not allowed")
        if operator == "%" and not _numbers(left, right):
            raise SecurityError("string formatting ('...' % x) is not allowed")
        if operator == "*" and not _numbers(left, right):
            sequence, times = (left, right) if isinstance(right, int) else (right, left)
            if isinstance(sequence, (str, list, tuple)) and isinstance(times, int) and len(sequence) * times > MAX_SIZE:
                raise SecurityError(f"the value is larger than {MAX_SIZE} characters and items")
        return _bounded_value(self.binop_table[operator](left, right))


def _numbers(*values: Any) -> bool:
    return all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in values)


def _bounded(function: Callable[..., Any]) -> Callable[..., Any]:
    """*function*, refusing a result larger than :data:`MAX_SIZE` (``x | replace('', y)`` grows fast)."""

    def bounded(*args: Any, **kwargs: Any) -> Any:
        return _bounded_value(function(*args, **kwargs))

    for attribute in ("jinja_pass_arg", "__name__", "__doc__"):
        if hasattr(function, attribute):
            setattr(bounded, attribute, getattr(function, attribute))
    return bounded


def _bounded_value(value: Any) -> Any:
    if _is_iterator(value):
        value = list(_take(value))
    if isinstance(value, (str, list, tuple, dict)) and _size(value) > MAX_SIZE:
        raise SecurityError(f"the value is larger than {MAX_SIZE} characters and items")
    return value


def _take(items: Iterator[Any]) -> Iterator[Any]:
    for n, item in enumerate(items):
        if n >= MAX_SIZE:
            raise SecurityError(f"the value is larger than {MAX_SIZE} characters and items")
        yield item


def _size(value: Any, limit: int = MAX_SIZE) -> int:
    """Characters and items in *value*, counted until *limit* is passed."""
    total, pending = 0, [value]
    while pending and total <= limit:
        item = pending.pop()
        total += 1
        if isinstance(item, str):
            total += len(item)
        elif isinstance(item, Mapping):
            pending.extend(item.keys())
            pending.extend(item.values())
        elif isinstance(item, (list, tuple)):
            pending.extend(item)
    return total


_SANDBOX = _Sandbox()

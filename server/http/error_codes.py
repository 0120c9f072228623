"""Which error codes each route can answer with, read from the server's source.

Every function and method of the server is indexed with the codes it raises itself (a domain error or `problem(…)`
given `code="…"`, or a domain error without one, which travels as its status's name) and what it calls. A route's
codes are those reachable from its handler, plus those every route can give (the error handlers, the guards and
the session, the framework's own errors). Calls are followed by what the source says: `self.name` within the
class, a module's function through its import, a class to its `__init__`, a collaborator's method
(`self._audit.record`, `services.booking.book`) to every server method of that name (a few too many rather than
one missing), and a local value's method to the domain's methods of that name (`page.after`; a dict's `update`
is not the server's). `tests/conftest.py` checks every problem answer the suite sees against its route's list.
"""

from __future__ import annotations

import ast
import re
from collections import defaultdict
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from functools import cache
from http import HTTPStatus
from pathlib import Path
from typing import Any

from server.domain import errors as domain_errors
from server.domain import states
from server.domain.errors import Conflict
from server.http.errors import FRAMEWORK_CODES

SERVER = Path(__file__).resolve().parent.parent
# Run around every route (error handlers, guards and the caller's session).
EVERY_ROUTE = ("server.http.errors", "server.http.input_errors", "server.http.security")
# Where a service is reached from: its own attributes, and the services a route handler is given.
COLLABORATORS = {"self", "services"}

Code = tuple[int, str]  # (HTTP status, code; `{}` where an f-string puts a value)
STEP_MAKER = "server.domain.states._step"
# The state machines' steps: a refused one is a 409 `<kind>_<event>_not_allowed` (the code is made in `_step`).
STEPS: dict[str, tuple[str, Mapping[tuple[Any, str], Any]]] = {
    "request_after": ("request", states.REQUEST_TRANSITIONS),
    "offer_after": ("offer", states.OFFER_TRANSITIONS),
    "session_after": ("session", states.SESSION_TRANSITIONS),
}


def _status_of_error_classes() -> dict[str, int]:
    """Each domain error class (subclasses defined by services too) by name, with its status."""
    found: dict[str, int] = {}
    todo = [domain_errors.DomainError]
    while todo:
        cls = todo.pop()
        found[cls.__name__] = cls.status
        todo.extend(cls.__subclasses__())
    return found


@dataclass
class _Function:
    codes: set[Code] = field(default_factory=set)
    calls: set[str] = field(default_factory=set)  # qualified names, or "*.name" for a method of any class


@dataclass
class _Index:
    functions: dict[str, _Function]
    methods: dict[str, list[str]]  # a method's name -> the qualified names of every method so named
    classes: set[str]


def _module_name(path: Path) -> str:
    parts = path.relative_to(SERVER.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(tree: ast.Module) -> dict[str, str]:
    """Local name -> what it names, qualified ("q" -> "server.db.booking", "replayed" -> "server....replayed")."""
    found: dict[str, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                local = alias.asname or alias.name.split(".")[0]
                found[local] = alias.name if alias.asname else local
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:  # the server's are absolute
            for alias in node.names:
                found[alias.asname or alias.name] = f"{node.module}.{alias.name}"
    return found


def _definitions(tree: ast.Module, module: str) -> Iterator[tuple[str, str | None, ast.AST]]:
    """(qualified name, its class's qualified name or None, node) of every top-level function and method."""
    for node in tree.body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            yield f"{module}.{node.name}", None, node
        elif isinstance(node, ast.ClassDef):
            owner = f"{module}.{node.name}"
            for item in node.body:
                if isinstance(item, ast.FunctionDef | ast.AsyncFunctionDef):
                    yield f"{owner}.{item.name}", owner, item


def _literal(node: ast.expr | None) -> str | None:
    """A code as written: a string, or an f-string with `{}` where its values go (`too_many_codes_{}`)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return "".join(str(v.value) if isinstance(v, ast.Constant) else "{}" for v in node.values)
    return None


def _codes_of(node: ast.Call, errors: dict[str, int]) -> list[Code]:
    name = node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", "")
    if name in STEPS:  # a state machine's step refused: `session_cancel_not_allowed`
        kind, table = STEPS[name]
        event = _literal(node.args[1]) if len(node.args) > 1 else None
        events = [event] if event and "{}" not in event else sorted({e for _, e in table})
        return [(Conflict.status, f"{kind}_{e}_not_allowed") for e in events]
    code = _literal(next((k.value for k in node.keywords if k.arg == "code"), None))
    if name in errors:
        status = errors[name]
        return [(status, code or HTTPStatus(status).name.lower())]
    if name == "problem" and code and node.args and isinstance(node.args[0], ast.Constant):
        return [(int(str(node.args[0].value)), code)]
    return []


def _root(node: ast.expr) -> str:
    """The name an attribute chain starts from: `self` in `self._audit.record`."""
    while isinstance(node, ast.Attribute):
        node = node.value
    return node.id if isinstance(node, ast.Name) else ""


def _callee(node: ast.Call, module: str, owner: str | None, imports: dict[str, str]) -> str | None:
    func = node.func
    found = None
    if isinstance(func, ast.Name):
        if func.id not in STEPS:  # a step's codes are the call's own (see `_codes_of`)
            found = imports.get(func.id, f"{module}.{func.id}")
    elif isinstance(func, ast.Attribute):
        base = func.value
        if isinstance(base, ast.Name) and base.id in ("self", "cls") and owner is not None:
            found = f"{owner}.{func.attr}|*.{func.attr}"  # the class's own, else (a base class's) any so named
        elif isinstance(base, ast.Name) and base.id in imports:
            found = f"{imports[base.id]}.{func.attr}"  # a module's function, or a server class's own method
        elif isinstance(base, ast.Attribute) and _root(base) in COLLABORATORS:
            found = f"*.{func.attr}"  # a collaborator's method: self._audit.record, services.booking.book
        else:  # a method of a local value: a domain value's (page.after), else a dict's or a list's (not ours)
            found = f"server.domain*.{func.attr}"
    return found


@cache
def _index() -> _Index:
    errors = _status_of_error_classes()
    functions: dict[str, _Function] = {}
    methods: dict[str, list[str]] = defaultdict(list)
    classes: set[str] = set()
    for path in sorted(SERVER.rglob("*.py")):
        module = _module_name(path)
        tree = ast.parse(path.read_text(encoding="utf-8"))
        imports = _imports(tree)
        for name, owner, node in _definitions(tree, module):
            function = functions.setdefault(name, _Function())
            if name == STEP_MAKER:
                continue  # its code is made from its callers' steps (see `STEPS`)
            if owner is not None:
                methods[name.rsplit(".", 1)[1]].append(name)
                classes.add(owner)
            for call in ast.walk(node):  # nested functions and lambdas count as their enclosing function's
                if not isinstance(call, ast.Call):
                    continue
                function.codes.update(_codes_of(call, errors))
                callee = _callee(call, module, owner, imports)
                if callee is not None:
                    function.calls.add(callee)
    return _Index(functions, dict(methods), classes)


def _resolve(callee: str, index: _Index) -> list[str]:
    """The functions a call may reach: the first alternative that names something in the server (a class: its
    `__init__` and `__post_init__`)."""
    for choice in callee.split("|"):
        prefix, star, name = choice.partition("*.")
        if star:
            found = [m for m in index.methods.get(name, []) if m.startswith(prefix)]
        elif choice in index.classes:
            found = [m for m in (f"{choice}.__init__", f"{choice}.__post_init__") if m in index.functions]
        else:
            found = [choice] if choice in index.functions else []
        if found:
            return found
    return []


def _reachable(starts: list[str]) -> set[Code]:
    index = _index()
    seen: set[str] = set()
    todo = [name for name in starts if name in index.functions]
    codes: set[Code] = set()
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        function = index.functions[name]
        codes |= function.codes
        for callee in function.calls:
            todo.extend(n for n in _resolve(callee, index) if n not in seen)
    return codes


@cache
def every_route() -> frozenset[Code]:
    """The codes any route can answer with."""
    starts = [name for name in _index().functions if name.rsplit(".", 1)[0] in EVERY_ROUTE]
    starts += [name for name in _index().functions if name.rsplit(".", 2)[0] in EVERY_ROUTE]  # methods
    return frozenset(_reachable(starts) | set(FRAMEWORK_CODES))


@cache
def of_handler(qualified_name: str) -> dict[int, tuple[str, ...]]:
    """The codes a route handler (its function's module and qualified name) can answer with, by status."""
    by_status: dict[int, set[str]] = defaultdict(set)
    for status, code in _reachable([qualified_name]) | every_route():
        by_status[status].add(code)
    return {status: tuple(sorted(codes)) for status, codes in sorted(by_status.items())}


def matches(code: str, listed: tuple[str, ...]) -> bool:
    """`code` is one of `listed`, or fits one made with an f-string."""
    return code in listed or any(
        "{}" in c and re.fullmatch(".+".join(re.escape(p) for p in c.split("{}")), code) for c in listed
    )


def shown(code: str) -> str:
    """A code as the OpenAPI document shows it: an f-string's values as `…`."""
    return code.replace("{}", "…")


@cache
def codes_by_status() -> dict[int, tuple[str, ...]]:
    """Every error code in the server's source, by the HTTP status it is sent with."""
    by_status: dict[int, set[str]] = defaultdict(set)
    for function in _index().functions.values():
        for status, code in function.codes:
            by_status[status].add(code)
    for status, code in every_route():
        by_status[status].add(code)
    return {status: tuple(sorted(codes)) for status, codes in sorted(by_status.items())}

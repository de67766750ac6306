"""Extension points: one small registry type, keyed by the word a user writes in thesis.yml.

Rule kinds (``checks[].kind``), claim kinds (``claims[].kind``), data sources
(``series.<id>.source``) and the chart builders for rule and claim kinds are each a
:class:`Registry`. Built-ins register exactly as plugins do, with their decorator; a key
registered twice is an error naming who registered it first.

A plugin (a ``.py`` file named under ``plugins:``) registers while its thesis loads it,
inside :func:`collecting`: its entries go into that thesis' :class:`PluginScope`, not into
the registry itself, so a plugin's kind never shows up in the schema, the rules page or the
validation of another thesis built later in the same process. Code that serves one thesis
reads ``registry.view(thesis.plugins)``: the built-ins plus that thesis' plugins.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, Generic, TypeVar

from pydantic import ValidationError

T = TypeVar("T")

#: modules under this prefix are built-ins: they register globally even while a plugin loads
BUILTIN_PREFIX = "generator."


class PluginScope:
    """What the plugins of one thesis registered, per registry."""

    def __init__(self) -> None:
        self._tables: dict[int, dict[str, tuple[Any, str]]] = {}

    def table(self, registry: Registry[Any]) -> dict[str, tuple[Any, str]]:
        return self._tables.setdefault(id(registry), {})


_ACTIVE: ContextVar[PluginScope | None] = ContextVar("plugin_scope", default=None)


@contextmanager
def collecting(scope: PluginScope) -> Iterator[PluginScope]:
    """Plugins imported inside this block register into ``scope``."""
    token = _ACTIVE.set(scope)
    try:
        yield scope
    finally:
        _ACTIVE.reset(token)


class Registry(Mapping[str, T], Generic[T]):
    """Entries keyed by the word a thesis writes; reads as a mapping of the built-ins."""

    def __init__(self, what: str) -> None:
        self.what = what  # "rule kind", "claim kind", "source"...
        #: the built-in entries (and those registered by code outside any plugin scope)
        self.builtin: dict[str, T] = {}
        self._owners: dict[str, str] = {}

    def register(self, key: str, entry: T, module: str) -> T:
        """Add ``entry`` under ``key``; ``module`` is who registers it (for the error)."""
        scope = _ACTIVE.get()
        if scope is not None and not module.startswith(BUILTIN_PREFIX):
            table = scope.table(self)
            owner = self._owners.get(key) or table.get(key, (None, None))[1]
            if owner is None:
                table[key] = (entry, module)
                return entry
        else:
            owner = self._owners.get(key)
            if owner is None:
                self.builtin[key] = entry
                self._owners[key] = module
                return entry
        raise ValueError(f"{self.what} {key!r} is already registered by {owner}")

    def decorator(
        self, key: str, make: Callable[[Any], T] | None = None, *, documented: bool = False
    ) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
        """``@registry.decorator(key)``: register the function (or ``make(fn)``) under key;
        ``documented``: the function's docstring is the kind's user documentation, so a
        function without one is refused (rule, claim and forecast kinds)."""

        def register(fn: Callable[..., Any]) -> Callable[..., Any]:
            if documented:
                require_doc(self.what, key, fn)
            self.register(key, make(fn) if make else fn, fn.__module__)
            return fn

        return register

    def view(self, scope: PluginScope | None) -> dict[str, T]:
        """The built-ins plus what ``scope``'s plugins registered."""
        out = dict(self.builtin)
        if scope is not None:
            out.update({key: entry for key, (entry, _) in scope.table(self).items()})
        return out

    def module_of(self, key: str, scope: PluginScope | None = None) -> str | None:
        if key in self._owners:
            return self._owners[key]
        found = scope.table(self).get(key) if scope is not None else None
        return None if found is None else found[1]

    def __getitem__(self, key: str) -> T:
        return self.builtin[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self.builtin)

    def __len__(self) -> int:
        return len(self.builtin)

    def __repr__(self) -> str:
        return f"Registry({self.what!r}, {sorted(self.builtin)})"


class DocumentedKind:
    """What rule kinds and claim kinds share: their function's docstring is their docs."""

    fn: Callable[..., Any]

    @property
    def doc(self) -> str:
        return inspect.cleandoc(self.fn.__doc__ or "")

    @property
    def summary(self) -> str:
        """The docstring's first paragraph, on one line."""
        return self.doc.split("\n\n")[0].replace("\n", " ")


def require_doc(what: str, key: str, fn: Callable[..., Any]) -> None:
    """A kind's docstring is its user documentation: refuse a kind without one."""
    if not (fn.__doc__ or "").strip():
        raise ValueError(f"{what} {key!r} needs a docstring: it is its documentation")


def plain_param_problem(err: Mapping[str, Any], model: type[Any]) -> str:
    """A parameter's problem as pydantic words it (the loader words it for a YAML file)."""
    return str(err["msg"])


def plain_unknown_kind(what: str, word: str, known: list[str]) -> str:
    return f"Expected one of {known}, but received {word!r}"


def parse_kinded(
    items: Sequence[tuple[Any, str, Any]],
    kinds: Mapping[str, Any],
    noun: str,
    unknown_kind: Callable[[str, str, list[str]], str] = plain_unknown_kind,
    param_problem: Callable[[Mapping[str, Any], type[Any]], str] = plain_param_problem,
) -> tuple[list[tuple[int, Any, Any]], list[tuple[tuple[Any, ...], str]]]:
    """The one validation of kinded items (checks, claims, forecasts): ``(id, kind word,
    params)`` each, ``params`` raw or already parsed by the kind's ``params`` model.

    Returns the valid ones as ``(position, kind entry, parsed params)`` and every problem
    as ``((position, "id" | "kind" | "params", ...), message)``: a repeated id, a kind
    ``kinds`` does not hold, parameters its model refuses. The callers word them for
    their reader through ``unknown_kind`` and ``param_problem``."""
    valid: list[tuple[int, Any, Any]] = []
    problems: list[tuple[tuple[Any, ...], str]] = []
    seen: set[Any] = set()
    for i, (item_id, word, params) in enumerate(items):
        if item_id in seen:
            problems.append(((i, "id"), f"duplicate {noun} id {item_id!r}"))
        seen.add(item_id)
        kind = kinds.get(word)
        if kind is None:
            problems.append(((i, "kind"), unknown_kind(f"{noun} kind", word, sorted(kinds))))
            continue
        if not isinstance(params, kind.params):
            raw = params.model_dump() if hasattr(params, "model_dump") else dict(params)
            try:
                params = kind.params.model_validate(raw)
            except ValidationError as exc:
                for err in exc.errors():
                    problems.append(((i, "params", *err["loc"]), param_problem(err, kind.params)))
                continue
        valid.append((i, kind, params))
    return valid, problems

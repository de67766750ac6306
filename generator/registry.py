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
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, Generic, TypeVar

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
        self, key: str, make: Callable[[Any], T] | None = None
    ) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
        """``@registry.decorator(key)``: register the function (or ``make(fn)``) under key."""

        def register(fn: Callable[..., Any]) -> Callable[..., Any]:
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


def documented(what: str, key: str, fn: Callable[..., Any]) -> None:
    """A kind's docstring is its user documentation: refuse a kind without one."""
    if not (fn.__doc__ or "").strip():
        raise ValueError(f"{what} {key!r} needs a docstring: it is its documentation")

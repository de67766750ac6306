"""Local plugins: ``.py`` files named under ``plugins:`` in the thesis file.

A plugin registers rule kinds (and claim kinds, chart builders, sources) with the same
decorators the built-ins use. It runs afresh for every thesis that loads it, inside that
thesis' :class:`~generator.registry.PluginScope`, so what it registers belongs to that
thesis only. A plugin that fails to import is reported with its file and line.
A plugin that calls ``sys.exit`` while it loads is reported too (it would otherwise end the
build with whatever status it chose). A plugin must live in the thesis file's folder or
below it: a path that leads elsewhere (``../``, an absolute path, a symlink out) is refused.
"""

from __future__ import annotations

import importlib.util
import sys
import traceback
from pathlib import Path

from generator.registry import PluginScope, collecting


def load_plugins(base_dir: Path, paths: list[str], scope: PluginScope) -> list[tuple[int, str]]:
    """Run each plugin file (relative to the thesis file), registering into ``scope``;
    return (index, message) problems."""
    problems: list[tuple[int, str]] = []
    home = base_dir.resolve()
    for index, name in enumerate(paths):
        path = (base_dir / name).resolve()
        if not path.is_relative_to(home):
            problems.append(
                (
                    index,
                    f"Expected a .py file in the thesis file's folder, but {name!r} is outside it",
                )
            )
            continue
        if path.suffix != ".py" or not path.is_file():
            problems.append((index, f"Expected a .py file, but {name!r} does not exist"))
            continue
        module_name = f"thesis_plugin_{path.stem}_{abs(hash(str(path))) % 10**8}"
        spec = importlib.util.spec_from_file_location(module_name, path)
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        try:
            sys.modules[module_name] = module
            with collecting(scope):
                spec.loader.exec_module(module)
        except SyntaxError as exc:
            sys.modules.pop(module_name, None)
            problems.append(
                (index, f"plugin {_shown(path, home)}, line {exc.lineno}: syntax error: {exc.msg}")
            )
        except (Exception, SystemExit) as exc:  # a plugin can raise anything; report where
            sys.modules.pop(module_name, None)
            frames = [f for f in traceback.extract_tb(exc.__traceback__) if f.filename == str(path)]
            line = frames[-1].lineno if frames else "?"
            shown = _shown(path, home)
            if isinstance(exc, SystemExit):
                what = f"called sys.exit({exc.code!r}) while loading; a plugin may only register"
                problems.append((index, f"plugin {shown}, line {line}: {what} rule kinds"))
            else:
                problems.append(
                    (index, f"plugin {shown}, line {line}: {type(exc).__name__}: {exc}")
                )
    return problems


def _shown(path: Path, home: Path) -> str:
    """The plugin's path as the user wrote it: relative to the thesis file's folder."""
    return path.relative_to(home).as_posix()

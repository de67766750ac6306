"""Local plugins: ``.py`` files named under ``plugins:`` in the thesis file.

A plugin registers rule kinds (and claim kinds, chart builders, sources) with the same
decorators the built-ins use. It runs afresh for every thesis that loads it, inside that
thesis' :class:`~generator.registry.PluginScope`, so what it registers belongs to that
thesis only. A plugin that fails to import is reported with its file and line.
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
    for index, name in enumerate(paths):
        path = (base_dir / name).resolve()
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
            problems.append((index, f"plugin {path}, line {exc.lineno}: syntax error: {exc.msg}"))
        except Exception as exc:  # a plugin can raise anything; report where, then stop
            sys.modules.pop(module_name, None)
            frames = [f for f in traceback.extract_tb(exc.__traceback__) if f.filename == str(path)]
            line = frames[-1].lineno if frames else "?"
            problems.append((index, f"plugin {path}, line {line}: {type(exc).__name__}: {exc}"))
    return problems

"""Turn a written market thesis into a self-updating static report site."""

from __future__ import annotations

__version__ = "0.1.0"

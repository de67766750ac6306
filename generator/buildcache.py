"""A small on-disk cache for build artefacts that depend only on their inputs.

The Vega bundle depends only on the installed vl-convert, and a chart's static SVG only
on its spec, yet making them is most of a build's time. They are kept under ``.cache/``
at the repository root (or ``$THESIS_SITE_CACHE``), named by a hash of what they depend
on, so a preview that changes one threshold redraws only the charts that changed.
``THESIS_SITE_CACHE=off`` turns the cache off.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def cache_dir() -> Path | None:
    setting = os.environ.get("THESIS_SITE_CACHE", "")
    if setting.lower() == "off":
        return None
    return Path(setting) if setting else ROOT / ".cache"


def cached(kind: str, key: str, produce: Callable[[], str]) -> str:
    """The text stored for (kind, key), made by ``produce`` on a miss and then stored."""
    base = cache_dir()
    if base is None:
        return produce()
    digest = hashlib.sha256(key.encode("utf-8")).hexdigest()[:32]
    path = base / kind / f"{digest}.txt"
    try:
        return path.read_text(encoding="utf-8")
    except (FileNotFoundError, UnicodeDecodeError):
        pass
    text = produce()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(text)
        os.replace(temp, path)  # a crash mid-write never leaves a half file under the name
    except OSError:
        pass  # a read-only checkout still builds, just without the cache
    return text

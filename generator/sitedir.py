"""Which folder ``build --site-dir`` may replace: only one the generator made.

A build replaces its output folder whole, so a mistyped ``--site-dir`` (``docs``, ``.``,
the home folder) would delete hand-written work. Every site the generator builds carries
a marker file; a folder is replaced only when it is missing, empty, or carries the
marker (or, for sites built before markers existed, holds the files every build writes).
Anything else is refused with exit status 2 before a single file is written.
"""

from __future__ import annotations

from pathlib import Path

from generator.errors import GeneratorError

MARKER = ".thesis-site"
MARKER_TEXT = (
    "This folder was built by the thesis site generator (python -m generator build).\n"
    "The next build replaces it whole; the generator refuses to replace a folder without\n"
    "this file.\n"
)
# what every build before the marker wrote: a folder holding all of them is a generated site
LEGACY_FILES = ("index.html", "sitemap.xml", "api/latest.json", "search/search_index.json")


class UnsafeSiteDir(GeneratorError):
    """``--site-dir`` names a folder the generator did not make; exit status 2."""


def made_by_generator(folder: Path) -> bool:
    if (folder / MARKER).is_file():
        return True
    return all((folder / name).is_file() for name in LEGACY_FILES)


def check_site_dir(site_dir: Path, keep: dict[str, Path]) -> Path:
    """The resolved ``site_dir`` if a build may replace it; else :class:`UnsafeSiteDir`.

    ``keep`` names folders and files that must survive the build (the repository, the
    docs folder, the thesis file, the data folder, the home and working folders): the
    site may be none of them, contain none of them, and not lie inside the docs folder.
    """
    shown = str(site_dir)
    if Path(site_dir).expanduser().is_symlink():
        # a link's target is somewhere else, which the user did not name
        raise UnsafeSiteDir(
            f"--site-dir {shown}: refused, it exists and is not a folder the generator made "
            "(it is a symbolic link)"
        )
    target = Path(site_dir).expanduser().resolve()
    for what, path in keep.items():
        path = path.expanduser().resolve()
        if path == target or path.is_relative_to(target):
            where = "is" if path == target else "contains"
            raise UnsafeSiteDir(
                f"--site-dir {shown}: refused, the folder {where} {what}; a build replaces "
                "its site folder whole. Choose a new folder, e.g. --site-dir site"
            )
    docs = keep.get("the docs folder")
    if docs is not None and target.is_relative_to(docs.resolve()):
        raise UnsafeSiteDir(
            f"--site-dir {shown}: refused, the site cannot be built inside the docs folder"
        )
    if target.exists():
        if not target.is_dir():
            raise UnsafeSiteDir(
                f"--site-dir {shown}: refused, it exists and is not a folder the generator made"
            )
        if any(target.iterdir()) and not made_by_generator(target):
            raise UnsafeSiteDir(
                f"--site-dir {shown}: refused, the folder is not empty and was not made by the "
                f"generator (it has no {MARKER} file); a build would delete what is in it. "
                "Choose a new or empty folder, or remove this one yourself"
            )
    return target


def mark(folder: Path) -> None:
    (folder / MARKER).write_text(MARKER_TEXT, encoding="utf-8")

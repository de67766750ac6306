"""Errors the CLI maps to exit codes and plain messages."""

from __future__ import annotations


class GeneratorError(Exception):
    """A problem the user can fix (bad input, missing folder); exit status 2."""

    exit_code = 2


class RunError(GeneratorError):
    """A service the run depends on failed (not the user's input); exit status 1: the run
    should be looked at."""

    exit_code = 1


class DataError(GeneratorError):
    """A data file cannot be read: names the file and, where known, the line."""

    def __init__(self, path: object, message: str, line: int | None = None) -> None:
        where = f"{path}, line {line}" if line is not None else f"{path}"
        super().__init__(f"{where}: {message}")
        self.path = path
        self.line = line

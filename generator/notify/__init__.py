"""Telling people: what a week deserves (``decide``), where it goes (GitHub issues, Apprise).

The flow is one way, like the rest of the package: an evaluation becomes a :class:`Week`
(``week.py``), a pure function turns a week into messages (``decide.py``), and the edges
send them (``issues.py`` over the REST client in ``github.py``; ``push.py`` over Apprise).
``run.py`` is the ``python -m generator notify`` command that ties them together.
"""

from __future__ import annotations

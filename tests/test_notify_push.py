"""Push through Apprise to a JSON target on 127.0.0.1: who gets what, a refusing target,
a secret that is absent or malformed (and never quoted back)."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from generator.errors import GeneratorError
from generator.notify.decide import Flip, Links, Staleness, Week, decide
from generator.notify.push import ENV, send, targets

LINKS = Links("https://someone.github.io/thesis/")
WEEK = Week(
    "2025-11-21",
    "supported",
    "mixed",
    0.75,
    0.5,
    (Flip("fed_cutting", "The Fed is cutting", "warn", "pass"),),
    "Thesis",
)
MESSAGES = decide(WEEK, Staleness("2025-11-21", 0, 10), [], LINKS)  # verdict, flips, digest


class Receiver:
    """An HTTP server that records each JSON body by path; /broken answers 500."""

    def __init__(self) -> None:
        self.got: list[tuple[str, dict[str, Any]]] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                receiver.got.append((self.path, json.loads(self.rfile.read(length))))
                self.send_response(500 if self.path.startswith("/broken") else 200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base = f"json://127.0.0.1:{self.server.server_address[1]}"

    def titles(self, path: str) -> list[str]:
        return [body["title"] for p, body in self.got if p == path]


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    r = Receiver()
    thread = threading.Thread(target=r.server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield r
    r.server.shutdown()
    r.server.server_close()
    thread.join(timeout=5)


@pytest.mark.parametrize("secret", [None, "", "  \n", "# only a comment\n"])
def test_no_secret_sends_nothing(secret):
    env = {} if secret is None else {ENV: secret}
    assert send(MESSAGES, env) is None


def test_changes_go_to_every_target_and_the_digest_to_digest_targets(receiver):
    secret = (
        f"{receiver.base}/changes\n# the team chat wants every week\ndigest={receiver.base}/all\n"
    )
    outcome = send(MESSAGES, {ENV: secret})
    assert outcome.sent == ["2025-11-21:verdict", "2025-11-21:flips", "2025-11-21:digest"]
    assert outcome.failed == [] and outcome.skipped == []
    titles = [m.title for m in MESSAGES]
    assert receiver.titles("/changes") == titles[:2]
    assert receiver.titles("/all") == titles
    path, body = receiver.got[0]
    assert body["message"] == MESSAGES[0].body
    assert body["type"] == "warning"  # a verdict change


def test_urls_on_one_line_split_by_commas_or_spaces(receiver):
    secret = f"{receiver.base}/a, {receiver.base}/b {receiver.base}/c"
    outcome = send(MESSAGES[:1], {ENV: secret})
    assert outcome.sent == ["2025-11-21:verdict"]
    assert sorted(p for p, _ in receiver.got) == ["/a", "/b", "/c"]


def test_without_a_digest_target_the_digest_is_wanted_by_nobody(receiver):
    outcome = send(MESSAGES, {ENV: f"{receiver.base}/changes"})
    assert outcome.skipped == ["2025-11-21:digest"]
    assert len(receiver.got) == 2


def test_a_refusing_target_is_reported(receiver):
    outcome = send(MESSAGES[:1], {ENV: f"{receiver.base}/broken"})
    assert outcome.failed == ["2025-11-21:verdict"]
    assert receiver.got[0][0] == "/broken"


@pytest.mark.parametrize(
    ("secret", "line"),
    [
        ("hooks.example.com/secret-token", 1),
        ("json://127.0.0.1:9/ok\nnot-a-scheme://secret-token", 2),
        ("digest=secret-token", 1),
    ],
)
def test_a_malformed_secret_names_the_line_and_never_the_secret(secret, line):
    with pytest.raises(GeneratorError) as caught:
        targets(secret)
    message = str(caught.value)
    assert f"line {line} of" in message
    assert "secret-token" not in message

"""A fake GitHub REST API on 127.0.0.1 (http.server in a thread) for the notifier's tests.

It keeps issues and comments in memory, filters issue lists by labels and state, pages
every list (``page_size`` items a page, with a ``Link: rel="next"`` header as GitHub
sends), answers the GraphQL ``pinIssue`` mutation, and can be told to answer the next
requests with canned failures (rate limits, 5xx) before behaving again.
"""

from __future__ import annotations

import json
import threading
import urllib.parse
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

REPO = "someone/thesis"


@dataclass
class Canned:
    status: int
    headers: dict[str, str] = field(default_factory=dict)
    body: Any = None


@dataclass
class FakeGitHub:
    url: str = ""
    page_size: int = 100
    issues: dict[int, dict[str, Any]] = field(default_factory=dict)
    comments: dict[int, list[dict[str, Any]]] = field(default_factory=dict)
    requests: list[tuple[str, str, dict[str, str], Any]] = field(default_factory=list)
    failures: deque[Canned] = field(default_factory=deque)
    repo_labels: dict[str, dict[str, str]] = field(default_factory=dict)
    #: like a strict GitHub: an issue may only carry labels the repository has
    strict_labels: bool = True
    pinned: list[int] = field(default_factory=list)
    pin_error: str | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)

    # ---- what tests look at

    def writes(self) -> list[tuple[str, str]]:
        return [(m, p) for m, p, _, _ in self.requests if m != "GET"]

    def labels(self, number: int) -> set[str]:
        return {label["name"] for label in self.issues[number]["labels"]}

    def by_label(self, *labels: str) -> list[dict[str, Any]]:
        return [i for i in self.issues.values() if set(labels) <= self.labels(i["number"])]

    def add_issue(self, title: str, body: str, labels: list[str], state: str = "open") -> int:
        for name in labels:
            self.repo_labels.setdefault(name, {"name": name, "color": "ededed", "description": ""})
        number = len(self.issues) + 1
        self.issues[number] = {
            "number": number,
            "node_id": f"I_{number}",
            "title": title,
            "body": body,
            "state": state,
            "labels": [{"name": n} for n in labels],
            "html_url": f"https://github.com/{REPO}/issues/{number}",
        }
        self.comments[number] = []
        return number

    # ---- the API

    def handle(self, method: str, target: str, headers: dict[str, str], body: Any) -> Canned:
        with self.lock:
            self.requests.append((method, target, headers, body))
            if self.failures:
                return self.failures.popleft()
            parsed = urllib.parse.urlsplit(target)
            query = dict(urllib.parse.parse_qsl(parsed.query))
            path = parsed.path
            if headers.get("authorization") != "Bearer test-token":
                return Canned(401, body={"message": "Bad credentials"})
            if path == "/graphql":
                return self._graphql(body)
            if path == f"/repos/{REPO}/labels" and method == "GET":
                return self._page(list(self.repo_labels.values()), query, path)
            if path == f"/repos/{REPO}/labels" and method == "POST":
                if body["name"] in self.repo_labels:
                    return Canned(422, body={"message": "Validation Failed"})
                self.repo_labels[body["name"]] = body
                return Canned(201, body=body)
            unknown = set((body or {}).get("labels") or []) - set(self.repo_labels)
            if method != "GET" and unknown and self.strict_labels:
                return Canned(422, body={"message": f"unknown labels {sorted(unknown)}"})
            base = f"/repos/{REPO}/issues"
            if path == base and method == "GET":
                return self._page(self._list(query), query, path)
            if path == base and method == "POST":
                number = self.add_issue(body["title"], body.get("body", ""), body.get("labels", []))
                return Canned(201, body=self.issues[number])
            rest = path.removeprefix(base + "/").split("/")
            if not path.startswith(base + "/") or not rest[0].isdigit():
                return Canned(404, body={"message": "Not Found"})
            number = int(rest[0])
            if number not in self.issues:
                return Canned(404, body={"message": "Not Found"})
            issue = self.issues[number]
            if rest[1:] == [] and method == "PATCH":
                for key in ("title", "body", "state", "state_reason"):
                    if key in body:
                        issue[key] = body[key]
                if "labels" in body:
                    issue["labels"] = [{"name": n} for n in body["labels"]]
                return Canned(200, body=issue)
            if rest[1:] == ["comments"] and method == "GET":
                return self._page(self.comments[number], query, path)
            if rest[1:] == ["comments"] and method == "POST":
                comment = {"id": 1000 + sum(map(len, self.comments.values())), **body}
                self.comments[number].append(comment)
                return Canned(201, body=comment)
            if rest[1:] == ["labels"] and method == "POST":
                names = self.labels(number) | set(body["labels"])
                issue["labels"] = [{"name": n} for n in sorted(names)]
                return Canned(200, body=issue["labels"])
            return Canned(404, body={"message": "Not Found"})

    def _list(self, query: dict[str, str]) -> list[dict[str, Any]]:
        wanted = {x for x in query.get("labels", "").split(",") if x}
        state = query.get("state", "open")
        return [
            i
            for i in self.issues.values()
            if wanted <= self.labels(i["number"]) and state in ("all", i["state"])
        ]

    def _page(self, items: list[Any], query: dict[str, str], path: str) -> Canned:
        size = min(int(query.get("per_page", 30)), self.page_size)
        page = int(query.get("page", 1))
        chunk = items[(page - 1) * size : page * size]
        headers = {}
        if page * size < len(items):
            nxt = urllib.parse.urlencode({**query, "page": page + 1})
            headers["Link"] = f'<{self.url}{path}?{nxt}>; rel="next"'
        return Canned(200, headers, chunk)

    def _graphql(self, body: Any) -> Canned:
        if self.pin_error:
            return Canned(200, body={"errors": [{"message": self.pin_error}]})
        node = body["variables"]["id"]
        number = next(n for n, i in self.issues.items() if i["node_id"] == node)
        self.pinned.append(number)
        return Canned(200, body={"data": {"pinIssue": {"issue": {"number": number}}}})


@contextmanager
def serve(fake: FakeGitHub | None = None) -> Iterator[FakeGitHub]:
    fake = fake or FakeGitHub()

    class Handler(BaseHTTPRequestHandler):
        def _serve(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b""
            body = json.loads(raw) if raw else None
            headers = {k.lower(): v for k, v in self.headers.items()}
            answer = fake.handle(self.command, self.path, headers, body)
            data = b"" if answer.body is None else json.dumps(answer.body).encode()
            self.send_response(answer.status)
            for key, value in answer.headers.items():
                self.send_header(key, value)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        do_GET = do_POST = do_PATCH = _serve

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    fake.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield fake
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)

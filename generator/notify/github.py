"""A small client for GitHub's REST API: the standard library only, so it runs anywhere.

The token comes from ``GITHUB_TOKEN`` and the repository from ``GITHUB_REPOSITORY``
(both set in a workflow); ``GITHUB_API_URL`` moves the base URL (GitHub Enterprise, or a
fake server on 127.0.0.1 in the tests). Rate limits are waited out when the wait is short
(``Retry-After``, or ``x-ratelimit-reset`` with ``x-ratelimit-remaining: 0``) and reported
when it is not; 5xx answers and dropped connections are retried with a bounded backoff;
list endpoints are followed through their ``Link: rel="next"`` pages.
"""

from __future__ import annotations

import json
import os
import re
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from generator.errors import GeneratorError, RunError

DEFAULT_API = "https://api.github.com"
API_VERSION = "2022-11-28"
USER_AGENT = "thesis-site-notify"
#: GitHub asks clients hit by a secondary rate limit without headers to wait a minute
SECONDARY_LIMIT_WAIT = 60.0
NEXT_LINK = re.compile(r'<([^>]+)>;\s*rel="next"')


class GitHubError(RunError):
    """The GitHub API refused or kept failing."""


@dataclass
class Response:
    status: int
    headers: dict[str, str]
    data: Any


@dataclass
class GitHubClient:
    token: str
    repo: str  # "owner/name"
    api_url: str = DEFAULT_API
    #: retries after a 5xx answer or a dropped connection (backoff 1, 2, 4... seconds)
    max_retries: int = 3
    #: the longest single wait for a rate limit; beyond it the call fails with the reset time
    max_wait: float = 120.0
    timeout: float = 30.0
    sleep: Callable[[float], None] = time.sleep
    clock: Callable[[], float] = time.time
    waits: list[float] = field(default_factory=list)  # every wait taken, for the log

    def __post_init__(self) -> None:
        if not re.fullmatch(r"[\w.-]+/[\w.-]+", self.repo):
            raise GeneratorError(
                f"GITHUB_REPOSITORY: expected owner/name, but received {self.repo!r}"
            )
        self.api_url = self.api_url.rstrip("/")

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> GitHubClient | None:
        """A client from the workflow's environment; None when there is no token."""
        env = dict(os.environ if env is None else env)
        token = env.get("GITHUB_TOKEN", "").strip()
        if not token:
            return None
        repo = env.get("GITHUB_REPOSITORY", "").strip()
        if not repo:
            raise GeneratorError("GITHUB_TOKEN is set but GITHUB_REPOSITORY (owner/name) is not")
        return cls(token=token, repo=repo, api_url=env.get("GITHUB_API_URL") or DEFAULT_API)

    # ------------------------------------------------------------------ requests

    def repo_path(self, path: str) -> str:
        return f"/repos/{self.repo}{path}"

    def request(
        self, method: str, path: str, body: Any = None, params: dict[str, Any] | None = None
    ) -> Response:
        """One call, with rate-limit waits and 5xx retries; raises :class:`GitHubError`."""
        url = path if path.startswith(self.api_url + "/") else self.api_url + path
        if params:
            url += ("&" if "?" in url else "?") + urllib.parse.urlencode(params)
        data = None if body is None else json.dumps(body).encode("utf-8")
        failures = 0
        while True:
            req = urllib.request.Request(url, data=data, method=method)
            req.add_header("Accept", "application/vnd.github+json")
            req.add_header("Authorization", f"Bearer {self.token}")
            req.add_header("X-GitHub-Api-Version", API_VERSION)
            req.add_header("User-Agent", USER_AGENT)
            if data is not None:
                req.add_header("Content-Type", "application/json")
            try:
                with urllib.request.urlopen(req, timeout=self.timeout) as resp:
                    return Response(resp.status, _headers(resp.headers), _json(resp.read()))
            except urllib.error.HTTPError as exc:
                headers, payload = _headers(exc.headers), _json(exc.read())
                status = exc.code
            except (urllib.error.URLError, TimeoutError, ConnectionError) as exc:
                failures += 1
                if failures > self.max_retries:
                    raise GitHubError(
                        f"GitHub API {method} {path}: no answer after {failures} tries ({exc})"
                    ) from None
                self._wait(2.0 ** (failures - 1))
                continue
            wait = self._rate_limit_wait(status, headers, payload)
            if wait is not None:
                if wait > self.max_wait:
                    raise GitHubError(
                        f"GitHub API {method} {path}: rate limited (HTTP {status}) for "
                        f"{wait:.0f} more seconds, longer than the {self.max_wait:.0f} s "
                        f"this run waits: {_message(payload)}"
                    )
                # a limit that keeps coming back is not waited out forever
                failures += 1
                if failures > self.max_retries:
                    raise GitHubError(
                        f"GitHub API {method} {path}: still rate limited after "
                        f"{failures} tries: {_message(payload)}"
                    )
                self._wait(wait)
                continue
            if status >= 500:
                failures += 1
                if failures > self.max_retries:
                    raise GitHubError(
                        f"GitHub API {method} {path}: HTTP {status} after {failures} tries: "
                        f"{_message(payload)}"
                    )
                self._wait(2.0 ** (failures - 1))
                continue
            raise GitHubError(f"GitHub API {method} {path}: HTTP {status}: {_message(payload)}")

    def _wait(self, seconds: float) -> None:
        self.waits.append(seconds)
        self.sleep(seconds)

    def _rate_limit_wait(self, status: int, headers: dict[str, str], payload: Any) -> float | None:
        """Seconds to wait before trying again, or None when this is not a rate limit."""
        if status not in (403, 429):
            return None
        retry_after = headers.get("retry-after")
        if retry_after is not None:
            try:
                return max(0.0, float(retry_after))
            except ValueError:
                return SECONDARY_LIMIT_WAIT
        if headers.get("x-ratelimit-remaining") == "0" and "x-ratelimit-reset" in headers:
            try:
                reset = float(headers["x-ratelimit-reset"])
            except ValueError:
                return SECONDARY_LIMIT_WAIT
            return max(0.0, reset - self.clock()) + 1.0  # the reset second itself is spent
        if status == 429 or "rate limit" in _message(payload).lower():
            return SECONDARY_LIMIT_WAIT
        return None  # a 403 for lack of permission: not something waiting fixes

    def paginate(self, path: str, params: dict[str, Any] | None = None) -> Iterator[Any]:
        """Every item of a list endpoint, following ``Link: rel="next"`` pages."""
        params = {"per_page": 100, **(params or {})}
        response = self.request("GET", path, params=params)
        while True:
            if not isinstance(response.data, list):
                raise GitHubError(f"GitHub API GET {path}: expected a list, got {response.data!r}")
            yield from response.data
            match = NEXT_LINK.search(response.headers.get("link", ""))
            if not match:
                return
            url = match.group(1)
            # the token only ever goes to the API it was given for
            if not url.startswith(self.api_url + "/"):
                raise GitHubError(f"GitHub API: refusing a next page outside {self.api_url}: {url}")
            response = self.request("GET", url)

    # ------------------------------------------------------------------ issues

    def issues(self, labels: str, state: str = "all") -> list[dict[str, Any]]:
        """Issues (not pull requests) with all of ``labels`` (comma separated)."""
        items = self.paginate(self.repo_path("/issues"), {"labels": labels, "state": state})
        return [i for i in items if "pull_request" not in i]

    def create_issue(self, title: str, body: str, labels: list[str]) -> dict[str, Any]:
        payload = {"title": title, "body": body, "labels": labels}
        return self.request("POST", self.repo_path("/issues"), payload).data

    def update_issue(self, number: int, **fields: Any) -> dict[str, Any]:
        return self.request("PATCH", self.repo_path(f"/issues/{number}"), fields).data

    def comments(self, number: int) -> list[dict[str, Any]]:
        return list(self.paginate(self.repo_path(f"/issues/{number}/comments")))

    def comment(self, number: int, body: str) -> dict[str, Any]:
        path = self.repo_path(f"/issues/{number}/comments")
        return self.request("POST", path, {"body": body}).data

    def add_labels(self, number: int, labels: list[str]) -> None:
        self.request("POST", self.repo_path(f"/issues/{number}/labels"), {"labels": labels})

    def labels(self) -> list[str]:
        return [label["name"] for label in self.paginate(self.repo_path("/labels"))]

    def create_label(self, name: str, color: str, description: str) -> None:
        payload = {"name": name, "color": color, "description": description}
        self.request("POST", self.repo_path("/labels"), payload)

    def pin(self, node_id: str) -> None:
        """Pin an issue to the repository's issue list (GraphQL only; REST has no pin)."""
        query = "mutation($id: ID!) { pinIssue(input: {issueId: $id}) { issue { number } } }"
        answer = self.request("POST", "/graphql", {"query": query, "variables": {"id": node_id}})
        errors = (answer.data or {}).get("errors") if isinstance(answer.data, dict) else None
        if errors:
            raise GitHubError(f"GitHub API: could not pin the status issue: {errors}")


def _headers(headers: Any) -> dict[str, str]:
    return {k.lower(): v for k, v in (headers or {}).items()}


def _json(raw: bytes) -> Any:
    if not raw:
        return None
    try:
        return json.loads(raw)
    except ValueError:
        return raw.decode("utf-8", "replace")


def _message(payload: Any) -> str:
    if isinstance(payload, dict):
        return str(payload.get("message", payload))
    return str(payload or "")

"""fetch_all with FRED: real ``fredgraph.csv`` text served by a fake server on 127.0.0.1.

The cache holds WALCL (weekly, to 2026-07-22) and DFF (daily, to 2026-08-06). The
recorded answers overlap both, with new rows after; the DFF answer uses the older
``DATE`` header and a ``.`` for a missing day.
"""

from __future__ import annotations

import io
import shutil
import socket
import threading
import urllib.error
from collections.abc import Iterator
from datetime import UTC, date, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from rich.console import Console

from generator.sources import fred
from generator.sources.fetch import FetchTarget, fetch_all

FIXTURES = Path(__file__).parent / "fixtures" / "fetch"
NOW = datetime(2026, 8, 14, 15, 0, tzinfo=UTC)
WALCL = FetchTarget("fred", "WALCL")
DFF = FetchTarget("fred", "DFF")
QUIET = Console(file=io.StringIO())


def fixture_text(name: str) -> str:
    return (FIXTURES / name).read_text()


class FakeFred:
    """A tiny HTTP server: ``answers[series_id]`` is a list of (status, body) served in turn
    (the last one repeats); ``truncate`` sends a Content-Length longer than the body."""

    def __init__(self) -> None:
        self.answers: dict[str, list[tuple[int, str]]] = {}
        self.requests: list[tuple[str, dict[str, list[str]]]] = []
        self.truncate = False
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                url = urlsplit(self.path)
                query = parse_qs(url.query)
                fake.requests.append((url.path, query))
                series_id = (query.get("id") or query.get("series_id") or [""])[0]
                queue = fake.answers.get(series_id) or [(404, "<html>Not Found</html>")]
                status, body = queue.pop(0) if len(queue) > 1 else queue[0]
                data = body.encode()
                self.send_response(status)
                self.send_header("Content-Type", "text/csv")
                self.send_header("Content-Length", str(len(data) + (100 if fake.truncate else 0)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True
        )
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def server(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeFred]:
    fake = FakeFred()
    monkeypatch.setenv("FRED_BASE_URL", fake.url)
    monkeypatch.delenv("FRED_API_KEY", raising=False)
    monkeypatch.setenv("no_proxy", "127.0.0.1")
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    yield fake
    fake.close()


@pytest.fixture
def cache(tmp_path: Path) -> Path:
    directory = tmp_path / "data"
    directory.mkdir()
    for name in ("WALCL.csv", "DFF.csv"):
        shutil.copy(FIXTURES / name, directory / name)
    return directory


def snapshot(directory: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(directory.iterdir())}


def run(cache: Path, targets=(WALCL, DFF), fred_get=None):
    sleeps: list[float] = []
    report = fetch_all(
        list(targets), cache, now=NOW, console=QUIET, fred_get=fred_get, sleep=sleeps.append
    )
    return report, sleeps


def outcomes(report) -> dict[str, tuple[str, int, date | None]]:
    return {o.symbol: (o.status, o.rows_added, o.last_date) for o in report.outcomes}


def test_update_from_fredgraph_csv_in_both_header_variants(server: FakeFred, cache: Path) -> None:
    server.answers = {
        "WALCL": [(200, fixture_text("fredgraph_WALCL.csv"))],
        "DFF": [(200, fixture_text("fredgraph_DFF.csv"))],
    }
    before = snapshot(cache)
    report, sleeps = run(cache)

    assert outcomes(report) == {
        "WALCL": ("updated", 3, date(2026, 8, 12)),
        "DFF": ("updated", 5, date(2026, 8, 12)),  # 08-07..08-12 less the "." on 08-10
    }
    assert (report.exit_code, report.offline, sleeps) == (0, False, [])
    # FRED is always asked for the whole history (no cosd): revisions reach back years
    assert server.requests == [
        ("/graph/fredgraph.csv", {"id": ["WALCL"]}),
        ("/graph/fredgraph.csv", {"id": ["DFF"]}),
    ]
    walcl = (cache / "WALCL.csv").read_bytes()
    assert walcl == before["WALCL.csv"] + (
        b"2026-07-29,6664808\n2026-08-05,6666559\n2026-08-12,6668310\n"
    )
    dff = (cache / "DFF.csv").read_bytes()
    assert dff.startswith(before["DFF.csv"])
    assert b"2026-08-10" not in dff


def test_fred_api_json_when_a_key_is_set(
    server: FakeFred, cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FRED_API_KEY", "abc123secret")
    server.answers = {"WALCL": [(200, fixture_text("fred_observations_WALCL.json"))]}
    report, _ = run(cache, targets=[WALCL])
    assert outcomes(report) == {"WALCL": ("updated", 3, date(2026, 8, 12))}
    path, query = server.requests[0]
    assert path == "/fred/series/observations"
    assert query == {
        "series_id": ["WALCL"],
        "api_key": ["abc123secret"],
        "file_type": ["json"],
    }


def test_the_api_key_never_appears_in_a_message(
    server: FakeFred, cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FRED_API_KEY", "abc123secret")
    server.answers = {"WALCL": [(400, '{"error_code":400,"error_message":"Bad Request."}')]}
    report, _ = run(cache, targets=[WALCL])
    assert report.outcomes[0].status == "failed"
    assert "abc123secret" not in report.outcomes[0].message


BAD_ANSWERS = [
    # (case, answers for WALCL, status, message fragment, requests made, sleeps)
    ("HTML error page", [(200, fixture_text("fred_error.html"))], "failed", "HTML page", 1, []),
    (
        "truncated mid-date",
        [(200, fixture_text("fredgraph_WALCL.csv")[:-12])],
        "rejected",
        "line 6: expected 2 fields, but received '2026-08'",
        1,
        [],
    ),
    (
        "truncated mid-number",
        [(200, fixture_text("fredgraph_WALCL.csv")[:-4])],
        "rejected",
        "newest value on 2026-08-12 (6668) is more than 4x away from the one before (6666559)",
        1,
        [],
    ),
    (
        "other series' header",
        [(200, fixture_text("fredgraph_DFF.csv"))],
        "failed",
        "expected the header 'observation_date,WALCL'",
        1,
        [],
    ),
    (
        "not a number",
        [(200, "observation_date,WALCL\n2026-07-29,n/a\n")],
        "rejected",
        "expected a number, but received 'n/a'",
        1,
        [],
    ),
    (
        "absurd value",
        [(200, fixture_text("fredgraph_WALCL.csv").replace("6666559", "66665590000"))],
        "rejected",
        "jumps more than 4x",
        1,
        [],
    ),
    ("header only", [(200, "observation_date,WALCL\n")], "failed", "no observations", 1, []),
    ("404", [(404, "<html>Not Found</html>")], "failed", "HTTP Error 404", 1, []),
    ("500 four times", [(500, "oops")], "failed", "HTTP Error 500", 4, [2.0, 4.0, 8.0]),
]


@pytest.mark.parametrize(
    ("answers", "status", "message", "requests", "sleeps"),
    [case[1:] for case in BAD_ANSWERS],
    ids=[case[0] for case in BAD_ANSWERS],
)
def test_a_bad_answer_leaves_the_cache_byte_identical(
    server: FakeFred, cache: Path, answers, status, message, requests, sleeps
) -> None:
    server.answers = {"WALCL": answers, "DFF": [(200, fixture_text("fredgraph_DFF.csv"))]}
    before = snapshot(cache)
    report, slept = run(cache)

    walcl, dff = report.outcomes
    assert (walcl.status, dff.status) == (status, "updated")
    assert message in walcl.message
    assert (report.exit_code, report.offline) == (1, False)
    assert (len([r for r in server.requests if r[1]["id"] == ["WALCL"]]), slept) == (
        requests,
        sleeps,
    )
    assert (cache / "WALCL.csv").read_bytes() == before["WALCL.csv"]


def test_a_transfer_cut_short_is_retried_then_fails_without_touching_the_cache(
    server: FakeFred, cache: Path
) -> None:
    server.answers = {"WALCL": [(200, fixture_text("fredgraph_WALCL.csv"))]}
    server.truncate = True  # Content-Length promises more than is sent
    before = snapshot(cache)
    report, sleeps = run(cache, targets=[WALCL])
    assert report.outcomes[0].status == "failed"
    assert "IncompleteRead" in report.outcomes[0].message
    assert (len(server.requests), sleeps) == (4, [2.0, 4.0, 8.0])
    assert snapshot(cache) == before


def test_server_error_then_success(server: FakeFred, cache: Path) -> None:
    server.answers = {"WALCL": [(503, "busy"), (200, fixture_text("fredgraph_WALCL.csv"))]}
    report, sleeps = run(cache, targets=[WALCL])
    assert (report.outcomes[0].status, sleeps) == ("updated", [2.0])


def test_rate_limit_429_then_success(server: FakeFred, cache: Path) -> None:
    server.answers = {
        "WALCL": [
            (429, "slow down"),
            (429, "slow down"),
            (200, fixture_text("fredgraph_WALCL.csv")),
        ]
    }
    report, sleeps = run(cache, targets=[WALCL])
    assert (report.outcomes[0].status, sleeps) == ("updated", [2.0, 4.0])


def test_a_new_series_gets_its_whole_history(server: FakeFred, cache: Path) -> None:
    (cache / "WALCL.csv").unlink()
    server.answers = {"WALCL": [(200, fixture_text("fredgraph_WALCL.csv"))]}
    report, _ = run(cache, targets=[WALCL])
    assert server.requests == [("/graph/fredgraph.csv", {"id": ["WALCL"]})]
    assert outcomes(report) == {"WALCL": ("updated", 5, date(2026, 8, 12))}
    assert (cache / "WALCL.csv").read_text().startswith("date,value\n2026-07-15,6662857\n")


def test_nobody_listening_means_offline(cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    closed = socket.socket()
    closed.bind(("127.0.0.1", 0))
    port = closed.getsockname()[1]
    closed.close()
    monkeypatch.setenv("FRED_BASE_URL", f"http://127.0.0.1:{port}")
    monkeypatch.setenv("no_proxy", "127.0.0.1")
    before = snapshot(cache)
    report, sleeps = run(cache)
    assert [o.status for o in report.outcomes] == ["failed", "failed"]
    assert (report.exit_code, report.offline, sleeps) == (1, True, [])
    assert snapshot(cache) == before


def raise_(exc: BaseException):
    def get(url: str) -> str:
        raise exc

    return get


@pytest.mark.parametrize(
    ("error", "offline", "sleeps"),
    [
        (urllib.error.URLError(socket.gaierror(-2, "Name or service not known")), True, []),
        (urllib.error.URLError(OSError(101, "Network is unreachable")), True, []),
        (urllib.error.URLError(TimeoutError("timed out")), True, [2.0, 4.0, 8.0]),
        (urllib.error.HTTPError("u", 503, "Service Unavailable", {}, None), False, [2.0, 4.0, 8.0]),
        (ValueError("unexpected"), False, []),
    ],
)
def test_injected_getter_errors(
    cache: Path, monkeypatch: pytest.MonkeyPatch, error, offline: bool, sleeps
) -> None:
    monkeypatch.delenv("FRED_API_KEY", raising=False)
    before = snapshot(cache)
    report, slept = run(cache, targets=[WALCL], fred_get=raise_(error))
    assert (report.outcomes[0].status, report.offline, slept) == ("failed", offline, sleeps)
    assert snapshot(cache) == before


def test_injected_getter_answers_with_csv_text(
    cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("FRED_BASE_URL", raising=False)
    monkeypatch.delenv("FRED_API_KEY", raising=False)
    urls: list[str] = []

    def get(url: str) -> str:
        urls.append(url)
        return fixture_text("fredgraph_WALCL.csv")

    report, _ = run(cache, targets=[WALCL], fred_get=get)
    assert urls == ["https://fred.stlouisfed.org/graph/fredgraph.csv?id=WALCL"]
    assert report.outcomes[0].status == "updated"


@pytest.mark.parametrize(
    ("text", "rows"),
    [
        ("DATE,WALCL\n2026-07-29,6667275\n", [("2026-07-29", 6667275.0)]),
        ("observation_date,WALCL\r\n2026-07-29,6667275\r\n", [("2026-07-29", 6667275.0)]),
        ("\ufeffobservation_date,walcl\n2026-07-29,.\n2026-08-05,1.5\n", [("2026-08-05", 1.5)]),
    ],
)
def test_parse_fredgraph_csv(text: str, rows) -> None:
    frame = fred.parse_fredgraph_csv(text, "WALCL")
    assert [(d.date().isoformat(), v) for d, v in frame["value"].items()] == rows

"""``python -m generator notify`` end to end: the dry run's JSON lines, the sample-data
refusal, a real week sent to a fake GitHub and an Apprise target (both on 127.0.0.1), a
re-run that sends nothing, and the alarm of a failed run, which reads no data."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from generator import pipeline
from generator.cli import main
from generator.errors import GeneratorError
from generator.notify.github import GitHubError
from generator.notify.push import PushError
from tests.fake_github import REPO, serve
from tests.test_notify_push import Receiver

ROOT = Path(__file__).resolve().parents[1]
SHARED_DATA = ROOT.parent / "shared" / "data"
SITE = "https://someone.github.io/thesis/"
ENV_NAMES = (
    "GITHUB_TOKEN",
    "GITHUB_REPOSITORY",
    "GITHUB_API_URL",
    "GITHUB_RUN_ID",
    "GITHUB_SERVER_URL",
    "APPRISE_URLS",
    "SITE_URL",
)


@pytest.fixture(autouse=True)
def clean_env(monkeypatch):
    for name in ENV_NAMES:
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def real_data() -> Path:
    if not (SHARED_DATA / "RUT.csv").exists():
        pytest.skip(f"real data not found at {SHARED_DATA}")
    return SHARED_DATA


@pytest.fixture
def no_cache(tmp_path, monkeypatch):
    monkeypatch.setattr(pipeline, "DEFAULT_CACHE", tmp_path / "empty-cache")


@pytest.fixture
def receiver():
    import threading

    r = Receiver()
    thread = threading.Thread(target=r.server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield r
    r.server.shutdown()
    r.server.server_close()
    thread.join(timeout=5)


def lines(out: str) -> list[dict[str, str]]:
    return [json.loads(line) for line in out.splitlines()]


@pytest.mark.realdata
def test_dry_run_on_real_data_prints_what_the_post_says(real_data, capsys):
    code = main(
        [
            "notify",
            "--data",
            str(real_data),
            "--as-of",
            "2025-11-21",
            "--site-url",
            SITE,
            "--dry-run",
        ]
    )
    assert code == 0
    messages = lines(capsys.readouterr().out)
    assert all(set(m) == {"channel", "title", "body"} for m in messages)
    assert [m["channel"] for m in messages] == ["verdict", "flips", "digest"]
    # history.csv on ../shared/data: 0.70 (supported) on 2025-11-14, 0.65 (mixed) on
    # 2025-11-21; BTC closed at 85,090.69 against its 124,752.53 high: -31.8%, from -24.3%
    verdict, flips, digest = messages
    assert verdict["title"] == (
        "Small caps lead crypto: verdict changed from supported to mixed (week to 21 November 2025)"
    )
    assert "(score 0.65, a week earlier 0.70)" in verdict["body"]
    flip = (
        f"- [Bitcoin's pullback looks mid-cycle]({SITE}checks/btc_mid_cycle/) "
        "pass → warn: -31.8%, a week earlier -24.3%"
    )
    assert flip in verdict["body"] and flip in flips["body"] and flip in digest["body"]
    assert digest["title"] == (
        "Small caps lead crypto: week to 21 November 2025: verdict now mixed (score 0.65)"
    )
    assert f"{SITE}blog/2025/11/21/weekly-update/" in digest["body"]


def test_dry_run_on_sample_data_labels_it(no_cache, capsys):
    assert main(["notify", "--as-of", "2025-11-21", "--dry-run"]) == 0
    messages = lines(capsys.readouterr().out)
    assert messages[-1]["channel"] == "digest"
    assert all(m["title"].startswith("[sample data] ") for m in messages)
    assert all("**Sample data**" in m["body"] for m in messages)


def test_sending_refuses_sample_data(no_cache, monkeypatch, capsys):
    with serve() as fake:
        monkeypatch.setenv("GITHUB_TOKEN", "test-token")
        monkeypatch.setenv("GITHUB_REPOSITORY", REPO)
        monkeypatch.setenv("GITHUB_API_URL", fake.url)
        assert main(["notify", "--as-of", "2025-11-21"]) == 3
        assert fake.requests == []
    assert "refuses sample data" in capsys.readouterr().err


@pytest.mark.realdata
def test_a_real_week_reaches_github_and_apprise_once(real_data, receiver, monkeypatch, capsys):
    with serve() as fake:
        monkeypatch.setenv("GITHUB_TOKEN", "test-token")
        monkeypatch.setenv("GITHUB_REPOSITORY", REPO)
        monkeypatch.setenv("GITHUB_API_URL", fake.url)
        monkeypatch.setenv("APPRISE_URLS", f"{receiver.base}/chat\ndigest={receiver.base}/all")
        monkeypatch.setenv("SITE_URL", SITE)
        argv = ["notify", "--data", str(real_data), "--as-of", "2025-11-21"]
        assert main(argv) == 0
        [verdict] = fake.by_label("verdict-change")
        [status] = fake.by_label("status")
        assert "from supported to mixed" in verdict["title"]
        assert fake.labels(status["number"]) == {"thesis-notify", "status", "verdict: mixed"}
        assert fake.by_label("alarm") == []  # the data is fresh on its own date
        assert [t.split(": ")[1] for t in receiver.titles("/chat")] == [
            "verdict changed from supported to mixed (week to 21 November 2025)",
            "1 check changed status (week to 21 November 2025)",
        ]
        assert len(receiver.titles("/all")) == 3
        out = capsys.readouterr().err
        assert f"opened issue #{verdict['number']}" in out and "Push: 3 sent" in out

        # the same week again: nothing new on GitHub, so nothing pushed either
        writes, pushes = len(fake.writes()), len(receiver.got)
        assert main(argv) == 0
        assert len(fake.writes()) == writes and len(receiver.got) == pushes
        assert "Push: 0 sent" in capsys.readouterr().err


def test_the_alarm_of_a_failed_run_reads_no_data(tmp_path, monkeypatch):
    with serve() as fake:
        monkeypatch.setenv("GITHUB_TOKEN", "test-token")
        monkeypatch.setenv("GITHUB_REPOSITORY", REPO)
        monkeypatch.setenv("GITHUB_API_URL", fake.url)
        monkeypatch.setenv("GITHUB_SERVER_URL", "https://github.com")
        monkeypatch.setenv("GITHUB_RUN_ID", "4242")
        missing = tmp_path / "no-such-folder"
        assert main(["notify", "--alarm", "failed", "--data", str(missing)]) == 0
        [alarm] = fake.by_label("alarm")
        assert alarm["state"] == "open"
        assert alarm["title"].startswith("Small caps lead crypto: alarm: the weekly update failed")
        assert f"https://github.com/{REPO}/actions/runs/4242" in alarm["body"]


def test_without_token_or_urls_nothing_is_sent(capsys):
    assert main(["notify", "--alarm", "failed"]) == 0
    out = capsys.readouterr().err
    assert "GITHUB_TOKEN is not set" in out and "APPRISE_URLS is not set" in out


@pytest.mark.realdata
def test_a_fresh_week_closes_the_alarm_and_pushes_the_recovery(real_data, receiver, monkeypatch):
    with serve() as fake:
        alarm = fake.add_issue("alarm: the weekly update failed", "", ["thesis-notify", "alarm"])
        monkeypatch.setenv("GITHUB_TOKEN", "test-token")
        monkeypatch.setenv("GITHUB_REPOSITORY", REPO)
        monkeypatch.setenv("GITHUB_API_URL", fake.url)
        monkeypatch.setenv("APPRISE_URLS", f"{receiver.base}/chat")
        assert main(["notify", "--data", str(real_data), "--as-of", "2025-11-21"]) == 0
        assert fake.issues[alarm]["state"] == "closed"
        assert receiver.titles("/chat")[-1] == (
            "Small caps lead crypto: recovered: the weekly update works again"
        )


@pytest.mark.realdata
@pytest.mark.parametrize(
    ("friday", "told"),
    [
        # BTC closed at 124,752.53 on 2025-10-06; its first close at or below half of that
        # is 60,922.67 on Friday 2026-06-05 (read off BTC-USD.csv with awk): the 2025 top
        # is confirmed that day, so "the cycle peaks in 2026" is missed that week, and only
        ("2026-05-29", False),
        ("2026-06-05", True),
        ("2026-06-12", False),
    ],
)
def test_a_forecast_is_told_the_week_it_resolves(real_data, capsys, friday, told):
    code = main(["notify", "--data", str(real_data), "--as-of", friday, "--dry-run"])
    assert code == 0
    forecasts = [m for m in lines(capsys.readouterr().out) if m["channel"] == "forecast"]
    if not told:
        assert forecasts == []
        return
    [message] = forecasts
    assert message["title"].endswith("forecast missed: The cycle peaks in 2026, not 2025")
    assert "resolved on 5 June 2026: **missed**" in message["body"]
    assert "124,753 on 2025-10-06" in message["body"] and "60,923" in message["body"]


@pytest.mark.parametrize(
    ("error", "code"),
    [
        (GeneratorError, 2),  # the user's input
        (GitHubError, 1),  # a service failed: the run should be looked at
        (PushError, 1),
        (pipeline.SampleRefused, 3),
    ],
)
def test_each_error_class_carries_its_documented_exit_status(error, code):
    assert error("x").exit_code == code

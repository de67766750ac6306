"""The GitHub side of notify, against a fake API on 127.0.0.1: the REST client's rate-limit
waits, 5xx retries and pagination; the issues a week opens, updates and closes; and that a
re-run of the same week writes nothing."""

from __future__ import annotations

import re

import pytest

from generator.errors import GeneratorError
from generator.notify.decide import (
    Flip,
    Links,
    Staleness,
    Week,
    decide,
    failed_message,
    recovered_message,
)
from generator.notify.github import SECONDARY_LIMIT_WAIT, GitHubClient, GitHubError
from generator.notify.issues import marker, publish
from tests.fake_github import REPO, Canned, FakeGitHub, serve

NOW = 1_700_000_000.0
LINKS = Links("https://someone.github.io/thesis/")
FRESH = Staleness(newest="2025-11-21", age_days=1, limit_days=10)
STALE = Staleness(newest="2025-10-31", age_days=22, limit_days=10)


@pytest.fixture
def fake():
    with serve() as fake:
        yield fake


def client_for(fake: FakeGitHub, **kwargs) -> tuple[GitHubClient, list[float]]:
    slept: list[float] = []
    client = GitHubClient(
        token="test-token",
        repo=REPO,
        api_url=fake.url,
        sleep=slept.append,
        clock=lambda: NOW,
        **kwargs,
    )
    return client, slept


# ------------------------------------------------------------------- the REST client

LIMITED = {"x-ratelimit-remaining": "0", "x-ratelimit-reset": str(int(NOW) + 5)}
SECONDARY = {"message": "You have exceeded a secondary rate limit. Please wait."}


@pytest.mark.parametrize(
    ("answers", "waits", "error"),
    [
        ([], [], None),
        # primary limit: wait until the reset second has passed (5 s + the second itself)
        ([Canned(403, LIMITED, {"message": "API rate limit exceeded"})], [6.0], None),
        ([Canned(429, {"Retry-After": "3"})], [3.0], None),
        ([Canned(403, {"Retry-After": "7"}, SECONDARY)], [7.0], None),
        ([Canned(403, {}, SECONDARY)], [SECONDARY_LIMIT_WAIT], None),
        ([Canned(429, {})], [SECONDARY_LIMIT_WAIT], None),
        # 5xx: backoff 1, 2, 4 seconds, then give up
        ([Canned(502), Canned(503)], [1.0, 2.0], None),
        ([Canned(500)] * 3, [1.0, 2.0, 4.0], None),
        ([Canned(500)] * 4, [1.0, 2.0, 4.0], "HTTP 500 after 4 tries"),
        ([Canned(429, {"Retry-After": "1"})] * 4, [1.0, 1.0, 1.0], "still rate limited"),
        # a limit that lasts longer than the run waits: fail at once, saying so
        (
            [Canned(403, {**LIMITED, "x-ratelimit-reset": str(int(NOW) + 3600)})],
            [],
            "rate limited (HTTP 403) for 3601 more seconds",
        ),
        ([Canned(429, {"Retry-After": "600"})], [], "rate limited (HTTP 429)"),
        # a 403 that is about permissions: waiting does not help
        (
            [Canned(403, {}, {"message": "Resource not accessible by integration"})],
            [],
            "HTTP 403: Resource not accessible by integration",
        ),
        ([Canned(404, {}, {"message": "Not Found"})], [], "HTTP 404: Not Found"),
    ],
    ids=[
        "ok",
        "403-remaining-0",
        "429-retry-after",
        "403-retry-after",
        "403-secondary",
        "429-bare",
        "5xx-twice",
        "5xx-three-times",
        "5xx-four-times",
        "429-forever",
        "reset-too-far",
        "retry-after-too-far",
        "403-permission",
        "404",
    ],
)
def test_client_waits_retries_and_gives_up(fake, answers, waits, error):
    fake.failures.extend(answers)
    client, slept = client_for(fake)
    if error is None:
        assert client.issues("thesis-notify") == []
    else:
        with pytest.raises(GitHubError, match=re.escape(error)):
            client.issues("thesis-notify")
    assert slept == waits
    tries = len(waits) + 1
    assert len(fake.requests) == tries


def test_client_retries_a_dropped_connection_then_says_so():
    slept: list[float] = []
    # nothing listens on port 9 (discard) of 127.0.0.1 here: every connection is refused
    client = GitHubClient(
        token="test-token", repo=REPO, api_url="http://127.0.0.1:9", sleep=slept.append
    )
    with pytest.raises(GitHubError, match="no answer after 4 tries"):
        client.issues("thesis-notify")
    assert slept == [1.0, 2.0, 4.0]


def test_client_follows_every_page(fake):
    fake.page_size = 2
    for n in range(5):
        fake.add_issue(f"issue {n}", "", ["thesis-notify"])
    fake.add_issue("someone else's", "", ["bug"])
    client, _ = client_for(fake)
    assert [i["title"] for i in client.issues("thesis-notify")] == [f"issue {n}" for n in range(5)]
    pages = [target for method, target, _, _ in fake.requests if method == "GET"]
    assert len(pages) == 3
    assert all("labels=thesis-notify" in p for p in pages)


def test_client_retries_a_page_after_a_5xx(fake):
    fake.page_size = 2
    for n in range(3):
        fake.add_issue(f"issue {n}", "", ["thesis-notify"])
    client, slept = client_for(fake)
    pages = client.paginate(f"/repos/{REPO}/issues", {"labels": "thesis-notify"})
    first = [next(pages), next(pages)]
    fake.failures.append(Canned(502))
    assert [i["title"] for i in first + list(pages)] == ["issue 0", "issue 1", "issue 2"]
    assert slept == [1.0]


def test_client_never_sends_the_token_to_another_host(fake):
    fake.add_issue("one", "", ["thesis-notify"])
    fake.failures.append(
        Canned(200, {"Link": '<https://elsewhere.example/x?page=2>; rel="next"'}, [])
    )
    client, _ = client_for(fake)
    with pytest.raises(GitHubError, match="refusing a next page outside"):
        client.issues("thesis-notify")


def test_client_sends_the_token_and_api_version(fake):
    client, _ = client_for(fake)
    client.issues("thesis-notify")
    _, _, headers, _ = fake.requests[0]
    assert headers["authorization"] == "Bearer test-token"
    assert headers["x-github-api-version"] == "2022-11-28"


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({}, None),
        ({"GITHUB_TOKEN": "  "}, None),
        ({"GITHUB_TOKEN": "t", "GITHUB_REPOSITORY": "a/b"}, ("a/b", "https://api.github.com")),
        (
            {"GITHUB_TOKEN": "t", "GITHUB_REPOSITORY": "a/b", "GITHUB_API_URL": "http://x/api/"},
            ("a/b", "http://x/api"),
        ),
        ({"GITHUB_TOKEN": "t"}, "GITHUB_REPOSITORY"),
        ({"GITHUB_TOKEN": "t", "GITHUB_REPOSITORY": "no-slash"}, "expected owner/name"),
        ({"GITHUB_TOKEN": "t", "GITHUB_REPOSITORY": "a/b/c"}, "expected owner/name"),
    ],
)
def test_client_from_the_environment(env, expected):
    if isinstance(expected, str):
        with pytest.raises(GeneratorError, match=expected):
            GitHubClient.from_env(env)
        return
    client = GitHubClient.from_env(env)
    if expected is None:
        assert client is None
    else:
        assert (client.repo, client.api_url) == expected


# ------------------------------------------------------------------- issues, week by week


def week(day, verdict, previous, score=0.6, previous_score=0.5, flips=()):
    return Week(
        date=day,
        verdict=verdict,
        previous_verdict=previous,
        score=score,
        previous_score=previous_score,
        flips=tuple(flips),
        site_title="Small caps lead crypto",
    )


FLIP = Flip("rut_near_high", "Russell 2000 near its high", "warn", "pass", "-2.0%", "-6.0%")


def run_week(fake, w, staleness=FRESH):
    client, _ = client_for(fake)
    recovered = None if staleness.stale else recovered_message(w, staleness)
    return publish(client, decide(w, staleness, [], LINKS), recovered=recovered)


def test_a_verdict_change_opens_a_labelled_issue_with_links(fake):
    outcome = run_week(fake, week("2025-11-21", "supported", "mixed", flips=[FLIP]))
    [issue] = fake.by_label("verdict-change")
    assert issue["title"] == (
        "Small caps lead crypto: verdict changed from mixed to supported (week to 21 November 2025)"
    )
    assert fake.labels(issue["number"]) == {
        "thesis-notify",
        "verdict-change",
        "verdict: supported",
    }
    body = issue["body"]
    assert body.startswith(marker("2025-11-21:verdict"))
    assert "https://someone.github.io/thesis/blog/2025/11/21/weekly-update/" in body
    assert "https://someone.github.io/thesis/checks/rut_near_high/" in body
    assert "warn → pass: -2.0%, a week earlier -6.0%" in body
    # the status issue: created, pinned, this week's comment
    [status] = fake.by_label("status")
    assert status["title"] == "Small caps lead crypto: weekly status"
    assert fake.pinned == [status["number"]]
    assert fake.labels(status["number"]) == {"thesis-notify", "status", "verdict: supported"}
    [comment] = fake.comments[status["number"]]
    assert marker("2025-11-21:digest") in comment["body"]
    assert outcome.new_keys == {"2025-11-21:verdict", "2025-11-21:digest"}
    assert outcome.warnings == []


def test_a_rerun_of_the_same_week_writes_nothing(fake):
    w = week("2025-11-21", "supported", "mixed", flips=[FLIP])
    run_week(fake, w)
    before = len(fake.writes())
    outcome = run_week(fake, w)
    assert fake.writes()[before:] == []
    assert outcome.new_keys == set()
    assert len(fake.issues) == 2


def test_the_weeks_after_update_the_status_issue_and_flip_back_closes(fake):
    run_week(fake, week("2025-11-07", "supported", "mixed"))
    run_week(fake, week("2025-11-14", "supported", "supported", flips=[FLIP]))
    [status] = fake.by_label("status")
    assert len(fake.comments[status["number"]]) == 2
    assert "Score 0.60 (a week earlier 0.50)" in fake.issues[status["number"]]["body"]
    [first] = fake.by_label("verdict-change")
    assert first["state"] == "open"

    run_week(fake, week("2025-11-21", "mixed", "supported"))  # flips back
    first, second = sorted(fake.by_label("verdict-change"), key=lambda i: i["number"])
    assert (first["state"], second["state"]) == ("closed", "open")
    assert "flipped-back" in fake.labels(first["number"])
    [note] = fake.comments[first["number"]]
    assert f"now **mixed** (#{second['number']}), back to where it was" in note["body"]
    # the status issue is relabelled with the verdict of the week
    assert fake.labels(status["number"]) == {"thesis-notify", "status", "verdict: mixed"}
    assert fake.pinned == [status["number"]]  # pinned once, when it was opened

    # a change to "insufficient data" is a change like any other, and not a flip back
    run_week(fake, week("2025-11-28", "insufficient data", "mixed", score=None))
    second, third = sorted(fake.by_label("verdict-change"), key=lambda i: i["number"])[1:]
    assert (second["state"], third["state"]) == ("closed", "open")
    assert "flipped-back" not in fake.labels(second["number"])
    assert "from mixed to insufficient data" in third["title"]


def test_a_status_issue_closed_by_hand_is_reopened(fake):
    run_week(fake, week("2025-11-14", "mixed", "mixed"))
    [status] = fake.by_label("status")
    status["state"] = "closed"
    run_week(fake, week("2025-11-21", "mixed", "mixed"))
    assert status["state"] == "open"
    assert len(fake.comments[status["number"]]) == 2


def test_a_pin_refused_is_a_warning_not_a_failure(fake):
    fake.pin_error = "Resource not accessible by integration"
    outcome = run_week(fake, week("2025-11-21", "mixed", "mixed"))
    [status] = fake.by_label("status")
    assert fake.pinned == []
    assert len(outcome.warnings) == 1 and "pin it by hand" in outcome.warnings[0]
    assert len(fake.comments[status["number"]]) == 1


def test_stale_data_opens_one_alarm_that_closes_on_fresh_data(fake):
    run_week(fake, week("2025-11-14", "mixed", "mixed"), STALE)
    [alarm] = fake.by_label("alarm")
    assert alarm["state"] == "open"
    assert "alarm: the data is 22 days old" in alarm["title"]
    run_week(fake, week("2025-11-14", "mixed", "mixed"), STALE)  # re-run: nothing new
    assert len(fake.by_label("alarm")) == 1 and fake.comments[alarm["number"]] == []
    run_week(fake, week("2025-11-21", "mixed", "mixed"), STALE)  # still stale a week on
    assert len(fake.by_label("alarm")) == 1 and len(fake.comments[alarm["number"]]) == 1
    outcome = run_week(fake, week("2025-11-28", "mixed", "mixed"), FRESH)
    assert alarm["state"] == "closed"
    assert "2025-11-28:recovered" in outcome.new_keys
    assert fake.comments[alarm["number"]][-1]["body"].endswith(
        "Recovered: the weekly run for the week to 28 November 2025 succeeded with fresh "
        "data (newest 21 November 2025, 1 day old)."
    )
    outcome = run_week(fake, week("2025-11-28", "mixed", "mixed"), FRESH)  # run again
    assert len(fake.comments[alarm["number"]]) == 2
    assert "2025-11-28:recovered" not in outcome.new_keys


def test_a_failed_run_raises_the_alarm_once_per_run(fake):
    client, _ = client_for(fake)
    url = "https://github.com/someone/thesis/actions/runs/42"
    failed = failed_message("Small caps lead crypto", "2025-11-22", url, "42")
    assert publish(client, [failed]).new_keys == {"alarm:failed:42"}
    assert publish(client, [failed]).new_keys == set()  # the same run, re-run
    [alarm] = fake.by_label("alarm")
    assert url in alarm["body"] and alarm["state"] == "open"
    again = failed_message("Small caps lead crypto", "2025-11-29", url[:-2] + "43", "43")
    assert publish(client, [again]).new_keys == {"alarm:failed:43"}
    assert len(fake.by_label("alarm")) == 1
    assert marker("alarm:failed:43") in fake.comments[alarm["number"]][0]["body"]
    run_week(fake, week("2025-12-05", "mixed", "mixed"), FRESH)
    assert alarm["state"] == "closed"


def test_other_issues_and_pull_requests_are_left_alone(fake):
    mine = fake.add_issue("a bug", "<!-- thesis-notify:2025-11-21:verdict -->", ["bug"])
    pr = fake.add_issue("a PR", "", ["thesis-notify", "verdict-change"])
    fake.issues[pr]["pull_request"] = {"url": "x"}
    run_week(fake, week("2025-11-21", "supported", "mixed"))
    assert fake.issues[mine]["state"] == "open" and fake.issues[pr]["state"] == "open"
    assert len(fake.by_label("verdict-change")) == 2  # the PR and the new issue


def test_labels_are_created_with_their_colours_once(fake):
    fake.repo_labels["status"] = {"name": "status", "color": "000000", "description": "mine"}
    run_week(fake, week("2025-11-14", "supported", "mixed"))
    assert {n: lab["color"] for n, lab in fake.repo_labels.items()} == {
        "status": "000000",  # the repository's own label is kept as it is
        "thesis-notify": "5319e7",
        "verdict-change": "fbca04",
        "verdict: supported": "bfdadc",
    }
    created = [p for m, p in fake.writes() if p.endswith("/labels")]
    assert len(created) == 3
    run_week(fake, week("2025-11-21", "mixed", "supported"))  # flips back
    new = [p for m, p in fake.writes() if p.endswith("/labels")][3:]
    # "verdict: mixed" and "flipped-back" are new; flipped-back is then added to the issue
    assert {n for n in fake.repo_labels} >= {"verdict: mixed", "flipped-back"}
    assert new == [
        f"/repos/{REPO}/labels",
        f"/repos/{REPO}/labels",
        f"/repos/{REPO}/issues/1/labels",
    ]


def test_a_past_week_run_again_leaves_the_later_state_alone(fake):
    run_week(fake, week("2025-11-14", "supported", "mixed"))
    run_week(fake, week("2025-11-21", "mixed", "supported"))
    [status] = fake.by_label("status")
    body = status["body"]
    before = {n: (i["state"], fake.labels(n)) for n, i in fake.issues.items()}
    # an older change that was never announced (say, a dispatch with as_of 2025-10-31)
    outcome = run_week(fake, week("2025-10-31", "not supported", "mixed"))
    assert {n: (i["state"], fake.labels(n)) for n, i in fake.issues.items()} == before
    assert status["body"] == body  # still the week to 21 November
    assert "later change (2025-11-21)" in " ".join(outcome.log)
    assert marker("2025-10-31:digest") in fake.comments[status["number"]][-1]["body"]

"""What a week deserves: tables of weeks worked out by hand, a property over any week,
the data's age, and the hook through which resolved forecasts arrive."""

from __future__ import annotations

from types import SimpleNamespace

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from generator.notify.decide import (
    CHANNELS,
    Flip,
    Links,
    ResolvedForecast,
    Staleness,
    Week,
    decide,
    failed_message,
)
from generator.notify.week import resolved_forecasts, staleness

LINKS = Links("https://someone.github.io/thesis")  # no trailing slash: one is added
FRESH = Staleness("2025-11-21", 0, 10)
FLIP = Flip("fed_cutting", "The Fed is cutting", "warn", "pass", "-0.30 pp", "-0.10 pp")


def week(verdict="mixed", previous="mixed", flips=(), score=0.55, previous_score=0.5, demo=False):
    return Week(
        date="2025-11-21",
        verdict=verdict,
        previous_verdict=previous,
        score=score,
        previous_score=previous_score,
        flips=tuple(flips),
        site_title="Thesis",
        demo=demo,
    )


@pytest.mark.parametrize(
    ("w", "fresh", "channels", "first_title"),
    [
        (week(), FRESH, ["digest"], "Thesis: week to 21 November 2025: still mixed (score 0.55)"),
        (
            week("supported", "mixed", [FLIP], 0.75),
            FRESH,
            ["verdict", "flips", "digest"],
            "Thesis: verdict changed from mixed to supported (week to 21 November 2025)",
        ),
        (
            week("insufficient data", "mixed", score=None),
            FRESH,
            ["verdict", "digest"],
            "Thesis: verdict changed from mixed to insufficient data (week to 21 November 2025)",
        ),
        (
            week("mixed", "insufficient data"),
            FRESH,
            ["verdict", "digest"],
            "Thesis: verdict changed from insufficient data to mixed (week to 21 November 2025)",
        ),
        (
            week(flips=[FLIP]),
            FRESH,
            ["flips", "digest"],
            "Thesis: 1 check changed status (week to 21 November 2025)",
        ),
        (
            week(flips=[FLIP, FLIP]),
            FRESH,
            ["flips", "digest"],
            "Thesis: 2 checks changed status (week to 21 November 2025)",
        ),
        # the first week of a history: nothing changed, nothing to compare
        (
            week(previous=None),
            FRESH,
            ["digest"],
            "Thesis: week to 21 November 2025: verdict mixed (score 0.55)",
        ),
        (
            week(),
            Staleness("2025-11-10", 11, 10),
            ["alarm", "digest"],
            "Thesis: alarm: the data is 11 days old",
        ),
        (week(), Staleness("2025-11-11", 10, 10), ["digest"], None),  # 10 days is the limit
        (week(), Staleness(None, None, 10), ["alarm", "digest"], "Thesis: alarm: no market data"),
        (
            week(demo=True),
            FRESH,
            ["digest"],
            "[sample data] Thesis: week to 21 November 2025: still mixed (score 0.55)",
        ),
    ],
    ids=[
        "quiet",
        "verdict-up",
        "to-insufficient",
        "from-insufficient",
        "one-flip",
        "two-flips",
        "first-week",
        "stale",
        "at-limit",
        "no-data",
        "sample",
    ],
)
def test_what_a_week_deserves(w, fresh, channels, first_title):
    messages = decide(w, fresh, [], LINKS)
    assert [m.channel for m in messages] == channels
    if first_title is not None:
        assert messages[0].title == first_title


def test_the_verdict_message_links_the_post_and_the_checks():
    [verdict, flips, digest] = decide(week("supported", "mixed", [FLIP], 0.75), FRESH, [], LINKS)
    assert verdict.labels == ("thesis-notify", "verdict-change", "verdict: supported")
    assert verdict.meta == {"from": "mixed", "to": "supported", "date": "2025-11-21"}
    expected_flip = (
        "- [The Fed is cutting](https://someone.github.io/thesis/checks/fed_cutting/) "
        "warn → pass: -0.30 pp, a week earlier -0.10 pp"
    )
    for message in (verdict, flips, digest):
        assert expected_flip in message.body
        assert "https://someone.github.io/thesis/blog/2025/11/21/weekly-update/" in message.body
    assert "(score 0.75, a week earlier 0.50)" in verdict.body
    assert verdict.to_json() == {
        "channel": "verdict",
        "title": verdict.title,
        "body": verdict.body,
    }


def test_a_sample_week_says_so_in_every_body():
    messages = decide(week("supported", "mixed", [FLIP], demo=True), FRESH, [], LINKS)
    assert all(
        "**Sample data**" in m.body and m.title.startswith("[sample data]") for m in messages
    )


def test_a_failed_run_links_the_run():
    message = failed_message("Thesis", "2025-11-22", "https://github.com/a/b/actions/runs/7", "7")
    assert (message.channel, message.key) == ("alarm", "alarm:failed:7")
    assert message.title == "Thesis: alarm: the weekly update failed (22 November 2025)"
    assert message.body.endswith("The run: https://github.com/a/b/actions/runs/7")
    assert failed_message("Thesis", "2025-11-22", None, None).key == "alarm:failed:2025-11-22"


verdicts = st.sampled_from(["supported", "mixed", "not supported", "insufficient data"])
statuses = st.sampled_from(["pass", "warn", "fail", "unknown"])
flips = st.lists(
    st.builds(
        Flip,
        check_id=st.sampled_from(["rut_near_high", "fed_cutting", "m2_growth"]),
        before=statuses,
        now=statuses,
    ),
    max_size=4,
)
scores = st.none() | st.floats(0, 1)


# the machine is shared: judge the property, not the speed of one example
@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    verdict=verdicts,
    previous=st.none() | verdicts,
    score=scores,
    previous_score=scores,
    changed=flips,
    age=st.none() | st.integers(0, 400),
    n_forecasts=st.integers(0, 3),
)
def test_any_week(verdict, previous, score, previous_score, changed, age, n_forecasts):
    w = Week("2025-11-21", verdict, previous, score, previous_score, tuple(changed), "T")
    fresh = Staleness(None if age is None else "2025-11-01", age, 10)
    forecasts = [
        ResolvedForecast(f"f{i}", f"prediction {i}", "hit", "2025-11-20")
        for i in range(n_forecasts)
    ]
    messages = decide(w, fresh, forecasts, LINKS)
    channels = [m.channel for m in messages]
    # always exactly one digest, last; channels in their fixed order; every key once
    assert channels[-1] == "digest" and channels.count("digest") == 1
    assert channels == sorted(channels, key=CHANNELS.index)
    assert len({m.key for m in messages}) == len(messages)
    changed_verdict = previous is not None and previous != verdict
    assert channels.count("verdict") == int(changed_verdict)
    if changed_verdict:
        title = messages[channels.index("verdict")].title
        assert f"from {previous} to {verdict}" in title
    assert channels.count("flips") == int(bool(changed))
    assert channels.count("forecast") == n_forecasts
    assert channels.count("alarm") == int(age is None or age > 10)
    assert all(m.title and m.body for m in messages)


# ------------------------------------------------------------------ the data's age


def fake_ev(newest: str | None, as_of: str = "2025-11-21", **extra):
    latest = None if newest is None else pd.Timestamp(newest)
    data = SimpleNamespace(latest_date=lambda: latest)
    return SimpleNamespace(data=data, as_of=pd.Timestamp(as_of), **extra)


@pytest.mark.parametrize(
    ("newest", "reference", "age", "stale"),
    [
        ("2025-11-21", "2025-11-21", 0, False),
        ("2025-11-11", "2025-11-21", 10, False),
        ("2025-11-10", "2025-11-21", 11, True),
        ("2024-11-21", "2025-11-21", 365, True),
        (None, "2025-11-21", None, True),
    ],
)
def test_staleness_counts_days_from_the_newest_data(newest, reference, age, stale):
    found = staleness(fake_ev(newest), pd.Timestamp(reference))
    assert (found.age_days, found.stale, found.newest) == (age, stale, newest)


def test_staleness_takes_the_evaluations_own_freshness_on_its_own_date():
    own = SimpleNamespace(report_date=pd.Timestamp("2025-11-21"), age_days=12, limit_days=14)
    ev = fake_ev("2025-11-21", freshness=own)
    found = staleness(ev, pd.Timestamp("2025-11-21"))
    assert (found.age_days, found.limit_days, found.stale) == (12, 14, False)
    # on another reference date (a default run measures against today) it counts itself,
    # against the thesis's own limit
    found = staleness(ev, pd.Timestamp("2025-12-06"))
    assert (found.age_days, found.limit_days, found.stale) == (15, 14, True)


# ------------------------------------------------------------------ resolved forecasts


def forecast_evaluation(closes: dict[str, float]):
    """An evaluation holding one forecast (a new Bitcoin high during 2026) and its closes."""
    from generator.config import ForecastSpec
    from generator.forecasts import WindowParams

    spec = ForecastSpec(
        id="btc_new_high_2026",
        kind="new_high_within",
        title="Bitcoin sets a new all-time high during 2026",
    )
    params = WindowParams(series="btc", start="2026-01-01", end="2026-12-31")
    values = pd.Series(closes, dtype=float)
    values.index = pd.to_datetime(values.index)
    series = SimpleNamespace(values=values, lag_days=0, name="Bitcoin")
    return SimpleNamespace(thesis=SimpleNamespace(forecasts=[(spec, params)]), data={"btc": series})


# the record before the window is 100 (1 Dec 2025); 101 on Wednesday 4 March 2026 beats it
HIT_ON_4_MARCH = {"2025-12-01": 100.0, "2026-03-02": 90.0, "2026-03-04": 101.0}
# no close beats 100, and the closes reach the window's last day on Thursday 31 December
MISSED_ON_31_DECEMBER = {
    "2025-12-01": 100.0,
    **{f"2026-12-{d:02d}": 95.0 for d in range(20, 32)},
    "2027-01-01": 96.0,
}


@pytest.mark.parametrize(
    ("closes", "friday", "expected"),
    [
        (HIT_ON_4_MARCH, "2026-02-27", None),  # before the new high: open, nothing to say
        (HIT_ON_4_MARCH, "2026-03-06", ("hit", "2026-03-04")),  # the week it happened
        (HIT_ON_4_MARCH, "2026-03-13", None),  # a week later: already told
        (MISSED_ON_31_DECEMBER, "2026-12-25", None),  # the window is still open
        (MISSED_ON_31_DECEMBER, "2027-01-01", ("missed", "2026-12-31")),
        (MISSED_ON_31_DECEMBER, "2027-01-08", None),
    ],
)
def test_forecasts_resolved_in_the_week(closes, friday, expected):
    found = resolved_forecasts(forecast_evaluation(closes), pd.Timestamp(friday))
    got = (found[0].status, found[0].resolved_on) if found else None
    assert got == expected


def test_a_forecast_whose_data_stops_is_not_told_as_resolved():
    # the closes stop on 20 December: past the window the forecast is unresolved, never
    # missed, and unresolved is no news for followers
    closes = {"2025-12-01": 100.0, "2026-12-20": 95.0}
    assert resolved_forecasts(forecast_evaluation(closes), pd.Timestamp("2027-01-01")) == []


def test_an_evaluation_without_forecasts_resolves_none():
    assert resolved_forecasts(SimpleNamespace(), pd.Timestamp("2025-11-21")) == []


def test_a_resolved_forecast_gets_its_message():
    ev = forecast_evaluation(HIT_ON_4_MARCH)
    [forecast] = resolved_forecasts(ev, pd.Timestamp("2026-03-06"))
    w = Week("2026-03-06", "mixed", "mixed", 0.5, 0.5, (), "Thesis")
    [message, _digest] = decide(w, FRESH, [forecast], LINKS)
    assert message.channel == "forecast" and message.key == "forecast:btc_new_high_2026"
    assert message.title == "Thesis: forecast hit: Bitcoin sets a new all-time high during 2026"
    assert "resolved on 4 March 2026: **hit**" in message.body
    assert "Bitcoin closed at 101.00 on 2026-03-04" in message.body


def test_a_long_verdict_still_makes_a_valid_label():
    long = "supported, with the caveat that the small caps lead by months"
    [verdict, _digest] = decide(week(long, "mixed"), FRESH, [], LINKS)
    assert verdict.labels[-1] == f"verdict: {long}"[:50] and len(verdict.labels[-1]) == 50
    assert f"from mixed to {long}" in verdict.title  # the title keeps the whole verdict

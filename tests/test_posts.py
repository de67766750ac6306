"""Weekly update posts: sentences worked out by hand, flips read from the history,
determinism, the sample-data refusal, and the blog and feed built with and without posts."""

from __future__ import annotations

import re
import shutil
import xml.etree.ElementTree as ET
from dataclasses import replace
from email.utils import parsedate_to_datetime
from pathlib import Path

import pandas as pd
import pytest
import yaml

from generator import pipeline, posts
from generator.cli import main
from generator.data import load_market_data
from generator.errors import GeneratorError
from generator.evaluate import evaluate
from generator.posts import CheckWeek, WeeklyUpdate
from generator.render import GENERATED, render_site, write_site
from generator.sources.csvdir import CsvDirSource

ROOT = Path(__file__).resolve().parents[1]
SAMPLE_AS_OF = pd.Timestamp("2025-11-21")
SHARED_DATA = ROOT.parent / "shared" / "data"


@pytest.fixture(scope="module")
def thesis(default_thesis):
    return default_thesis


@pytest.fixture(scope="module")
def sample_ev(default_thesis, sample_data):
    return evaluate(default_thesis, sample_data, SAMPLE_AS_OF)


@pytest.fixture(scope="module")
def checks(thesis):
    return {c.id: c for c in thesis.checks}


@pytest.fixture
def no_cache(tmp_path, monkeypatch):
    """No data/ cache, as in a fresh clone: only the sample data is left."""
    monkeypatch.setattr(pipeline, "DEFAULT_CACHE", tmp_path / "empty-cache")


def week(
    check,
    previous_status,
    status,
    previous_value=None,
    value=None,
    *,
    reason="",
    previous_reason="",
    typical=None,
    stale_since=None,
) -> CheckWeek:
    return CheckWeek(
        check=check,
        status=status,
        value=value,
        reason=reason,
        data_as_of=None,
        previous_status=previous_status,
        previous_value=previous_value,
        previous_reason=previous_reason,
        typical_move=typical,
        stale_since=stale_since,
        scored=True,
        # the evaluation flags staleness; these hand-made weeks say so by their reason
        stale=" is stale:" in reason,
        previous_stale=" is stale:" in previous_reason,
    )


def update(score, previous_score, verdict, previous_verdict, rows=(), first=False) -> WeeklyUpdate:
    return WeeklyUpdate(
        date=pd.Timestamp("2025-11-21"),
        previous=None if first else pd.Timestamp("2025-11-14"),
        score=score,
        previous_score=previous_score,
        verdict=verdict,
        previous_verdict=None if first else previous_verdict,
        rows=list(rows),
        newest=None,
        demo=False,
        history_start=pd.Timestamp("2015-01-02"),
    )


STALE = "Alt index (equal weight) is stale: latest value 2025-08-13, known for 86 days (limit 5)"
LINK = "**[Russell 2000 near its high](../../checks/rut_near_high.md)**"


# ------------------------------------------------------------------------ sentences


@pytest.mark.parametrize(
    ("before", "now", "values", "reason", "previous_reason", "sentence"),
    [
        (
            "pass",
            "warn",
            (-0.048, -0.06),
            "",
            "",
            f"{LINK} weakened from pass to warn: -6.0%, from -4.8% a week earlier "
            "(pass ≥ -5.0%; warn ≥ -10.0%).",
        ),
        (
            "fail",
            "pass",
            (-0.12, -0.01),
            "",
            "",
            f"{LINK} improved from fail to pass: -1.0%, from -12.0% a week earlier "
            "(pass ≥ -5.0%; warn ≥ -10.0%).",
        ),
        (
            "warn",
            "unknown",
            (-0.07, None),
            "Russell 2000 is stale: latest value 2025-11-07, known for 14 days (limit 5)",
            "",
            f"{LINK} became unknown (it was warn): Russell 2000 is stale: latest value "
            "2025-11-07, known for 14 days (limit 5).",
        ),
        (
            "unknown",
            "pass",
            (None, 0.0),
            "",
            "not enough data.",
            f"{LINK} is known again, at pass: 0.0% (pass ≥ -5.0%; warn ≥ -10.0%); "
            "a week earlier: not enough data.",
        ),
    ],
)
def test_flip_sentences(checks, before, now, values, reason, previous_reason, sentence):
    row = week(
        checks["rut_near_high"],
        before,
        now,
        *values,
        reason=reason,
        previous_reason=previous_reason,
    )
    assert row.flipped
    assert posts.flip_sentence(row) == sentence


@pytest.mark.parametrize(
    ("score", "previous", "verdict", "previous_verdict", "sentence"),
    [
        (
            0.65,
            0.70,
            "mixed",
            "supported",
            "The score fell from 0.70 to 0.65 (-0.05), and the verdict changed from supported "
            "to mixed.",
        ),
        (
            0.80,
            0.75,
            "supported",
            "supported",
            "The score rose from 0.75 to 0.80 (+0.05); the verdict is still supported.",
        ),
        (
            0.75,
            0.75,
            "supported",
            "supported",
            "The score held at 0.75; the verdict is still supported.",
        ),
        (
            0.5,
            None,
            "mixed",
            "unknown",
            "The score is 0.50; a week earlier no scored check could be computed, and the verdict "
            "changed from unknown to mixed.",
        ),
        (
            None,
            0.5,
            "unknown",
            "mixed",
            "No scored check could be computed, so there is no score and no verdict.",
        ),
    ],
)
def test_score_sentences(score, previous, verdict, previous_verdict, sentence):
    assert posts.score_sentence(update(score, previous, verdict, previous_verdict)) == sentence


@pytest.mark.parametrize(
    ("check_id", "values", "shown"),
    [
        ("fed_balance_sheet", (-0.0103, -0.00951), ("-0.95%", "-1.03%")),  # both -1.0% on the site
        ("fed_balance_sheet", (-0.0103, -0.0203), ("-2.0%", "-1.0%")),
        ("fed_balance_sheet", (-0.0103, -0.0103), ("-1.0%", "-1.0%")),
        ("fed_balance_sheet", (-0.009506, -0.009539), ("-1.0%", "-1.0%")),  # -0.95% both
        ("fed_cutting", (-0.3401, -0.3449), ("-0.345 pp", "-0.340 pp")),
        ("rut_above_resistance", (2, 2), ("2 levels", "2 levels")),
    ],
)
def test_values_that_round_alike_get_one_more_digit(checks, check_id, values, shown):
    assert posts.values_text(week(checks[check_id], "pass", "pass", *values)) == shown


def test_first_week_of_the_history(checks):
    rows = [
        week(checks["rut_near_high"], None, "pass", None, -0.01),
        week(checks["btc_mid_cycle"], None, "warn", None, -0.35),
    ]
    first = update(0.75, None, "supported", None, rows, first=True)
    assert posts.score_sentence(first) == "The score is 0.75, so the thesis is supported."
    assert posts.flips_summary(first) == "This is the first week of the history: 1 pass, 1 warn."
    assert first.flips == [] and first.moves == []


def test_flips_summary_counts_better_worse_and_unknown(checks):
    rows = [
        week(checks["rut_near_high"], "pass", "warn"),
        week(checks["btc_mid_cycle"], "fail", "warn"),
        week(checks["fed_cutting"], "warn", "pass"),
        week(checks["alt_season"], "pass", "unknown", reason=STALE),
        week(checks["m2_growth"], "pass", "pass"),
    ]
    text = posts.flips_summary(update(0.5, 0.5, "mixed", "mixed", rows))
    assert text == "Four checks changed status (two better, one worse, one to or from unknown)."
    assert (
        posts.flips_summary(update(0.5, 0.5, "mixed", "mixed", rows[-1:]))
        == "No check changed status."
    )


@pytest.mark.parametrize(
    ("check_id", "values", "typical", "expected"),
    [
        # percent: the change in points, against the median of past non-zero weekly changes
        (
            "btc_mid_cycle",
            (-0.243, -0.318),
            0.03,
            "-31.8% from -24.3% (-7.5 points, 2.5 times its usual weekly move).",
        ),
        (
            "fed_cutting",
            (-0.30, -0.40),
            0.1,
            "-0.40 pp from -0.30 pp (-0.10 pp, about its usual weekly move).",
        ),
        (
            "rut_above_resistance",
            (3, 2),
            1.0,
            "2 levels from 3 levels (-1 levels, about its usual weekly move).",
        ),
        (
            "btc_equity_correlation",
            (0.60, 0.58),
            0.05,
            "0.58 from 0.60 (-0.02, 0.4 of its usual weekly move).",
        ),
    ],
)
def test_move_sentences(checks, check_id, values, typical, expected):
    row = week(checks[check_id], "pass", "pass", *values, typical=typical)
    assert posts.move_sentence(row).endswith(expected)


def test_biggest_moves_rank_by_usual_move_and_skip_the_unmeasurable(checks):
    rows = [
        week(checks["rut_near_high"], "pass", "pass", -0.01, -0.02, typical=0.01),  # 1x
        week(checks["btc_mid_cycle"], "pass", "pass", -0.10, -0.20, typical=0.02),  # 5x
        week(checks["fed_cutting"], "pass", "pass", -0.30, -0.60, typical=0.1),  # 3x
        week(checks["m2_growth"], "pass", "pass", 0.04, 0.05, typical=None),  # too few
        week(checks["eth_btc_trend"], "pass", "pass", 0.01, 0.01, typical=0.01),  # no move
        week(checks["net_liquidity"], "pass", "warn", 0.02, 0.0, typical=0.001),  # 20x
        week(checks["alt_season"], "pass", "unknown", 0.5, None, reason=STALE, typical=0.1),
    ]
    ranked = update(0.5, 0.5, "mixed", "mixed", rows).moves
    assert [r.check.id for r in ranked] == ["net_liquidity", "btc_mid_cycle", "fed_cutting"]


def test_stale_data_went_stale_still_stale_and_fresh_again(checks):
    rows = [
        week(checks["alt_season"], "pass", "unknown", reason=STALE),
        week(
            checks["lag_structure"],
            "unknown",
            "unknown",
            reason=STALE,
            previous_reason=STALE,
            stale_since="2025-08-22",
        ),
        week(checks["rut_near_high"], "unknown", "warn", -0.06, previous_reason=STALE),
        week(
            checks["m2_growth"],
            "unknown",
            "unknown",
            reason="not enough data",
            previous_reason="not enough data",
        ),
    ]
    weekly = update(0.5, 0.5, "mixed", "mixed", rows)
    assert [r.check.id for r in weekly.went_stale] == ["alt_season"]
    assert [r.check.id for r in weekly.still_stale] == ["lag_structure"]
    assert [r.check.id for r in weekly.fresh_again] == ["rut_near_high"]
    assert posts.stale_sentence(weekly.went_stale[0]) == (
        f"**[Altcoins beating Bitcoin](../../checks/alt_season.md)** is now unknown: {STALE}."
    )
    assert posts.still_stale_sentence(weekly.still_stale) == (
        "Still unknown because their data is stale: **[Small caps high, crypto lagging]"
        "(../../checks/lag_structure.md)** (since 22 August 2025)."
    )
    assert posts.fresh_sentence(weekly.fresh_again[0]) == (
        f"{LINK} has fresh data again and is warn."
    )


# ------------------------------------------------------------------- from the history


def test_every_flip_of_the_history_is_found(sample_ev):
    history = sample_ev.history
    flips_seen = 0
    for before, day in zip(history.index[:-1], history.index[1:], strict=True):
        expected = {
            c.id
            for c in sample_ev.thesis.checks
            if history.at[day, c.id] != history.at[before, c.id]
        }
        weekly = posts.weekly_update(sample_ev, day)
        assert weekly.previous == before
        assert {r.check.id for r in weekly.flips} == expected, day
        assert {(r.check.id, r.previous_status, r.status) for r in weekly.flips} == {
            (cid, history.at[before, cid], history.at[day, cid]) for cid in expected
        }
        flips_seen += len(expected)
    assert flips_seen > 50  # the sample history moves enough to make this test mean something


def test_the_post_reads_the_history_rows(sample_ev):
    day = sample_ev.history.index[-1]
    weekly = posts.weekly_update(sample_ev, day)
    assert weekly.score == pytest.approx(sample_ev.history.at[day, "score"])
    assert weekly.verdict == sample_ev.history.at[day, "verdict"]
    for row in weekly.rows:
        assert row.status == sample_ev.history.at[day, row.check.id]


def test_post_dates(sample_ev):
    days = sample_ev.history.index
    assert posts.post_dates(sample_ev) == [days[-1]]
    since = pd.Timestamp("2025-10-01")
    assert posts.post_dates(sample_ev, since) == list(days[days >= since])
    with pytest.raises(GeneratorError, match="no history date"):
        posts.post_dates(sample_ev, pd.Timestamp("2026-01-01"))


# ------------------------------------------------------------------ the post as a file


def test_a_sample_post_says_so_and_has_every_section(sample_ev):
    day = sample_ev.history.index[-1]
    files = posts.render_post(sample_ev, day)
    name = f"{day.date()}-weekly-update"
    assert set(files) == {f"{name}.md", f"{name}-overview.svg", f"{name}-score.svg"}
    text = files[f"{name}.md"]
    assert text.startswith(f"---\ndate: {day.date()}\nslug: weekly-update\ndescription: ")
    meta = yaml.safe_load(text.split("---\n")[1])  # front matter written by a YAML dumper
    assert meta["date"] == day.date() and meta["description"].startswith("The score ")
    assert '!!! warning "Sample data"' in text
    assert f"![The score over the 26 weeks to {posts.long_date(day)}" in text  # half a year
    assert f"]({name}-score.svg)" in text
    assert re.search(rf"!\[From \d{{4}}-\d\d-\d\d to {day.date()} ", text)  # its summary
    assert f"]({name}-overview.svg)" in text
    assert "<!-- more -->" in text
    for heading in ("## Status changes since", "## Biggest moves", "## The checklist on"):
        assert heading in text
    assert files[f"{name}-overview.svg"].startswith("<svg")
    assert files[f"{name}-score.svg"].startswith("<svg")


def test_posts_are_deterministic_and_do_not_depend_on_the_as_of_date(thesis, sample_ev, tmp_path):
    days = list(sample_ev.history.index[-3:])
    first = posts.write_week_posts(sample_ev, days, tmp_path)
    assert first == [(tmp_path / f"{d.date()}-weekly-update.md", "written") for d in days]
    snapshot = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
    assert len(snapshot) == 3 * len(days)  # each post with its two charts
    later = evaluate(thesis, sample_ev.data, SAMPLE_AS_OF + pd.Timedelta(days=30))
    again = posts.write_week_posts(later, days, tmp_path)
    assert {state for _, state in again} == {"unchanged"}
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir()} == snapshot
    text = b"".join(snapshot.values()).decode()
    assert sample_ev.generated_at[:10] not in text  # no build time in a post
    assert later.generated_at[:16] not in text


def test_sample_data_is_refused_unless_allowed(no_cache, tmp_path, capsys):
    out = tmp_path / "posts"
    assert main(["post", "--as-of", "2025-11-21", "--posts-dir", str(out)]) == 3
    assert not out.exists()
    assert "--allow-sample" in capsys.readouterr().err
    assert (
        main(["posts", "--since", "2025-11-07", "--as-of", "2025-11-21", "--posts-dir", str(out)])
        == 3
    )
    assert not out.exists()
    assert main(["post", "--as-of", "2025-11-22", "--posts-dir", str(out), "--allow-sample"]) == 0
    assert sorted(p.name for p in out.iterdir()) == [
        "2025-11-21-weekly-update-overview.svg",
        "2025-11-21-weekly-update-score.svg",
        "2025-11-21-weekly-update.md",
    ]
    assert "Sample data" in (out / "2025-11-21-weekly-update.md").read_text()
    assert "from SAMPLE DATA" in capsys.readouterr().err


def test_a_bad_since_is_an_input_error(tmp_path, capsys):
    assert main(["posts", "--since", "21/11/2025", "--posts-dir", str(tmp_path / "out")]) == 2
    assert "expected a date like 2025-11-21, but received '21/11/2025'" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


# ------------------------------------------------------------------ the blog and feed


def hand_written_docs(tmp: Path) -> Path:
    """The repository's hand-written docs (blog index included), without generated pages
    or any posts already in the working tree."""
    docs = tmp / "docs"
    shutil.copytree(
        ROOT / "docs",
        docs,
        ignore=lambda folder, names: [
            n
            for n in names
            if (
                Path(folder) == ROOT / "docs"
                and n in {g.split("/")[0] for g in GENERATED}
                and n != "assets"
            )
            or (Path(folder) == ROOT / "docs" / "assets" and f"assets/{n}" in GENERATED)
            or (Path(folder) == ROOT / "docs" / "blog" and n == "posts")
        ],
    )
    return docs


def build_site(ev, docs: Path, site: Path) -> Path:
    """Pages without charts or claims (faster), then the strict mkdocs build."""
    rendered = render_site(ev, {}, {})
    write_site(rendered, docs)
    pipeline.mkdocs_build(ev, rendered.nav, docs, site)
    return site


def feed(site: Path) -> list[tuple[str, str, str]]:
    root = ET.parse(site / "feed_rss_created.xml").getroot()
    assert root.tag == "rss" and root.get("version") == "2.0"
    channel = root.find("channel")
    return [
        (
            item.findtext("link"),
            parsedate_to_datetime(item.findtext("pubDate")).date().isoformat(),
            item.findtext("title"),
        )
        for item in channel.findall("item")
    ]


def test_the_blog_builds_strict_with_no_posts(sample_ev, tmp_path):
    docs = hand_written_docs(tmp_path)
    assert (docs / "blog" / "index.md").exists()
    site = build_site(sample_ev, docs, tmp_path / "site")
    page = (site / "blog" / "index.html").read_text()
    assert "Weekly updates" in page and "Sample data." in page
    assert feed(site) == []
    home = (site / "index.html").read_text()
    assert (
        '<link rel="alternate" type="application/rss+xml" title="RSS feed" '
        'href="feed_rss_created.xml">' in home
    )
    assert 'href="feed_rss_created.xml" type="application/rss+xml">RSS feed</a>' in home
    assert '<link rel="icon" href="assets/favicon.svg">' in home
    assert '<a href="blog/" class="md-nav__link">' in home  # in the navigation


def test_the_blog_builds_strict_with_posts_dated_by_their_own_date(
    sample_ev, tmp_path, monkeypatch
):
    monkeypatch.setenv("SITE_URL", "https://someone.github.io/forked-thesis")
    docs = hand_written_docs(tmp_path)
    days = list(sample_ev.history.index[-3:])
    posts.write_week_posts(sample_ev, days, docs / "blog" / "posts")
    site = build_site(sample_ev, docs, tmp_path / "site")
    base = "https://someone.github.io/forked-thesis/"
    expected = {
        (f"{base}blog/{d.strftime('%Y/%m/%d')}/weekly-update/", d.date().isoformat()) for d in days
    }
    assert {(link, day) for link, day, _ in feed(site)} == expected
    for d in days:
        page = (site / "blog" / d.strftime("%Y/%m/%d") / "weekly-update" / "index.html").read_text()
        assert "Sample data." in page
        images = re.findall(r'<img alt="[^"]+" src="([^"]+\.svg)"', page)
        assert len(images) == 2
        for image in images:
            here = site / "blog" / d.strftime("%Y/%m/%d") / "weekly-update"
            assert (here / image).resolve().exists(), image
        assert '<meta property="og:description" content="The score' in page
    missing = (site / "404.html").read_text()
    assert 'href="/forked-thesis/assets/stylesheets/' in missing
    assert 'href="/forked-thesis/blog/">Weekly updates</a>' in missing


# ------------------------------------------------------------------------ real data


REAL_WEEKS = pd.date_range("2025-10-03", "2025-11-21", freq="W-FRI")


@pytest.fixture(scope="module")
def real_posts(thesis):
    if not (SHARED_DATA / "RUT.csv").exists():
        pytest.skip(f"real data not found at {SHARED_DATA}")
    ev = evaluate(thesis, load_market_data(thesis, CsvDirSource(SHARED_DATA)), REAL_WEEKS[-1])
    return ev, {
        day: posts.render_post(ev, day)[f"{day.date()}-weekly-update.md"]
        for day in posts.post_dates(ev, REAL_WEEKS[0])
    }


def section(text: str, heading: str) -> list[str]:
    body = text.split(f"\n## {heading}", 1)[1].split("\n## ", 1)[0]
    return [line[2:] for line in body.splitlines() if line.startswith("- ")]


@pytest.mark.realdata
def test_real_posts_name_every_flip_the_history_shows(real_posts):
    ev, texts = real_posts
    assert list(texts) == list(REAL_WEEKS)
    history = ev.history
    for day, text in texts.items():
        before = history.index[history.index.get_loc(day) - 1]
        flips = [c for c in ev.thesis.checks if history.at[day, c.id] != history.at[before, c.id]]
        bullets = section(text, "Status changes since")
        assert len(bullets) == len(flips), (day, bullets)
        for check in flips:
            was, now = history.at[before, check.id], history.at[day, check.id]
            line = next(b for b in bullets if f"[{check.title}](../../checks/{check.id}.md)" in b)
            assert (
                f"from {was} to {now}" in line
                or f"(it was {was})" in line
                or f"known again, at {now}" in line
            ), (day, line)


@pytest.mark.realdata
def test_real_posts_facts_checked_by_hand(real_posts):
    _, texts = real_posts
    # history.csv on ../shared/data: score 0.70 on 2025-11-14, 0.65 on 2025-11-21; BTC's
    # drawdown from its 124,752.53 high was -24.3% and then -31.8% (85,090.69)
    last = texts[pd.Timestamp("2025-11-21")]
    # 10 of the 11 scored checks known both weeks (lag_structure waits for the alt basket)
    assert "# Week to 21 November 2025: verdict now mixed (score 0.65 from 10 of 11 checks)" in last
    assert (
        "The score fell from 0.70 to 0.65 (-0.05) from 10 of 11 checks, and the verdict changed "
        "from supported to mixed. One check changed status (one worse)."
    ) in last
    assert section(last, "Status changes since") == [
        "**[Bitcoin's pullback looks mid-cycle](../../checks/btc_mid_cycle.md)** weakened from "
        "pass to warn: -31.8%, from -24.3% a week earlier (pass ≥ -30.0%; warn ≥ -50.0%)."
    ]
    # the alt basket's data end on 2025-08-13 in this snapshot
    assert "Still unknown because their data is stale" in last
    assert "data is stale: **[Small caps high, crypto lagging]" in last
    nov7 = texts[pd.Timestamp("2025-11-07")]
    assert "Four checks changed status (one better, three worse)." in nov7


@pytest.mark.parametrize(
    ("previous_verdict", "known", "sentence", "title"),
    [
        (
            "mixed",
            7,
            "The score is 0.64 from 7 of 11 checks, too few for a verdict (a verdict needs 8): "
            "insufficient data. Missing: Russell 2000 near its high and Fed balance sheet growing.",
            "Week to 21 November 2025: verdict now insufficient data (score 0.64 from 7 of 11 "
            "checks)",
        ),
        (
            "insufficient data",
            7,
            "The score is 0.64 from 7 of 11 checks, too few for a verdict (a verdict needs 8): "
            "insufficient data. Missing: Russell 2000 near its high and Fed balance sheet growing.",
            "Week to 21 November 2025: still insufficient data (score 0.64 from 7 of 11 checks)",
        ),
    ],
)
def test_a_week_with_too_few_checks_has_no_verdict(
    checks, previous_verdict, known, sentence, title
):
    rows = [
        week(checks["rut_near_high"], "pass", "unknown", reason="stale"),
        week(checks["fed_balance_sheet"], "warn", "unknown", reason="stale"),
        week(checks["btc_mid_cycle"], "warn", "warn", -0.35, -0.35),
    ]
    # a confirmation check that is unknown is not scored, so it is not named as missing
    rows.append(replace(week(checks["alt_season"], None, "unknown"), scored=False))
    weekly = replace(
        update(0.64, 0.7, "insufficient data", previous_verdict, rows),
        known=known,
        scored=11,
        required=8,
    )
    assert [r.check.id for r in weekly.missing] == ["rut_near_high", "fed_balance_sheet"]
    assert posts.score_sentence(weekly) == sentence
    assert posts.headline(weekly) == title

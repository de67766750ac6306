"""A fork's first hour, as docs/customise.md tells it: the example theses written in YAML
only build on real data, a check with a new kind pasted from the guide shows on the site,
and the first weekly run counts its weeks from the data, not from today."""

from __future__ import annotations

import html
import re
import shutil
from pathlib import Path

import pandas as pd
import pytest
import yaml
from test_build import docs_copy
from test_workflows import _read, _run_step, _step

from generator.cli import main
from generator.loader import load_thesis
from generator.pipeline import build
from generator.rules import RULES
from generator.schema import SCHEMA_PATH

ROOT = Path(__file__).resolve().parents[1]
GUIDE = (ROOT / "docs" / "customise.md").read_text(encoding="utf-8")
YAML_ONLY = ["dollar-drives-crypto", "nasdaq-leads-bitcoin"]
AS_OF = pd.Timestamp("2026-02-20")  # the dollar index's last close in ../shared/data


def closes(data: Path, symbol: str, as_of: pd.Timestamp, lag: int = 0) -> pd.Series:
    frame = pd.read_csv(data / f"{symbol}.csv", index_col="date", parse_dates=True)
    column = "close" if "close" in frame else "value"
    return frame[column].loc[: as_of - pd.Timedelta(days=lag)]


@pytest.mark.parametrize("name", YAML_ONLY)
def test_yaml_only_examples_need_no_plugin(name):
    path = ROOT / "examples" / name / "thesis.yml"
    raw = yaml.safe_load(path.read_text())
    assert "plugins" not in raw
    assert list((ROOT / "examples" / name).iterdir()) == [path]  # the YAML file alone
    thesis = load_thesis(path)
    assert all(RULES[c.kind].module.startswith("generator.rules.") for c in thesis.checks)
    # together they use the new vocabulary, not only the kinds the default thesis uses
    default_kinds = {c.kind for c in load_thesis(ROOT / "thesis.yml").checks}
    assert len({c.kind for c in thesis.checks} - default_kinds) >= 4


@pytest.mark.realdata
@pytest.mark.parametrize("name", YAML_ONLY)
def test_yaml_only_examples_build_on_real_data(tmp_path, shared_data, name):
    path = ROOT / "examples" / name / "thesis.yml"
    result = build(
        thesis_path=path,
        data_dir=shared_data,
        as_of=AS_OF,
        site_dir=tmp_path / "site",
        docs_dir=docs_copy(tmp_path),
    )
    ev = result.evaluation
    assert not ev.demo
    unknown = [(c.id, c.reason) for c in ev.checks if c.status == "unknown"]
    assert unknown == []
    home = (tmp_path / "site" / "index.html").read_text()
    for check in ev.checks:
        assert html.escape(check.title, quote=False) in home
        assert (tmp_path / "site" / "checks" / check.id / "index.html").is_file()
    methodology = (tmp_path / "site" / "methodology" / "index.html").read_text()
    track = (tmp_path / "site" / "track-record" / "index.html").read_text()
    if "track_record" in path.read_text():  # nasdaq-leads-bitcoin measures Bitcoin's returns
        assert "measures no track record" not in methodology and "Bitcoin" in track
    else:  # the optional sections left out, as a thesis written from scratch may
        assert "measures no track record" in methodology
        assert "No series is named under" in track
    if name == "dollar-drives-crypto":
        dxy = closes(shared_data, "DX-Y.NYB", AS_OF)
        expected = dxy.iloc[-1] / dxy.iloc[-200:].mean() - 1
        assert ev.check("dollar_below_average").value == pytest.approx(expected)
        year = dxy.loc[AS_OF - pd.Timedelta(days=364) :]
        assert ev.check("dollar_off_high").value == pytest.approx(dxy.iloc[-1] / year.max() - 1)
        five = dxy.loc[AS_OF - pd.Timedelta(days=1825) :]
        share = (five <= dxy.iloc[-1]).mean()
        assert ev.check("dollar_low_in_range").value == pytest.approx(share)
    else:
        nasdaq = closes(shared_data, "IXIC", AS_OF)
        year = nasdaq.loc[AS_OF - pd.Timedelta(days=364) :]
        assert ev.check("nasdaq_near_high").value == pytest.approx(nasdaq.iloc[-1] / year.max() - 1)
        dff = closes(shared_data, "DFF", AS_OF, lag=1)
        assert ev.check("policy_rate_level").value == pytest.approx(dff.iloc[-1])
        short, long = nasdaq.iloc[-50:].mean(), nasdaq.iloc[-200:].mean()
        assert ev.check("nasdaq_golden_cross").value == pytest.approx(short / long - 1)


def guide_snippet() -> str:
    """The YAML the guide tells a forker to paste, as the browser shows the code block."""
    section = GUIDE.split("### Adding a check with a new kind", 1)[1]
    block = re.search(r"\n( *)```yaml\n(.*?)\n\1```", section, re.S)
    assert block, "the guide's section has a yaml code block"
    fence = block.group(1)  # the code block's own indentation inside the list item
    lines = block.group(2).split("\n")
    assert all(line.startswith(fence) for line in lines)
    return "\n".join(line[len(fence) :] for line in lines)


def follow_the_guide(thesis_text: str) -> str:
    """Step 2 of the guide: paste the lines after the last check, just above `score:`."""
    last_check_end = thesis_text.index("\nscore:")
    head = thesis_text[:last_check_end].rstrip("\n")
    assert head.endswith("format: percent"), "the guide says the last check ends so"
    return head + "\n" + guide_snippet() + "\n" + thesis_text[last_check_end:]


def test_the_guide_walks_through_the_first_hour():
    first_hour = GUIDE.split("## 1. The fork's first hour", 1)[1].split("## 2.", 1)[0]
    first_hour = " ".join(first_hour.split())  # the guide wraps its lines
    for words in (
        "I understand my workflows, go ahead and enable them",
        "**Enable workflow**",
        "**Settings → Pages → Build and deployment → Source**",
        "**GitHub Actions**",
        "**Actions → Weekly report → Run workflow**",
        "**Annotations**",
        "**Summary**",
    ):
        assert words in first_hour, words
    weekly = (ROOT / ".github" / "workflows" / "weekly.yml").read_text()
    assert "name: Weekly report" in weekly  # the name the guide clicks on
    ci = (ROOT / ".github" / "workflows" / "ci.yml").read_text()
    assert "name: Check thesis.yml" in ci


@pytest.mark.realdata
def test_a_new_kind_added_as_the_guide_says_shows_on_the_site(tmp_path, shared_data, capsys):
    thesis = tmp_path / "thesis.yml"
    thesis.write_text(follow_the_guide((ROOT / "thesis.yml").read_text()))
    shutil.copy(SCHEMA_PATH, tmp_path / SCHEMA_PATH.name)
    # step 3: the CI job's summary lists the new row (on sample data, as CI has no data)
    assert main(["check", "--format", "markdown", "--thesis", str(thesis)]) == 0
    assert "| `btc_above_200d` | setup |" in capsys.readouterr().out
    # step 4: the weekly run builds the site
    as_of = pd.Timestamp("2025-11-21")
    result = build(
        thesis_path=thesis,
        data_dir=shared_data,
        as_of=as_of,
        site_dir=tmp_path / "site",
        docs_dir=docs_copy(tmp_path),
    )
    check = result.evaluation.check("btc_above_200d")
    btc = closes(shared_data, "BTC-USD", as_of)
    assert check.value == pytest.approx(btc.iloc[-1] / btc.iloc[-200:].mean() - 1)
    assert check.status == (
        "pass" if check.value > 0 else "warn" if check.value > -0.10 else "fail"
    )
    home = (tmp_path / "site" / "index.html").read_text()
    setup = home.split('id="market-set-up"', 1)[1].split('id="liquidity-and-policy"', 1)[0]
    assert "Bitcoin above its 200-day average" in setup and check.display in setup
    page = (tmp_path / "site" / "checks" / "btc_above_200d" / "index.html").read_text()
    assert "Bitcoin above its 200-day average" in page and "moving_average_gap" in page
    # a kind without an evidence builder still gets its value over the bands, and its status
    assert 'id="chart-btc_above_200d-value"' in page
    assert 'id="chart-btc_above_200d-status"' in page
    # the default thesis's own checks kept their ids and values
    ids = [c.id for c in result.evaluation.checks]
    assert ids[:13] == [c.id for c in load_thesis(ROOT / "thesis.yml").checks]


FAKE_GENERATOR = """\
import sys
with open("argv.txt", "a", encoding="utf-8") as f:
    f.write(" ".join(sys.argv[1:]) + "\\n")
"""


@pytest.mark.parametrize(
    ("has_posts", "as_of", "expected"),
    [
        (False, "", "posts --weeks 8"),
        (False, "2025-11-21", "posts --weeks 8 --as-of 2025-11-21"),
        (True, "", "post"),
        (True, "2025-11-21", "post --as-of 2025-11-21"),
    ],
)
def test_the_first_run_counts_weeks_from_the_data(tmp_path, has_posts, as_of, expected):
    """The post step never derives a date from today: a fork whose data ends weeks ago
    (or the bundled data in a fresh clone) still gets its 8 weeks of posts."""
    work = tmp_path / "work"
    (work / "generator").mkdir(parents=True)
    (work / "generator" / "__init__.py").write_text("")
    (work / "generator" / "__main__.py").write_text(FAKE_GENERATOR)
    (work / "docs" / "blog" / "posts").mkdir(parents=True)
    if has_posts:
        (work / "docs" / "blog" / "posts" / "2025-11-14-weekly-update.md").write_text("x\n")
    step = _step(_read("weekly.yml")[0], "post")
    done = _run_step(step, work, AS_OF=as_of)
    assert done.returncode == 0, done.stdout + done.stderr
    assert (work / "argv.txt").read_text().splitlines() == [expected]
    assert "$(date" not in step["run"]  # no date from the clock


@pytest.mark.realdata
def test_posts_weeks_counts_back_from_the_data(tmp_path, shared_data, capsys):
    out = tmp_path / "posts"
    code = main(["posts", "--weeks", "3", "--data", str(shared_data), "--posts-dir", str(out)])
    assert code == 0, capsys.readouterr().err
    # the data's newest daily close is Friday 2026-08-21 (GSPC.csv, IWM.csv): its 3 weeks
    written = sorted(p.name[:10] for p in out.glob("*.md"))
    assert written == ["2026-08-07", "2026-08-14", "2026-08-21"]


@pytest.mark.parametrize("weeks", ["0", "-2"])
def test_posts_weeks_must_be_positive(tmp_path, weeks, capsys):
    code = main(["posts", "--weeks", weeks, "--allow-sample", "--posts-dir", str(tmp_path)])
    assert code == 2
    assert "--weeks: expected a whole number of 1 or more" in capsys.readouterr().err

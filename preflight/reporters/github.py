"""`--format github`: one GitHub Actions workflow command per finding, which the runner turns
into an annotation on the file (`::error file=…,title=…::…`).

error → `::error`, warning → `::warning`, info → `::notice`: the finding's severity, whatever
--strict makes of it. No `line=`: the files are media, not text (a manifest's finding is
shown on the file as a whole). The title is the rule ID; the message carries the fix on a
line of its own. Each configuration file that changes something comes first, as a `::notice`
on it, so that a pull request switching rules off shows. A run without either prints nothing.
The step summary is the `markdown` format, which the CLI appends to $GITHUB_STEP_SUMMARY.
Every name is made printable first (reporters.safe), then escaped as the runner decodes it.
"""

from __future__ import annotations

from preflight.report import Report
from preflight.reporters.located import located, with_hint
from preflight.reporters.safe import neutralised
from preflight.reporters.text import changes

_COMMANDS = {"error": "error", "warning": "warning", "info": "notice"}


def render(report: Report, color: bool = False) -> str:
    report = neutralised(report)
    notices = [
        annotation(
            "notice",
            f"preflight configuration: {'; '.join(changes(configured))}",
            file=report.repo_path(configured.path),
            title="preflight configuration",
        )
        + "\n"
        for configured in report.configuration
        if configured.changes
    ]
    return "".join(notices) + "".join(
        annotation(
            _COMMANDS[item.finding.severity],
            with_hint(item.finding),
            file=item.path,
            title=item.finding.rule,
        )
        + "\n"
        for item in located(report)
    )


def annotation(command: str, message: str, **properties: str) -> str:
    """One workflow command, its properties and message escaped as the runner decodes them."""
    props = ",".join(f"{key}={escape_property(value)}" for key, value in properties.items())
    return f"::{command} {props}::{escape_data(message)}"


def escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")

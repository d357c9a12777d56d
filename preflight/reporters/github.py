"""`--format github`: GitHub Actions workflow commands, which the runner turns into
annotations on the files (`::error file=…,line=…,col=…,title=…::…`).

error → `::error`, warning → `::warning`, info → `::notice`: the finding's severity, whatever
--strict makes of it. A finding on a manifest's field has `line=` and `col=` (its key); a media
file is annotated as a whole. Each configuration file that changes something comes first, as
a `::notice` on it, so that a pull request switching rules off shows. GitHub shows at most 10
annotations of a step: then errors, warnings and notices, in that order; at most one per file
and rule (its message says how many more there are), and at most MAX_ANNOTATIONS in all, the
last then saying how many were left out. The title is the rule ID; the message carries the
fix on a line of its own. A run without either prints nothing. The step summary is the
`markdown` format with every finding, which the CLI appends to $GITHUB_STEP_SUMMARY.
Every name is made printable first (reporters.safe), then escaped as the runner decodes it.
"""

from __future__ import annotations

from preflight.i18n import _
from preflight.report import SEVERITIES, Report
from preflight.reporters.located import Located, located, with_hint
from preflight.reporters.safe import neutralised
from preflight.reporters.text import changes

MAX_ANNOTATIONS = 10  # what GitHub shows of one step
_COMMANDS = {"error": "error", "warning": "warning", "info": "notice"}


def render(report: Report, color: bool = False) -> str:
    report = neutralised(report)
    configured = [
        annotation(
            "notice",
            _("preflight configuration: {changes}").format(
                changes=_("; ").join(changes(configured))
            ),
            file=report.repo_path(configured.path),
            title=_("preflight configuration"),
        )
        for configured in report.configuration
        if configured.changes
    ]
    firsts: dict[tuple[str, str], list[Located]] = {}  # one per file and rule, in report order
    for item in located(report):
        firsts.setdefault((item.path, item.finding.rule), []).append(item)
    groups = [sorted(group, key=_severity) for group in firsts.values()]  # the worst first
    groups.sort(key=lambda group: _severity(group[0]))
    errors_and_warnings = [g for g in groups if g[0].finding.severity != "info"]
    notices = [g for g in groups if g[0].finding.severity == "info"]
    lines = configured + [_annotation(group) for group in (*errors_and_warnings, *notices)]
    if len(lines) > MAX_ANNOTATIONS:
        left_out = len(lines) - MAX_ANNOTATIONS + 1
        said = _(
            "{count} more annotations are not shown here (GitHub shows {shown} of a step): the "
            "job summary lists every finding"
        )
        more = annotation(
            "notice", said.format(count=left_out, shown=MAX_ANNOTATIONS), title="preflight"
        )
        lines = [*lines[: MAX_ANNOTATIONS - 1], more]
    return "".join(line + "\n" for line in lines)


def _severity(item: Located) -> int:
    return SEVERITIES.index(item.finding.severity)


def _annotation(group: list[Located]) -> str:
    """The first finding of a rule on a file, and how many more there are."""
    item = group[0]
    message = with_hint(item.finding)
    if len(group) > 1:
        said = _("({count} more {rule} on this file: see the job summary)")
        message += "\n" + said.format(count=len(group) - 1, rule=item.finding.rule)
    place = {"file": item.path}
    if item.line is not None:
        place |= {"line": str(item.line), "col": str(item.column)}
    return annotation(_COMMANDS[item.finding.severity], message, **place, title=item.finding.rule)


def annotation(command: str, message: str, **properties: str) -> str:
    """One workflow command, its properties and message escaped as the runner decodes them."""
    props = ",".join(f"{key}={escape_property(value)}" for key, value in properties.items())
    return f"::{command} {props}::{escape_data(message)}"


def escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")

"""Every finding of a Report with the file it is about, as the CI formats (SARIF, GitLab Code
Quality, GitHub annotations) need one: each result of those formats must have a location.

A finding's location is its file; a request-level finding (a wrong SexType, …), and one on a
file that is not there to point at (file.missing), is located in its manifest, at the line and
column of its field's key (Finding.line). A request given with flags has no manifest: its
request-level findings are located in the file of the same field when it names one, else in
the first file it names, else in the folder the run was started in.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from preflight.i18n import _
from preflight.manifest import COMMAND_LINE
from preflight.report import Finding, Report, RequestReport


@dataclass(frozen=True)
class Located:
    finding: Finding
    source: str  # the request's manifest (or COMMAND_LINE), or the file checked on its own
    path: str  # the file
    # Both paths relative to the git work tree's root, `/`-separated (or absolute): the same
    # wherever in the work tree the run started.
    line: int | None = None  # in the file: the manifest's line and column of the field
    column: int | None = None


def located(report: Report) -> list[Located]:
    """The findings in report order: requests first, then the files checked on their own."""
    found: list[Located] = []
    for request in report.requests:
        source = request.source
        if source != COMMAND_LINE:
            source = report.repo_path(source)
        for finding in request.findings:
            if finding.line is not None:
                line, column = finding.line, finding.column
                found.append(Located(finding, source, source, line, column))
                continue
            found.append(Located(finding, source, report.repo_path(_path(request, finding))))
    for inspection in report.files:
        source = report.repo_path(inspection.path)
        for finding in inspection.findings:
            path = report.repo_path(finding.path) if finding.path else source
            found.append(Located(finding, source, path))
    return found


def _path(request: RequestReport, finding: Finding) -> str:
    if finding.path and finding.path != COMMAND_LINE:
        return finding.path
    if request.source != COMMAND_LINE:
        return request.source
    same_field = [f.path for f in request.files if f.field == finding.field]
    return next(iter(same_field or [f.path for f in request.files]), ".")


def fingerprints(items: list[Located]) -> list[str]:
    """A SHA-256 per finding from what identifies it across runs (rule, request, file, field,
    message: never a time or a version), numbered when two findings are alike, so that each
    is unique and the same files give the same fingerprints."""
    import hashlib

    seen: Counter[str] = Counter()
    prints = []
    for item in items:
        finding = item.finding
        parts = (finding.rule, item.source, item.path, finding.field or "", finding.message)
        key = "\0".join(parts)
        seen[key] += 1
        if seen[key] > 1:
            key += f"\0{seen[key]}"
        prints.append(hashlib.sha256(encoded(key)).hexdigest())
    return prints


def encoded(text: str) -> bytes:
    """UTF-8; a file name that is not UTF-8 (lone surrogates, as os gives it) as its bytes."""
    try:
        return text.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:  # a surrogate that no file name gives (a manifest's "\ud800")
        return text.encode("utf-8", "surrogatepass")


def family(rule_id: str) -> str:
    """`video.fps` → `video`."""
    return rule_id.split(".", 1)[0]


def with_hint(finding: Finding) -> str:
    """The message, and the fix on a line of its own when there is one."""
    return finding.message + ("\n" + _("fix:") + f" {finding.hint}" if finding.hint else "")

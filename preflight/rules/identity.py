"""The authorization letter: a video (IdentityCosUrl) or a scanned PDF (IdentityWrittenCosUrl).

The engine reports a file of the wrong kind (a zip as the identity video) as
file.type-mismatch, and a PDF cut short as file.unreadable (the probe refuses it); this
rule covers the right kind in the wrong format (an MKV video, a document that is not a
PDF). An encrypted PDF passes: e-signed letters are encrypted to forbid edits and still
open without a password, and telling the two apart means decrypting it.
"""

from __future__ import annotations

from collections.abc import Iterator

from preflight.i18n import _
from preflight.limits import VIDEO_CONTAINERS
from preflight.probe.facts import VideoFacts
from preflight.report import Finding
from preflight.rule import Rule
from preflight.rules.base import Subject
from preflight.rules.video import CONTAINER, describe_format, remux_to_mp4

FORMAT = Rule(
    "identity.format",
    "error",
    "IdentityCosUrl is not a readable MP4/MOV video, or IdentityWrittenCosUrl is not a PDF",
    f"IdentityCosUrl: {CONTAINER.limit} video; IdentityWrittenCosUrl: complete PDF",
    "API page: IdentityCosUrl item 1, IdentityWrittenCosUrl items 1–2",
)
RULES: tuple[Rule, ...] = (FORMAT,)


def check(subject: Subject) -> Iterator[Finding]:
    if subject.field == "IdentityCosUrl":
        yield from _video(subject)
    elif subject.field == "IdentityWrittenCosUrl":
        yield from _letter(subject)


def _video(subject: Subject) -> Iterator[Finding]:
    file, media = subject.file, subject.file.media
    limit = _("{containers} video").format(containers=CONTAINER.limit)
    if file.format not in VIDEO_CONTAINERS:
        container = media.container if isinstance(media, VideoFacts) else None
        yield subject.finding(
            FORMAT,
            _("the authorization video is {format}, not MP4 or MOV").format(
                format=describe_format(file.format, container)
            ),
            actual=file.format,
            limit=limit,
            hint=remux_to_mp4(file.path, media),
        )
    elif not isinstance(media, VideoFacts):
        yield subject.finding(
            FORMAT,
            _("the authorization video is a {format} file with no video track").format(
                format=(file.format or "").upper()
            ),
            actual=file.format,
            limit=limit,
        )


def _letter(subject: Subject) -> Iterator[Finding]:
    file = subject.file
    if file.format != "pdf":
        yield subject.finding(
            FORMAT,
            _("the written authorization letter is {format}, not PDF").format(
                format=(file.format or "unknown").upper()
            ),
            actual=file.format,
            limit="PDF",
        )


def check_recorded_size(subject: Subject) -> Iterator[Finding]:
    """An authorization has no size limit: a Git LFS pointer's recorded size judges nothing."""
    return iter(())

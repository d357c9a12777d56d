"""The authorization letter: a video (IdentityCosUrl) or a scanned PDF (IdentityWrittenCosUrl).

The engine reports a file of the wrong kind (a zip as the identity video) as
file.type-mismatch, and a PDF cut short as file.unreadable (the probe refuses it); this
rule covers the right kind in the wrong format (an MKV video, a document that is not a
PDF). An encrypted PDF passes: e-signed letters are encrypted to forbid edits and still
open without a password, and telling the two apart means decrypting it.
"""

from __future__ import annotations

from collections.abc import Iterator

from preflight.fields import FIELDS
from preflight.limits import VIDEO_CONTAINERS
from preflight.probe.facts import VideoFacts
from preflight.registry.identity import FORMAT
from preflight.registry.identity import RULES as RULES
from preflight.registry.video import CONTAINER
from preflight.report import Finding
from preflight.rules.base import Subject
from preflight.rules.video import describe_format, remux_to_mp4


def check(subject: Subject) -> Iterator[Finding]:
    role = FIELDS[subject.field].role
    if role == "identity-video":
        yield from _video(subject)
    elif role == "identity-letter":
        yield from _letter(subject)


def _video(subject: Subject) -> Iterator[Finding]:
    file, media = subject.file, subject.file.media
    limit = f"{CONTAINER.limit} video"
    if file.format not in VIDEO_CONTAINERS:
        container = media.container if isinstance(media, VideoFacts) else None
        yield subject.finding(
            FORMAT,
            f"the authorization video is {describe_format(file.format, container)}, not MP4 or MOV",
            actual=file.format,
            limit=limit,
            hint=remux_to_mp4(file.path, media),
        )
    elif not isinstance(media, VideoFacts):
        yield subject.finding(
            FORMAT,
            f"the authorization video is a {(file.format or '').upper()} file with no video track",
            actual=file.format,
            limit=limit,
        )


def _letter(subject: Subject) -> Iterator[Finding]:
    file = subject.file
    if file.format != "pdf":
        yield subject.finding(
            FORMAT,
            f"the written authorization letter is {(file.format or 'unknown').upper()}, not PDF",
            actual=file.format,
            limit="PDF",
        )

"""Rules for the driver audio of the demo (VoiceDriverCosFile): format and size.

The fix for both is an MP3: every listed player takes it, and at a speech bitrate it keeps
minutes of audio under the cap.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from typing import Any

from preflight.hints import ffmpeg_command, sibling
from preflight.i18n import _
from preflight.limits import DRIVER_FORMATS, DRIVER_MAX_BYTES, human_bytes
from preflight.probe.facts import AudioFacts
from preflight.report import Finding
from preflight.rule import Rule
from preflight.rules.base import Subject
from preflight.rules.file import oversized

_SOURCE = "API page: VoiceDriverCosFile item 2"
_FORMATS_TEXT = (
    f"{', '.join(f.upper() for f in DRIVER_FORMATS[:-1])} or {DRIVER_FORMATS[-1].upper()}"
)

FORMAT = Rule(
    "driver.format", "error", f"the content is not {_FORMATS_TEXT}", _FORMATS_TEXT, _SOURCE
)
SIZE = Rule(
    "driver.size",
    "error",
    f"larger than {human_bytes(DRIVER_MAX_BYTES)}",
    f"≤ {human_bytes(DRIVER_MAX_BYTES)}",
    _SOURCE,
)
RULES: tuple[Rule, ...] = (FORMAT, SIZE)

MP3_KBPS = (128, 96, 64, 48, 32)  # best first; 128k keeps 10 min under 10 MB
_HEADROOM = 0.95  # container overhead and rounding


def check(subject: Subject) -> Iterator[Finding]:
    file = subject.file
    audio = file.media if isinstance(file.media, AudioFacts) else None
    if file.format is not None and file.format not in DRIVER_FORMATS:
        yield subject.finding(
            FORMAT,
            _("the content is {format}; driver audio must be {formats}").format(
                format=file.format.upper(), formats=_(FORMAT.limit)
            ),
            actual=file.format,
            hint=_to_mp3(file.path, audio),
        )
    yield from _size(subject, audio)


def check_recorded_size(subject: Subject) -> Iterator[Finding]:
    """The size rule alone, for a Git LFS pointer's recorded size."""
    yield from _size(subject, None)


def _size(subject: Subject, audio: AudioFacts | None) -> Iterator[Finding]:
    hint = functools.partial(_to_mp3, subject.file.path, audio)
    yield from oversized(subject, SIZE, DRIVER_MAX_BYTES, hint)


def mp3_kbps(duration: float | None) -> int:
    """The highest MP3 bitrate that keeps `duration` seconds under the cap."""
    if not duration:
        return MP3_KBPS[0]
    fits = [k for k in MP3_KBPS if k * 1000 / 8 * duration <= DRIVER_MAX_BYTES * _HEADROOM]
    return fits[0] if fits else MP3_KBPS[-1]


def _to_mp3(path: str, audio: AudioFacts | None) -> str:
    """ffmpeg to MP3 at the highest bitrate that fits the duration under the cap."""
    kbps = mp3_kbps(audio.duration_s if audio is not None else None)
    options: dict[str, Any] = {"c:a": "libmp3lame", "b:a": f"{kbps}k", "vn": None}
    return ffmpeg_command(path, sibling(path, f"{kbps}k", "mp3"), **options)

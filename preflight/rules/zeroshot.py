"""Rules for the zero-shot reference audio (AudioUrl of zeroshotservice/detectaudioquality, the
inspection whose AudioId a ZERO_SHOT_VOICE request needs): format, size, duration, sample rate,
bitrate and name, as the English page (1211/62077) and the Chinese page (1240/104986) state
them. Where they disagree the messages say which page says what.

A recording below 16 kHz or 128 kbps has no fix but exporting it again from the original:
resampling or re-encoding adds nothing that the inspection can hear, so those findings carry
no ffmpeg hint.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from typing import Any

from preflight.hints import ffmpeg_command, sibling
from preflight.i18n import _
from preflight.limits import (
    NAME_CHARSET_TEXT,
    ZEROSHOT_FORMATS,
    ZEROSHOT_MAX_BYTES,
    ZEROSHOT_MAX_S,
    ZEROSHOT_MIN_BIT_RATE,
    ZEROSHOT_MIN_S,
    ZEROSHOT_MIN_SAMPLE_RATE,
    ZEROSHOT_NAME_MAX,
    ZEROSHOT_NAME_MIN,
    ZEROSHOT_RECOMMENDED_MAX_S,
    human_bytes,
)
from preflight.probe.facts import AudioFacts
from preflight.report import Finding
from preflight.rule import Rule
from preflight.rules.base import Subject
from preflight.rules.file import misnamed, oversized, unjudged

_EN = "1211/62077 (English page)"
_ZH = "1240/104986 (Chinese page)"
_PAGES = f"Submitting Audio Quality Inspection Task, AudioUrl: {_EN}, {_ZH}"
_FORMATS_TEXT = ", ".join(f.upper() for f in ZEROSHOT_FORMATS) + " or ASF"
_MIN_KHZ = ZEROSHOT_MIN_SAMPLE_RATE // 1000
_MIN_KBPS = ZEROSHOT_MIN_BIT_RATE // 1000

FORMAT = Rule(
    "zeroshot.format", "error", f"the content is not {_FORMATS_TEXT}", _FORMATS_TEXT, _PAGES
)
SIZE = Rule(
    "zeroshot.size",
    "error",
    f"larger than {human_bytes(ZEROSHOT_MAX_BYTES)}",
    f"≤ {human_bytes(ZEROSHOT_MAX_BYTES)}",
    _PAGES,
)
DURATION = Rule(
    "zeroshot.duration",
    "error",
    f"shorter than {ZEROSHOT_MIN_S:g} s or longer than {ZEROSHOT_MAX_S:g} s",
    f"{ZEROSHOT_MIN_S:g}–{ZEROSHOT_MAX_S:g} s",
    f"{_EN}: 10–30 s; {_ZH} recommends 10–20 s (zeroshot.duration-recommended)",
)
DURATION_RECOMMENDED = Rule(
    "zeroshot.duration-recommended",
    "warning",
    f"longer than the {ZEROSHOT_RECOMMENDED_MAX_S:g} s that the Chinese page recommends",
    f"{ZEROSHOT_MIN_S:g}–{ZEROSHOT_RECOMMENDED_MAX_S:g} s",
    f"{_ZH}: 10–20 s recommended; {_EN} allows 30 s",
)
RATE = Rule(
    "zeroshot.rate",
    "error",
    f"sample rate below {_MIN_KHZ} kHz",
    f"≥ {_MIN_KHZ} kHz",
    f"{_ZH}: ≥ 16K; {_EN} says greater than 16 K",
)
BITRATE = Rule(
    "zeroshot.bitrate",
    "warning",
    f"a compressed format below {_MIN_KBPS} kbps (both pages recommend it, neither requires it)",
    f"≥ {_MIN_KBPS} kbps (compressed formats)",
    f"{_ZH}: recommended ≥ 128 kbps; {_EN}: greater than 128 kbps",
)
NAME = Rule(
    "zeroshot.name",
    "error",
    f"file name stem outside {ZEROSHOT_NAME_MIN}–{ZEROSHOT_NAME_MAX} characters or the name"
    " charset",
    f"{ZEROSHOT_NAME_MIN}–{ZEROSHOT_NAME_MAX} characters; {NAME_CHARSET_TEXT}",
    _PAGES,
)
RULES: tuple[Rule, ...] = (FORMAT, SIZE, DURATION, DURATION_RECOMMENDED, RATE, BITRATE, NAME)

_LOSSLESS = frozenset({"pcm", "flac", "alac", "wavpack", "tta"})  # libmediainfo's codec names
# Where a hint cuts a long recording: a copied stream ends on a whole frame, which may run past
# the cut, so a second short of the recommended 20 s.
_CUT_S = ZEROSHOT_RECOMMENDED_MAX_S - 1
_SIZE_FIX_KBPS = 192  # an MP3 that keeps 30 s far under the cap, well over the bitrate floor


def check(subject: Subject) -> Iterator[Finding]:
    file = subject.file
    audio = file.media if isinstance(file.media, AudioFacts) else None
    if file.format is not None and file.format not in ZEROSHOT_FORMATS:
        yield subject.finding(
            FORMAT,
            _("the content is {format}; the zero-shot reference audio must be {formats}").format(
                format=file.format.upper(), formats=_(_FORMATS_TEXT)
            ),
            actual=file.format,
            hint=_convert(file.path, "", "wav", **{"c:a": "pcm_s16le"}),
        )
    yield from _size(subject)
    if audio is not None:
        yield from _duration(subject, audio.duration_s)
        yield from _rate(subject, audio.sample_rate)
        yield from _bitrate(subject, audio)
    yield from misnamed(subject, NAME, ZEROSHOT_NAME_MIN, ZEROSHOT_NAME_MAX, "voice")


def check_recorded_size(subject: Subject) -> Iterator[Finding]:
    """The size rule alone, for a Git LFS pointer's recorded size."""
    yield from _size(subject)


def _size(subject: Subject) -> Iterator[Finding]:
    kbps = _SIZE_FIX_KBPS
    options = {"c:a": "libmp3lame", "b:a": f"{kbps}k"}
    hint = functools.partial(_convert, subject.file.path, f"{kbps}k", "mp3", **options)
    yield from oversized(subject, SIZE, ZEROSHOT_MAX_BYTES, hint)


def _duration(subject: Subject, duration: float | None) -> Iterator[Finding]:
    if duration is None:
        yield unjudged(subject, DURATION, _("the file's headers give no duration"))
        return
    longest = ZEROSHOT_RECOMMENDED_MAX_S
    cut = _convert(subject.file.path, f"{_CUT_S:g}s", None, t=f"{_CUT_S:g}", c="copy")
    numbers = {
        "seconds": f"{duration:.1f}",
        "min": f"{ZEROSHOT_MIN_S:g}",
        "max": f"{ZEROSHOT_MAX_S:g}",
        "recommended": f"{longest:g}",
    }
    hint: str | None = cut
    if duration < ZEROSHOT_MIN_S:
        rule, hint = DURATION, None
        message = _(
            "the recording lasts {seconds} s, shorter than the {min} s both pages ask for: "
            "record a longer reading of the training text"
        )
    elif duration > ZEROSHOT_MAX_S:
        rule = DURATION
        message = _(
            "the recording lasts {seconds} s, longer than the {max} s of the English page (the "
            "Chinese page recommends {min}–{recommended} s)"
        )
    elif duration > longest:
        rule = DURATION_RECOMMENDED
        message = _(
            "the recording lasts {seconds} s: the English page allows up to {max} s, but the "
            "Chinese page recommends {min}–{recommended} s"
        )
    else:
        return
    yield subject.finding(rule, message.format(**numbers), actual=round(duration, 3), hint=hint)


def _rate(subject: Subject, rate: int | None) -> Iterator[Finding]:
    if rate is None:
        yield unjudged(subject, RATE, _("the file's headers give no sample rate"))
    elif rate < ZEROSHOT_MIN_SAMPLE_RATE:
        message = _(
            "sample rate {rate} kHz is below {min} kHz: export the recording again at {min} kHz "
            "or more (resampling this file adds nothing)"
        )
        yield subject.finding(
            RATE, message.format(rate=f"{rate / 1000:g}", min=_MIN_KHZ), actual=rate
        )


def _bitrate(subject: Subject, audio: AudioFacts) -> Iterator[Finding]:
    """Lossy audio only: what the pages mean by "compressed" (a bitrate says how much of the
    sound a lossy codec kept; a lossless one keeps all of it at any bitrate)."""
    lossy = audio.codec.lower() not in _LOSSLESS if audio.codec else subject.file.format != "wav"
    if not lossy:
        return
    if audio.bit_rate is None:
        yield unjudged(subject, BITRATE, _("the file's headers give no bitrate"))
    elif audio.bit_rate < ZEROSHOT_MIN_BIT_RATE:
        message = _(
            "bitrate {rate} kbps is below the {min} kbps both pages recommend for compressed "
            "audio: export again from the original at {min} kbps or more, or as WAV "
            "(re-encoding this file adds nothing)"
        )
        yield subject.finding(
            BITRATE,
            message.format(rate=f"{audio.bit_rate / 1000:g}", min=_MIN_KBPS),
            actual=audio.bit_rate,
        )


def _convert(path: str, tag: str, extension: str | None, **options: Any) -> str:
    """ffmpeg writing the audio alone to a new file beside `path`."""
    return ffmpeg_command(path, sibling(path, tag, extension), vn=None, **options)

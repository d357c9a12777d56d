"""One plan per file: every fixable finding of a file is fixed by one new file made in one pass
(one ffmpeg invocation, a renamed copy, or one rebuilt zip); what cannot be fixed is listed with
the reason. Pure: facts and findings in, plans out; nothing here reads or writes a file."""

from __future__ import annotations

import math
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any, Literal

from preflight.hints import compiled, stand_ins
from preflight.i18n import N_, _
from preflight.limits import (
    ASPECT_TOLERANCE,
    FPS_MAX,
    FPS_MIN,
    PHOTO_NAME_MIN,
    VIDEO_4K_MAX_BYTES,
    VIDEO_MAX_BYTES,
    WAV_MIN_SAMPLE_RATE,
    ZIP_MAX_AUDIO_BYTES,
    ZIP_MAX_WAVS,
    MakeType,
    human_bytes,
)
from preflight.names import clean_name, split_name
from preflight.probe.facts import FileFacts, ImageFacts, VideoFacts, ZipEntry, ZipFacts
from preflight.probe.sniff import EXTENSIONS, KIND
from preflight.report import Finding
from preflight.rules import driver, file, identity, photo, video, voice

Fit = Literal["pad", "crop"]
How = Literal["ffmpeg", "copy", "zip"]

_AUDIO_BITRATE = 192_000  # AAC beside a re-encoded picture
# Above this a CRF 18 encode never goes (even 4K at 60 fps): no rate cap needed under it.
_BITRATE_CEILING = 120_000_000
_SIZE_HEADROOM = 0.95  # container overhead and rate-control overshoot under a size cap
_COMMON_RATES = (25.0, 30.0, 50.0, 60.0)  # a VFR video becomes the nearest of these
# CRF 18 keeps the picture as it was; a fast preset spends the producer's time on nothing
# visible (it only makes the file larger, far under the caps).
_REENCODE: dict[str, Any] = {
    "c:v": "libx264",
    "crf": 18,
    "preset": "veryfast",
    "pix_fmt": "yuv420p",
}

# Why a finding cannot be fixed by a copy of the file, by rule (others: _NEEDS_A_PERSON).
_REASONS = {
    file.MISSING.id: N_("the file is not there: add it, or correct the path in the manifest"),
    file.NOT_REGULAR.id: N_("it is not a regular file: name the file itself"),
    file.LFS_POINTER.id: N_("the content is not checked out: run git lfs pull, then fix again"),
    file.UNREADABLE.id: N_("the file is damaged or cut short: export it again from the original"),
    file.TYPE_MISMATCH.id: N_(
        "the file holds the wrong kind of content for this field: name the right file"
    ),
    file.OUTSIDE_ROOT.id: N_("the file lies outside the repository and was not read"),
    file.UNTRACKED.id: N_("git does not have the file: git add it"),
    file.UNJUDGED.id: N_("preflight could not read what this rule needs, so it cannot fix it"),
    video.NO_VIDEO_TRACK.id: N_("there is no picture to fix: name the video itself"),
    voice.CORRUPT.id: N_("entries that cannot be read cannot be copied: zip the recordings again"),
    voice.ENCRYPTED.id: N_(
        "encrypted entries cannot be read: zip the recordings without a password"
    ),
    identity.FORMAT.id: N_(
        "a written authorization must be a PDF: scan or export the letter as PDF"
    ),
}
# The file itself is missing, damaged or not what was meant: there is nothing to copy.
_BLOCKING = frozenset(
    {
        file.MISSING.id,
        file.NOT_REGULAR.id,
        file.LFS_POINTER.id,
        file.UNREADABLE.id,
        file.TYPE_MISMATCH.id,
        file.OUTSIDE_ROOT.id,
        video.NO_VIDEO_TRACK.id,
        voice.CORRUPT.id,
        voice.ENCRYPTED.id,
    }
)
_NEEDS_A_PERSON = N_("preflight fix changes only what has one right answer; this needs a person")
_NOT_4K = N_("upscaling makes a 4K file, not 4K material: record or export the video in 4K")


@dataclass(frozen=True)
class Encode:
    """One ffmpeg invocation, as ffmpeg-python options: what to read the input with, which of
    its streams to keep (none named: ffmpeg's choice), and the output's options."""

    before: tuple[tuple[str, Any], ...] = ()
    maps: tuple[str, ...] = ()
    output: tuple[tuple[str, Any], ...] = ()

    def command(self, ffmpeg: str, source: str, target: str) -> list[str]:
        import ffmpeg as graph  # ffmpeg-python: loaded when a file is fixed

        names = stand_ins(source, target)
        stream = graph.input(names[0], **dict(self.before))
        streams = [stream[m] for m in self.maps] or [stream]
        output = graph.output(*streams, names[1], **dict(self.output))
        return compiled(output, ffmpeg, names, (source, target))


@dataclass(frozen=True)
class Part:
    """One WAV of a rebuilt voice zip: its name, and the entries it is made of (more than one:
    joined); `rate`: resampled to it; `convert`: it passes through ffmpeg."""

    name: str
    members: tuple[str, ...]
    rate: int | None
    convert: bool

    def command(self, ffmpeg: str, inputs: Sequence[str], target: str) -> list[str]:
        """ffmpeg making this WAV (16-bit PCM) from the members copied out to `inputs`."""
        import ffmpeg as graph

        *sources, output = names = stand_ins(*inputs, target)
        streams = [graph.input(name).audio for name in sources]
        if self.rate is not None:
            streams = [stream.filter("aresample", self.rate) for stream in streams]
        audio = graph.concat(*streams, v=0, a=1) if len(streams) > 1 else streams[0]
        made = graph.output(audio, output, acodec="pcm_s16le")
        return compiled(made, ffmpeg, names, (*inputs, target))


@dataclass(frozen=True)
class Unfixable:
    rule: str
    field: str | None
    reason: str
    known: bool = True  # False: a rule the plan cannot fix (its own advice may still hold)


@dataclass(frozen=True)
class FilePlan:
    """The one new file that fixes a file's fixable findings."""

    field: str
    source: Path  # the input, absolute
    shown: str  # the input, as the report shows it
    name: str  # the new file's name, in the output folder
    fixes: tuple[str, ...]  # the IDs of the rules whose findings the new file fixes
    encode: Encode | None = None  # one ffmpeg pass (None, and no parts: a renamed copy)
    parts: tuple[Part, ...] = ()  # a voice zip's
    duration_s: float | None = None  # for progress
    warnings: tuple[str, ...] = ()

    @property
    def how(self) -> How:
        return "zip" if self.parts else "ffmpeg" if self.encode else "copy"


Planned = tuple[FilePlan | None, list[Unfixable]]


def plan_file(
    field: str,
    make_type: MakeType | None,
    facts: FileFacts,
    source: Path,
    findings: Sequence[Finding],
    fit: Fit = "pad",
) -> Planned:
    """The plan for one file as one field of a request uses it, from its findings."""
    fired = {f.rule for f in findings}
    if not fired:
        return None, []
    fixes: set[str] = set()
    warnings: list[str] = []
    unfixable: dict[str, str] = {}
    encode: Encode | None = None
    parts: tuple[Part, ...] = ()
    stem = PurePosixPath(facts.path).stem
    extension = EXTENSIONS[facts.format][0] if facts.format in EXTENSIONS else facts.extension
    media = facts.media
    blocked = fired & _BLOCKING
    if blocked:  # the file itself is missing, damaged or not what was meant: nothing to copy
        return None, _unfixable(findings, {r: _(_REASONS[r]) for r in blocked})
    if isinstance(media, VideoFacts) and field in ("MaterialCosUrl", "IdentityCosUrl"):
        encode, into_mp4 = _video(media, make_type, fired, fit, fixes, unfixable, warnings)
        extension = "mp4" if into_mp4 else extension  # a trimmed MOV stays a MOV
    elif isinstance(media, ImageFacts) and field == "MaterialCosUrl":
        encode, stem, extension = _photo(media, facts.format, fired, fixes, unfixable, stem)
    elif isinstance(media, ZipFacts):
        parts = _zip(media, fired, fixes, unfixable, warnings)
        stem, extension = clean_name(stem, "voice"), "zip"
    elif field == "VoiceDriverCosFile" and fired & {driver.FORMAT.id, driver.SIZE.id}:
        fixes |= fired & {driver.FORMAT.id, driver.SIZE.id}
        duration = getattr(media, "duration_s", None)
        kbps = driver.mp3_kbps(duration)
        encode = Encode(output=(("vn", None), ("c:a", "libmp3lame"), ("b:a", f"{kbps}k")))
        extension = "mp3"
    if file.EXTENSION_MISMATCH.id in fired:
        fixes.add(file.EXTENSION_MISMATCH.id)  # every new file is named for its content
    unknown = {rule for rule in fired - fixes - set(unfixable) if rule not in _REASONS}
    for rule in fired - fixes - set(unfixable):
        unfixable[rule] = _(_REASONS.get(rule, _NEEDS_A_PERSON))
    found = _unfixable(findings, unfixable, unknown)
    if not fixes or (fixes == {file.EXTENSION_MISMATCH.id} and not extension):
        return None, found
    plan = FilePlan(
        field,
        source,
        facts.path,
        f"{stem}.{extension}",
        tuple(sorted(fixes)),
        encode,
        parts,
        getattr(media, "duration_s", None),
        tuple(warnings),
    )
    return plan, found


def _unfixable(
    findings: Sequence[Finding], reasons: dict[str, str], unknown: Collection[str] = ()
) -> list[Unfixable]:
    seen: dict[tuple[str, str | None], Unfixable] = {}
    for finding in findings:
        rule = finding.rule
        if rule in reasons:
            said = Unfixable(rule, finding.field, reasons[rule], rule not in unknown)
            seen.setdefault((rule, finding.field), said)
    return list(seen.values())


def _video(
    media: VideoFacts,
    make_type: MakeType | None,
    fired: set[str],
    fit: Fit,
    fixes: set[str],
    unfixable: dict[str, str],
    warnings: list[str],
) -> tuple[Encode | None, bool]:
    """Rotation baked in (ffmpeg turns the picture upright before the filters), square pixels,
    scaled and padded or cropped to the nearest accepted frame, a constant frame rate inside
    25–60, trimmed when too long, H.264/AAC in MP4 under the size cap; or a remux when only
    the container is wrong and the codec fits. True: the new file is an MP4."""
    filters: list[str] = []
    output: dict[str, Any] = {}
    only_4k = make_type is not None and make_type.only_4k
    geometry = fired & {video.RESOLUTION.id, video.ASPECT.id, video.PIXEL_ASPECT.id}
    if geometry:
        frame = _frame(media, only_4k)
        if frame is None:
            unfixable.update(dict.fromkeys(geometry, _(_NOT_4K)))
        else:
            filters += _fit(media, frame, fit)
            fixes |= geometry
    if fired & {video.FPS.id, video.VFR.id}:
        filters.append(f"fps={_rate(media):g}")
        output["fps_mode"] = "cfr"
        fixes |= fired & {video.FPS.id, video.VFR.id}
    if video.DURATION.id in fired and make_type is not None and media.duration_s is not None:
        if media.duration_s < make_type.min_duration_s:
            unfixable[video.DURATION.id] = _(
                "{type} needs at least {seconds} s of footage: record more (a stretched or "
                "looped video is not usable material)"
            ).format(type=make_type.name, seconds=f"{make_type.min_duration_s:g}")
        else:
            keep = make_type.max_duration_s - 1  # a cut ends on a packet: stay under the bound
            output["t"] = f"{keep:g}"
            warnings.append(
                _("only the first {seconds} s of the video are kept").format(seconds=f"{keep:g}")
            )
            fixes.add(video.DURATION.id)
    container = video.CONTAINER.id in fired or identity.FORMAT.id in fired
    reencode = bool(filters) or (container and media.codec not in video.MP4_CODECS)
    if video.SIZE.id in fired:
        if media.duration_s:
            reencode = True
            fixes.add(video.SIZE.id)
        else:
            unfixable[video.SIZE.id] = _("the headers give no duration to derive a bitrate from")
    if container:
        fixes |= fired & {video.CONTAINER.id, identity.FORMAT.id}
    if not (reencode or container or output):
        return None, False
    if reencode:
        output |= _REENCODE
        if filters:
            output["vf"] = ",".join(filters)
        if media.duration_s:  # under the size cap whatever the content: rate from the duration
            four_k = only_4k or _is_4k_frame(media, filters)
            cap = VIDEO_4K_MAX_BYTES if four_k else VIDEO_MAX_BYTES
            rate = int(cap * _SIZE_HEADROOM * 8 / media.duration_s) - _AUDIO_BITRATE
            if video.SIZE.id in fired or rate < _BITRATE_CEILING:
                rate = min(rate, _BITRATE_CEILING)  # x264 takes no more (short clips)
                output |= {"maxrate": rate, "bufsize": 2 * rate}
    else:
        output["c:v"] = "copy"
    maps: tuple[str, ...] = ("v:0",)
    if media.audio_tracks:
        maps += ("a:0",)
        copy = not (reencode or container)
        output |= {"c:a": "copy"} if copy else {"c:a": "aac", "b:a": f"{_AUDIO_BITRATE // 1000}k"}
    output["movflags"] = "+faststart"
    return Encode(maps=maps, output=tuple(output.items())), reencode or container


def _frame(media: VideoFacts, only_4k: bool) -> tuple[int, int] | None:
    """The accepted frame nearest the displayed one, of the same orientation; None when only
    4K is accepted and the picture is smaller (upscaling would be needed both ways)."""
    width, height = media.display_width, media.display_height
    if not width or not height:
        return None
    portrait = (media.display_aspect or width / height) < 1
    long, short = max(width, height), min(width, height)
    if only_4k and long < 3840 and short < 2160:
        return None
    big = only_4k or width * height >= 1920 * 1080 * 2  # twice 1080p: nearer 4K by pixels
    long, short = (3840, 2160) if big else (1920, 1080)
    return (short, long) if portrait else (long, short)


def _fit(media: VideoFacts, frame: tuple[int, int], fit: Fit) -> list[str]:
    w, h = frame
    filters = []
    if media.pixel_aspect and abs(media.pixel_aspect - 1) > ASPECT_TOLERANCE:
        filters.append("scale=trunc(iw*sar/2)*2:ih,setsar=1")  # square pixels first
    if fit == "crop":
        filters += [f"scale={w}:{h}:force_original_aspect_ratio=increase", f"crop={w}:{h}"]
    else:
        filters += [
            f"scale={w}:{h}:force_original_aspect_ratio=decrease:force_divisible_by=2",
            f"pad={w}:{h}:(ow-iw)/2:(oh-ih)/2",
        ]
    return [*filters, "setsar=1"]


def _is_4k_frame(media: VideoFacts, filters: list[str]) -> bool:
    scaled = next((f for f in filters if f.startswith("scale=") and "sar" not in f), None)
    if scaled is not None:
        return scaled.startswith(("scale=3840:", "scale=2160:"))
    return (media.display_width or 0) * (media.display_height or 0) >= 3840 * 2160


def _rate(media: VideoFacts) -> float:
    """24 → 25, 23.976 → 25, 120 → 60; a variable rate → the common rate nearest its average."""
    fps = media.fps or FPS_MIN
    if fps < FPS_MIN:
        return FPS_MIN
    if fps > FPS_MAX:
        return FPS_MAX
    return min(_COMMON_RATES, key=lambda rate: abs(rate - fps))


def _photo(
    media: ImageFacts,
    fmt: str | None,
    fired: set[str],
    fixes: set[str],
    unfixable: dict[str, str],
    stem: str,
) -> tuple[Encode | None, str, str]:
    """EXIF orientation baked in, a centre crop to the accepted aspect that keeps the most,
    HEIC/GIF/BMP/TIFF to PNG or JPEG, one frame, under the cap, and a name in the charset."""
    extension = EXTENSIONS[fmt][0] if fmt in EXTENSIONS else ""
    if photo.NAME.id in fired:
        stem = file.clean_stem(stem, PHOTO_NAME_MIN, None, "photo")
        fixes.add(photo.NAME.id)
    filters = list(photo.UPRIGHT.get(media.orientation, []))
    if photo.ASPECT.id in fired:
        width, height = media.display_width, media.display_height
        best = photo.best_crop(width, height) if width and height else None
        if best is None or not width or not height:
            unfixable[photo.ASPECT.id] = _("the picture is too small to crop to an accepted aspect")
        else:
            crop_w, crop_h = best[1:]
            left, top = (width - crop_w) // 2, (height - crop_h) // 2
            filters.append(f"crop={crop_w}:{crop_h}:{left}:{top}:exact=1")
            fixes.add(photo.ASPECT.id)
    pixels = fired & {photo.FORMAT.id, photo.SIZE.id, photo.ANIMATED.id}
    if not (pixels or photo.ASPECT.id in fixes):
        return None, stem, extension  # a renamed copy
    fixes |= pixels
    smaller = photo.SIZE.id in fired
    extension = "jpg" if smaller else photo.TARGET_EXTENSION.get(fmt or "", "jpg")
    output: dict[str, Any] = {"frames:v": 1}
    if filters:
        output["vf"] = ",".join(filters)
    if extension == "jpg":
        output["q:v"] = 3 if smaller else 2
    # ffmpeg versions disagree on honouring EXIF: orientation is applied as filters instead.
    before = (("noautorotate", None),) if media.orientation != 1 else ()
    return Encode(before=before, output=tuple(output.items())), stem, extension


def _zip(
    media: ZipFacts,
    fired: set[str],
    fixes: set[str],
    unfixable: dict[str, str],
    warnings: list[str],
) -> tuple[Part, ...]:
    """One flat zip: Finder metadata and other non-audio entries dropped, other audio converted
    to WAV, names into the charset with a lowercase .wav, rates below 24 kHz resampled, more
    than 10 recordings joined into 10, under 1 GB."""
    if media.problem is not None or media.entries_not_read:
        return ()
    audio = [
        e
        for e in media.entries
        if not e.is_dir
        and not e.symlink
        and not voice.is_mac_metadata(e.name)
        and KIND.get(e.content or "") == "audio"
        and e.problem is None
        and not e.encrypted
    ]
    if not audio:
        unfixable[voice.COUNT.id] = _("the zip holds no recording to keep")
        return ()
    groups = _groups(audio)
    parts, taken, total = [], set[str](), 0
    for group in groups:
        rates = [e.wav.sample_rate for e in group if e.wav is not None]
        low = [e for e in group if voice.low_rate(e)]
        rate = max(WAV_MIN_SAMPLE_RATE, *rates) if (low or len(group) > 1) else None
        for entry in low:
            warnings.append(
                _(
                    "{name}: resampled from {rate} Hz to {new} Hz, which adds no detail; a fresh "
                    "export at {min} Hz or more is better"
                ).format(
                    name=entry.name,
                    rate=entry.wav.sample_rate if entry.wav else "?",
                    new=rate,
                    min=WAV_MIN_SAMPLE_RATE,
                )
            )
        convert = len(group) > 1 or rate is not None or any(e.content != "wav" for e in group)
        base = voice.basename(group[0].name)
        name = _unique(voice.wav_named(base) if voice.badly_named(base) else base, taken)
        parts.append(Part(name, tuple(e.name for e in group), rate, convert))
        total += sum(_resampled_size(e, rate) for e in group)
    if total > ZIP_MAX_AUDIO_BYTES:
        unfixable[voice.TOTAL_SIZE.id] = _(
            "the recordings come to about {size}, above {max}: keep fewer or shorter ones"
        ).format(size=human_bytes(total), max=human_bytes(ZIP_MAX_AUDIO_BYTES))
        return ()
    fixes |= fired & {
        voice.FOLDERS.id,
        voice.NON_WAV.id,
        voice.EXTENSION_CASE.id,
        voice.FILENAME.id,
        voice.SAMPLE_RATE.id,
        voice.UNSAFE_PATH.id,
    }
    if len(audio) > ZIP_MAX_WAVS:
        fixes |= fired & {voice.COUNT.id}
        warnings.append(
            _("{count} recordings joined into {files} WAV files").format(
                count=len(audio), files=len(groups)
            )
        )
    return tuple(parts)


def _groups(entries: list[ZipEntry]) -> list[list[ZipEntry]]:
    """At most ZIP_MAX_WAVS runs of consecutive entries, as even as the count allows."""
    count = min(len(entries), ZIP_MAX_WAVS)
    size, extra = divmod(len(entries), count)
    groups, start = [], 0
    for index in range(count):
        end = start + size + (1 if index < extra else 0)
        groups.append(entries[start:end])
        start = end
    return groups


def _resampled_size(entry: ZipEntry, rate: int | None) -> int:
    if rate is None or entry.wav is None:
        return entry.size
    return math.ceil(entry.size * rate / entry.wav.sample_rate)


def _unique(name: str, taken: set[str]) -> str:
    """`take.wav`, then `take-2.wav`, …: two entries never share a name."""
    stem, extension = split_name(name)
    candidate, number = name, 2
    while candidate.lower() in taken:
        candidate, number = f"{stem}-{number}.{extension}", number + 1
    taken.add(candidate.lower())
    return candidate

"""Rules for avatar video material (MaterialCosUrl of IMAGE, IMAGE_GENERAL, IMAGE_4K)."""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import Any

from preflight.hints import ffmpeg_command, sibling
from preflight.i18n import N_, _, counted
from preflight.limits import (
    ASPECT_TOLERANCE,
    FPS_MAX,
    FPS_MIN,
    MAKE_TYPES,
    RESOLUTIONS_4K,
    RESOLUTIONS_1080P,
    VIDEO_4K_MAX_BYTES,
    VIDEO_ASPECTS,
    VIDEO_CONTAINERS,
    VIDEO_MAX_BYTES,
    MakeType,
    human_bytes,
)
from preflight.probe.facts import AudioFacts, Media, VideoFacts
from preflight.probe.sniff import EXTENSIONS
from preflight.report import Finding
from preflight.rule import Rule
from preflight.rules.base import Subject
from preflight.rules.file import unjudged

_PAGE = "API page: MaterialCosUrl (video) item"


def sizes_text(pairs: tuple[tuple[int, int], ...], last: str = " or ") -> str:
    """`1920×1080 or 1080×1920`; `last` joins the last two (`_(" or ")` in a message: the
    rules' limits are computed at import, in English)."""
    texts = [f"{w}×{h}" for w, h in pairs]
    return ", ".join(texts[:-1]) + f"{last}{texts[-1]}" if len(texts) > 1 else texts[0]


def _ranges() -> str:
    videos = [m for m in MAKE_TYPES.values() if m.max_duration_s]
    return "; ".join(f"{m.name} {duration_range(m)}" for m in videos)


def duration_range(make_type: MakeType) -> str:
    return f"{make_type.min_duration_s:g}–{make_type.max_duration_s:g} s"


CONTAINER = Rule(
    "video.container",
    "error",
    "the container, read from the content, is not MP4 or MOV",
    " or ".join(c.upper() for c in VIDEO_CONTAINERS),
    f"{_PAGE} 7",
)
SIZE = Rule(
    "video.size",
    "error",
    "larger than 5 GB, or 10 GB for a 4K video",
    f"≤ {human_bytes(VIDEO_MAX_BYTES)}; 4K video ≤ {human_bytes(VIDEO_4K_MAX_BYTES)}",
    f"{_PAGE} 2",
)
DURATION = Rule(
    "video.duration",
    "error",
    "the duration is outside the make type's range",
    _ranges(),
    f"{_PAGE} 3",
)
RESOLUTION = Rule(
    "video.resolution",
    "error",
    "the displayed size is not 1080p or 4K (IMAGE_4K: only 4K)",
    f"{sizes_text(RESOLUTIONS_1080P + RESOLUTIONS_4K)}; IMAGE_4K {sizes_text(RESOLUTIONS_4K)}",
    f"{_PAGE} 4",
)
ASPECT = Rule(
    "video.aspect",
    "error",
    "the display aspect is not 16:9 or 9:16",
    " or ".join(f"{w}:{h}" for w, h in VIDEO_ASPECTS) + f" (±{ASPECT_TOLERANCE:.0%})",
    f"{_PAGE} 5",
)
PIXEL_ASPECT = Rule(
    "video.pixel-aspect",
    "error",
    "non-square pixels (an anamorphic video)",
    f"square pixels (1:1 ±{ASPECT_TOLERANCE:.0%})",
    "SPEC §4",
)
FPS = Rule(
    "video.fps",
    "error",
    "the average frame rate is outside 25–60 fps",
    f"{FPS_MIN:g}–{FPS_MAX:g} fps",
    f"{_PAGE} 6",
)
VFR = Rule(
    "video.vfr",
    "warning",
    "variable frame rate: its minimum and maximum are reported",
    f"constant {FPS_MIN:g}–{FPS_MAX:g} fps",
    "SPEC §4",
)
NO_VIDEO_TRACK = Rule(
    "video.no-video-track", "error", "the file has no video stream at all", "", "SPEC §4"
)
RULES: tuple[Rule, ...] = (
    CONTAINER,
    SIZE,
    DURATION,
    RESOLUTION,
    ASPECT,
    PIXEL_ASPECT,
    FPS,
    VFR,
    NO_VIDEO_TRACK,
)

# Video codecs that an MP4 holds as they are: these remux without re-encoding.
MP4_CODECS = frozenset({"AVC", "HEVC", "MPEG-4 Visual", "AV1", "VP9"})
_REENCODE: dict[str, Any] = {"c:v": "libx264", "crf": 18, "preset": "medium", "c:a": "copy"}
_NO_SIZE = N_("the file's headers give no frame size")  # shown with _()


def check(subject: Subject) -> Iterator[Finding]:
    video = subject.file.media
    if isinstance(video, AudioFacts):  # the probe gives VideoFacts only with a video track
        yield _no_video(subject, video)
        return
    if not isinstance(video, VideoFacts):
        return
    yield from _container(subject, video)
    yield from _size(subject, video)
    yield from _duration(subject, video)
    yield from _resolution(subject, video)
    yield from _aspect(subject, video)
    yield from _pixel_aspect(subject, video)
    yield from _fps(subject, video)
    yield from _vfr(subject, video)


def remux_to_mp4(path: str, media: Media | None) -> str:
    """The command that puts the content into an MP4: a lossless remux when the codec fits."""
    target = sibling(path, "remux", "mp4")
    if isinstance(media, VideoFacts) and media.codec in MP4_CODECS:
        return ffmpeg_command(path, target, c="copy", movflags="+faststart")
    return ffmpeg_command(
        path, target, movflags="+faststart", **{**_REENCODE, "c:a": "aac", "b:a": "192k"}
    )


def describe_format(fmt: str | None, container: str | None) -> str:
    """`MKV (Matroska)`: the sniffed format, and the container's own name when it differs."""
    name = (fmt or "unknown").upper()
    return f"{name} ({container})" if container and container.upper() != name else name


def _no_video(subject: Subject, media: AudioFacts) -> Finding:
    codec = media.codec or _("unknown codec")
    if media.duration_s:
        message = _("the file has no video track: it holds only audio ({codec}, {duration})")
    else:
        message = _("the file has no video track: it holds only audio ({codec})")
    return subject.finding(
        NO_VIDEO_TRACK,
        message.format(codec=codec, duration=minutes(media.duration_s or 0)),
        actual=0,
        limit=_("a video track"),
    )


def _container(subject: Subject, video: VideoFacts) -> Iterator[Finding]:
    fmt = subject.file.format
    if fmt in VIDEO_CONTAINERS:
        return
    ext = subject.file.extension
    named = ext in {e for c in VIDEO_CONTAINERS for e in EXTENSIONS[c]}
    if named:
        message = _("the content is {format}, not MP4 or MOV, although the name ends in {ext}")
    else:
        message = _("the content is {format}, not MP4 or MOV")
    yield subject.finding(
        CONTAINER,
        message.format(format=describe_format(fmt, video.container), ext=f"'.{ext}'"),
        actual=fmt,
        hint=remux_to_mp4(subject.file.path, video),
    )


def _is_4k(video: VideoFacts) -> bool:
    return (video.display_width, video.display_height) in RESOLUTIONS_4K


def _only_4k(subject: Subject) -> bool:
    return subject.make_type is not None and subject.make_type.only_4k


def check_recorded_size(subject: Subject) -> Iterator[Finding]:
    """The size rule alone, for a Git LFS pointer's recorded size: the resolution is unknown,
    so the 4K cap applies and only a sure failure fires."""
    yield from _size(subject, None)


def _size(subject: Subject, video: VideoFacts | None) -> Iterator[Finding]:
    size = subject.file.size
    four_k = video is None or _is_4k(video) or _only_4k(subject)
    cap = VIDEO_4K_MAX_BYTES if four_k else VIDEO_MAX_BYTES
    if size is None or size <= cap:
        return
    if video is None:
        message = _(
            "file size {size} ({bytes} bytes) is above the {cap} limit for a video of any "
            "resolution ({cap_bytes} bytes); re-encoding with H.264 at CRF 23 makes it smaller"
        )
    elif four_k:
        message = _(
            "file size {size} ({bytes} bytes) is above the {cap} limit for a 4K video "
            "({cap_bytes} bytes); re-encoding with H.264 at CRF 23 makes it smaller"
        )
    else:
        message = _(
            "file size {size} ({bytes} bytes) is above the {cap} limit for a video "
            "({cap_bytes} bytes); re-encoding with H.264 at CRF 23 makes it smaller"
        )
    yield subject.finding(
        SIZE,
        message.format(
            size=human_bytes(size), bytes=f"{size:,}", cap=human_bytes(cap), cap_bytes=f"{cap:,}"
        ),
        actual=size,
        limit=f"≤ {human_bytes(cap)}",
        hint=ffmpeg_command(
            subject.file.path,
            _output(subject, "smaller"),
            movflags="+faststart",
            **{**_REENCODE, "crf": 23},
        ),
    )


def _duration(subject: Subject, video: VideoFacts) -> Iterator[Finding]:
    make_type, seconds = subject.make_type, video.duration_s
    if make_type is None or not make_type.max_duration_s:
        return
    if seconds is None:
        yield unjudged(subject, DURATION, _("the file's headers give no duration"))
        return
    low, high = make_type.min_duration_s, make_type.max_duration_s
    if low <= seconds <= high:
        return
    short = seconds < low
    # Too long: keep the start. A stream copy ends on packet boundaries and overshoots by up
    # to an audio frame (600 s becomes 600.021 s), so cut one second short.
    keep = f"{high - 1:g}"
    cut = (
        None
        if short
        else ffmpeg_command(subject.file.path, _output(subject, f"{keep}s"), t=keep, c="copy")
    )
    yield subject.finding(
        DURATION,
        (
            _("duration {duration} is below the {bound} minimum for {type}")
            if short
            else _("duration {duration} is above the {bound} maximum for {type}")
        ).format(
            duration=minutes(seconds),
            bound=minutes(low if short else high),
            type=make_type.titled,
        ),
        actual=seconds,
        limit=duration_range(make_type),
        hint=cut,
    )


def _resolution(subject: Subject, video: VideoFacts) -> Iterator[Finding]:
    size = (video.display_width, video.display_height)
    if size[0] is None or size[1] is None:
        yield unjudged(subject, RESOLUTION, _(_NO_SIZE))
        return
    only_4k = _only_4k(subject)
    allowed = RESOLUTIONS_4K if only_4k else RESOLUTIONS_1080P + RESOLUTIONS_4K
    if size in allowed:
        return
    shown = f"{size[0]}×{size[1]}"
    if video.rotation in (90, 270):
        shown = _("{size} (stored {width}×{height}, rotated {degrees}°)").format(
            size=shown, width=video.width, height=video.height, degrees=video.rotation
        )
    if only_4k and subject.make_type:
        message = _("displayed size {size} is not {allowed}; {type} needs 4K")
    else:
        message = _("displayed size {size} is not {allowed}")
    yield subject.finding(
        RESOLUTION,
        message.format(
            size=shown,
            allowed=sizes_text(allowed, _(" or ")),
            type=subject.make_type.name if subject.make_type else "",
        ),
        actual=f"{size[0]}×{size[1]}",
        limit=sizes_text(allowed, _(" or ")),
        hint=_scale_hint(subject, video),
    )


def _aspect(subject: Subject, video: VideoFacts) -> Iterator[Finding]:
    aspect = video.display_aspect
    if aspect is None:
        yield unjudged(subject, ASPECT, _(_NO_SIZE))
        return
    if any(_near(aspect, w / h) for w, h in VIDEO_ASPECTS):
        return
    yield subject.finding(
        ASPECT,
        _(
            "display aspect {aspect} ({ratio}) is not 16:9 (1.778) or 9:16 (0.5625) within "
            "±{tolerance}"
        ).format(
            aspect=f"{aspect:.3f}", ratio=_ratio_name(video), tolerance=f"{ASPECT_TOLERANCE:.0%}"
        ),
        actual=round(aspect, 4),
        hint=_scale_hint(subject, video),
    )


def _pixel_aspect(subject: Subject, video: VideoFacts) -> Iterator[Finding]:
    ratio = video.pixel_aspect
    if ratio is None:
        yield unjudged(subject, PIXEL_ASPECT, _("the file's headers give no pixel aspect ratio"))
        return
    if _near(ratio, 1.0):
        return
    yield subject.finding(
        PIXEL_ASPECT,
        _(
            "pixels are not square (pixel aspect {ratio}): the {width}×{height} frames are "
            "stretched on playback (anamorphic)"
        ).format(ratio=f"{ratio:.3f}", width=video.width, height=video.height),
        actual=round(ratio, 4),
        hint=ffmpeg_command(
            subject.file.path,
            _output(subject, "square"),
            vf="scale=trunc(iw*sar/2)*2:ih,setsar=1",
            **_REENCODE,
        ),
    )


def _fps(subject: Subject, video: VideoFacts) -> Iterator[Finding]:
    fps = video.fps
    if fps is None:
        why = _("the file's headers give no frame rate")
        if video.fps_mode == "VFR":  # a Matroska or MPEG-TS too large to count its frames
            why = _("the frame rate varies, and no index gives every frame's time to average")
        yield unjudged(subject, FPS, why)
        return
    if FPS_MIN <= fps <= FPS_MAX:
        return
    low = fps < FPS_MIN
    target = FPS_MIN if low else FPS_MAX
    yield subject.finding(
        FPS,
        (
            _("frame rate {fps} fps is below {target} fps")
            if low
            else _("frame rate {fps} fps is above {target} fps")
        ).format(fps=_fps_text(fps), target=_fps_text(target)),
        actual=round(fps, 3),
        hint=_fps_hint(subject, target),
    )


def _vfr(subject: Subject, video: VideoFacts) -> Iterator[Finding]:
    # Only an MP4/MOV index times every frame; libmediainfo calls an MPEG-TS "VFR" unseen.
    if subject.file.format not in VIDEO_CONTAINERS:
        return
    if video.fps_mode is None:
        yield unjudged(subject, VFR, _("the file's index gives no frame-rate mode"))
        return
    if video.fps_mode != "VFR":
        return
    low, high = video.fps_min, video.fps_max
    message = _("variable frame rate (the index gives no minimum and maximum)")
    if low and high:
        message = _("variable frame rate from {low} to {high} fps").format(
            low=_fps_text(low), high=_fps_text(high)
        )
    if video.fps:
        message += _(" (average {fps} fps)").format(fps=_fps_text(video.fps))
    outside = [v for v in (low, high) if v and not FPS_MIN <= v <= FPS_MAX]
    if outside:
        rates = _(" and ").join(f"{_fps_text(v)} fps" for v in outside)
        said = counted(
            len(outside), "; {rates} is outside {limit}", "; {rates} are outside {limit}"
        )
        message += said.format(rates=rates, limit=_(FPS.limit))
    # A constant rate: the common one inside the limits nearest to the average.
    target = min((25.0, 30.0, 50.0, 60.0), key=lambda r: abs(r - (video.fps or FPS_MIN)))
    measured = [low, high] if low and high else None  # never [None, None]: said in words
    yield subject.finding(VFR, message, actual=measured, hint=_fps_hint(subject, target))


def _fps_hint(subject: Subject, rate: float) -> str:
    return ffmpeg_command(
        subject.file.path, _output(subject, f"{rate:g}fps"), vf=f"fps={rate:g}", **_REENCODE
    )


def _scale_hint(subject: Subject, video: VideoFacts) -> str:
    """Scale and pad to the nearest allowed size of the same orientation (ffmpeg applies
    the rotation before the filters, so they see the displayed frame)."""
    # Nearest by pixel count: 4K from twice the pixels of 1080p (their geometric mean).
    pixels = (video.display_width or 0) * (video.display_height or 0)
    big = _only_4k(subject) or pixels >= 1920 * 1080 * 2
    portrait = (video.display_height or 0) > (video.display_width or 0)
    pairs = RESOLUTIONS_4K if big else RESOLUTIONS_1080P
    w, h = pairs[1] if portrait else pairs[0]
    scale = (
        f"scale={w}:{h}:force_original_aspect_ratio=decrease,"
        f"pad={w}:{h}:(ow-iw)/2:(oh-ih)/2,setsar=1"
    )
    return ffmpeg_command(subject.file.path, _output(subject, f"{w}x{h}"), vf=scale, **_REENCODE)


def _output(subject: Subject, tag: str) -> str:
    """A new file beside the input, in the container the input already is (MOV stays MOV)."""
    return sibling(subject.file.path, tag, "mov" if subject.file.format == "mov" else "mp4")


def _near(value: float, target: float) -> bool:
    return abs(value / target - 1) <= ASPECT_TOLERANCE


def _ratio_name(video: VideoFacts) -> str:
    w, h = video.display_width or 0, video.display_height or 0
    if video.pixel_aspect is not None and not _near(video.pixel_aspect, 1.0):
        return _("{width}×{height} with pixel aspect {ratio}").format(
            width=w, height=h, ratio=f"{video.pixel_aspect:.3f}"
        )
    d = math.gcd(w, h) or 1
    return f"{w // d}:{h // d}"


def _fps_text(fps: float | None) -> str:
    return "?" if fps is None else f"{round(fps, 3):g}"


def minutes(seconds: float) -> str:
    """105 → `1 min 45 s`, 120 → `2 min`, 59.5 → `59.5 s`; milliseconds truncated, never
    rounded up onto a bound."""
    whole = math.floor(seconds * 1000 + 1e-6) / 1000  # 119.999 * 1000 is 119998.99…
    minutes, rest = divmod(whole, 60)
    parts = [_("{count} min").format(count=int(minutes))] if minutes else []
    if rest or not parts:
        parts.append(_("{count} s").format(count=f"{round(rest, 3):g}"))
    return " ".join(parts)

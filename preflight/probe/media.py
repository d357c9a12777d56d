"""Video and audio headers, read by libmediainfo (pymediainfo) at its lowest parse speed.

Parse speed 0 reads the container's index (the MP4/MOV `moov`) and seeks over the media
data, so a 10 GB file costs what its headers cost; the index still gives the frame-rate
mode and its minimum and maximum, so variable frame rate is detected in MP4 and MOV (the
only containers accepted; libmediainfo reads a Matroska's mode from its first frames).
A Matroska track's rotation and declared frame rate come from its header
(preflight.probe.matroska). An MPEG-TS has no index: its duration and frame rate come from
the video's timestamps (preflight.probe.mpegts), not from libmediainfo's estimate. Where a
Matroska's or MPEG-TS's rate is seen to vary, its average is its frames counted over its
duration in a file of at most WINDOW bytes, and unknown (file.unjudged) in a larger one.
Raw MPEG audio, ADTS, Sun AU and CAF, whose durations libmediainfo gets wrong or misses, are
timed from their own headers (preflight.probe.audio); ADTS, which states no bitrate, has the
file's average.
"""

from __future__ import annotations

import math
from dataclasses import replace
from pathlib import Path
from typing import Any, BinaryIO

from preflight.i18n import N_
from preflight.probe.audio import TIMED_FORMATS, audio_duration
from preflight.probe.facts import AudioFacts, ProbeError, VideoFacts
from preflight.probe.iso import ISO_FORMATS, check_tables
from preflight.probe.matroska import video_header
from preflight.probe.mpegts import SAME_RATE, WINDOW, video_timing

_PARSE_SPEED = 0
# MP4, M4A and MOV list their tracks in one index box (moov), often written last.
_INDEXED = ("MPEG-4", "QuickTime")
_MATROSKA = ("mkv", "webm")


def preload() -> None:
    """Import pymediainfo and load libmediainfo, before a file needs them."""
    from pymediainfo import MediaInfo

    MediaInfo.can_parse()


def probe_media(path: Path, fmt: str | None = None) -> VideoFacts | AudioFacts:
    """The facts of the first video track, else of the first audio track; `fmt` is the
    sniffed format (an MP4 or MOV index is checked before libmediainfo reads it)."""
    if fmt in ISO_FORMATS:
        with path.open("rb") as stream:
            check_tables(stream)
    name = str(path)
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        # libmediainfo takes a name as UTF-8 text, which a name of other bytes (Python keeps
        # them as surrogates) has not: give it the open file, which it seeks as it reads.
        with path.open("rb") as stream:
            info = _parse(stream)
    else:
        info = _parse(name)
    general = info.general_tracks[0] if info.general_tracks else None
    videos, audios = info.video_tracks, info.audio_tracks
    container = _container(general)
    indexed = fmt in ISO_FORMATS or container in _INDEXED  # libmediainfo names 3G2 "3g2b"
    if not videos and not audios:
        raise ProbeError(
            N_(
                "no audio or video track could be read: the file is truncated or its index "
                "(moov) is missing"
            )
            if indexed
            else N_("no audio or video track could be read: the file is truncated or damaged")
        )
    if indexed and general is not None and general.istruncated == "Yes":
        # Its index survives, but frames it lists are gone: an upload or copy cut short.
        raise ProbeError(N_("the file is cut short: its index lists data past the end of the file"))
    if videos:
        video = _video(general, videos[0], container, len(videos), len(audios))
        if fmt == "mpeg-ts":
            return _timed(path, video, videos[0])
        return _matroska(path, video) if fmt in _MATROSKA else video
    audio = _audio(general, audios[0], container)
    if fmt in TIMED_FORMATS:
        with path.open("rb") as stream:
            duration = audio_duration(stream, fmt)
        bit_rate = audio.bit_rate
        if bit_rate is None and duration:  # ADTS states none: the file's average (frame
            bit_rate = round(path.stat().st_size * 8 / duration)  # headers are 7 bytes in ~300)
        return replace(audio, duration_s=duration, bit_rate=bit_rate)
    return audio


def _timed(path: Path, video: VideoFacts, track: Any) -> VideoFacts:
    """An MPEG-TS video with the duration and frame rate its timestamps give (the frame
    rate of its codec's headers kept when they give one), over libmediainfo's estimates."""
    pid = _int(track.track_id)  # in a TS, the track ID is the stream's packet ID
    if pid is None:
        return video
    with path.open("rb") as stream:
        timing = video_timing(stream, pid, _number(track.frame_rate))
    if timing is None:
        return video
    mode = video.fps_mode if timing.steady else "VFR"
    return replace(video, duration_s=timing.duration_s, fps=timing.fps, fps_mode=mode)


def _matroska(path: Path, video: VideoFacts) -> VideoFacts:
    """A Matroska video with the rotation of its track's projection, and the frame rate its
    track declares where libmediainfo's reading of the first frames gives none or the same;
    where the two differ, the rate varies: the average is counted (_counted)."""
    with path.open("rb") as stream:
        header = video_header(stream)
    if header is None:
        return video
    if header.rotation is not None and not video.rotation:
        rotation = _rotation(header.rotation)
        shown = _displayed(video.width, video.height, video.pixel_aspect, rotation)
        video = replace(video, rotation=rotation, **shown)
    declared, seen = header.fps, video.fps
    if declared is None:
        return video
    if seen is None or max(seen, declared) <= min(seen, declared) * SAME_RATE:
        return replace(video, fps=declared)
    return replace(video, fps=_counted(path), fps_mode="VFR")


def _counted(path: Path) -> float | None:
    """The average frame rate of a video whose rate varies: its frames over its duration,
    as libmediainfo reads them going through the whole file, which it does only for a file
    of at most WINDOW bytes (what is read of an MPEG-TS anyway); None for a larger one."""
    if path.stat().st_size > WINDOW:
        return None
    try:
        with path.open("rb") as stream:
            info = _parse(stream, parse_speed=1)
    except ProbeError:  # read at parse speed 0, the file is readable: only the count is lost
        return None
    track = info.video_tracks[0] if info.video_tracks else None
    frames, duration = (_number(track.frame_count), _seconds(track)) if track else (None, None)
    return frames / duration if frames and duration else None


def _parse(source: str | BinaryIO, parse_speed: float = _PARSE_SPEED) -> Any:
    try:
        from pymediainfo import MediaInfo

        return MediaInfo.parse(source, parse_speed=parse_speed)
    except (ImportError, OSError) as error:  # the library is missing, not the file broken
        raise ProbeError(
            f"libmediainfo is unavailable, so media cannot be read ({error})"
        ) from error
    except Exception as error:
        reason = f"libmediainfo refused the file ({type(error).__name__})"
        raise ProbeError(f"the media headers could not be read: {reason}") from error


def _container(general: Any) -> str | None:
    if general is None:
        return None
    fmt = _text(general.format)
    # MOV and MP4 share one parser; the profile is what tells them apart.
    return "QuickTime" if _text(general.format_profile) == "QuickTime" else fmt


def _video(general: Any, track: Any, container: str | None, videos: int, audios: int) -> VideoFacts:
    width, height = _int(track.width), _int(track.height)
    rotation = _rotation(track.rotation)
    pixel_aspect = _number(track.pixel_aspect_ratio)
    duration = _seconds(general) or _seconds(track)
    fps = _number(track.frame_rate)
    frames = _number(track.frame_count)
    if fps is None and frames and duration:
        fps = frames / duration
    return VideoFacts(
        container=container,
        duration_s=duration,
        video_tracks=videos,
        audio_tracks=audios,
        codec=_text(track.format),
        width=width,
        height=height,
        rotation=rotation,
        pixel_aspect=pixel_aspect,
        **_displayed(width, height, pixel_aspect, rotation),
        fps=fps,
        fps_mode=_text(track.frame_rate_mode),
        fps_min=_number(track.minimum_frame_rate),
        fps_max=_number(track.maximum_frame_rate),
    )


def _audio(general: Any, track: Any, container: str | None) -> AudioFacts:
    bit_rate = _int(track.bit_rate)
    if bit_rate is None and general is not None:
        bit_rate = _int(general.overall_bit_rate)
    return AudioFacts(
        container=container,
        codec=_text(track.format),
        duration_s=_seconds(general) or _seconds(track),
        sample_rate=_int(track.sampling_rate),
        channels=_int(track.channel_s),
        bit_rate=bit_rate,
    )


def _displayed(
    width: int | None, height: int | None, pixel_aspect: float | None, rotation: int
) -> dict[str, Any]:
    """What a player shows: non-square pixels stretched to square ones, then the rotation."""
    shown_width = round(width * pixel_aspect) if width and pixel_aspect else width
    turned = rotation in (90, 270)
    display_width, display_height = (height, shown_width) if turned else (shown_width, height)
    aspect = display_width / display_height if display_width and display_height else None
    return {
        "display_width": display_width,
        "display_height": display_height,
        "display_aspect": aspect,
    }


def _rotation(value: object) -> int:
    """Degrees from the display matrix, to the nearest quarter turn: 0, 90, 180 or 270."""
    degrees = _number(value)
    return 0 if degrees is None else round(degrees / 90) % 4 * 90


def _seconds(track: Any) -> float | None:
    milliseconds = _number(track.duration) if track is not None else None
    return milliseconds / 1000 if milliseconds else None


def _number(value: object) -> float | None:
    """mediainfo gives numbers as ints or strings ("25.000", "44100 / 22050"): the first.
    A damaged header can give "inf" or "nan": no number (JSON has none for them)."""
    number = None
    if isinstance(value, int | float):
        number = float(value)
    elif isinstance(value, str) and value.strip():
        try:
            number = float(value.split("/")[0].split()[0])
        except ValueError:
            return None
    return number if number is not None and math.isfinite(number) else None


def _int(value: object) -> int | None:
    number = _number(value)
    return round(number) if number is not None else None


def _text(value: object) -> str | None:
    return (value.strip() or None) if isinstance(value, str) else None

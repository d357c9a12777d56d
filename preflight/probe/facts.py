"""Plain facts read from file headers. Frozen, picklable, JSON-friendly: rules read only these."""

from __future__ import annotations

import os
from dataclasses import dataclass, field, fields
from typing import Any, Literal

ENTRIES_REPORTED = 100  # zip entries listed in a report's facts; the rules see them all

StatKey = tuple[int, int, int, int, int]  # size, mtime_ns, ctime_ns, inode, device
Kind = Literal["video", "audio", "archive", "image", "document"]
Node = Literal["file", "missing", "directory", "fifo", "socket", "device", "other"]


@dataclass(frozen=True)
class LfsPointer:
    """A Git LFS pointer file: the content lives elsewhere; the pointer records its size."""

    oid: str
    size: int | None


@dataclass(frozen=True)
class VideoFacts:
    container: str | None  # as the container says: "MPEG-4", "QuickTime", "Matroska", …
    duration_s: float | None
    video_tracks: int
    audio_tracks: int
    codec: str | None
    width: int | None  # stored size of the first video track
    height: int | None
    rotation: int  # degrees, from the container's display matrix
    display_width: int | None  # after rotation
    display_height: int | None
    pixel_aspect: float | None
    display_aspect: float | None  # displayed width / height, pixel aspect included
    fps: float | None  # average frame rate
    fps_mode: str | None  # "CFR" or "VFR"
    fps_min: float | None
    fps_max: float | None


@dataclass(frozen=True)
class AudioFacts:
    container: str | None
    codec: str | None
    duration_s: float | None
    sample_rate: int | None
    channels: int | None
    bit_rate: int | None


@dataclass(frozen=True)
class WavFacts:
    sample_rate: int
    channels: int
    subtype: str  # libsndfile's name: PCM_16, FLOAT, …
    duration_s: float | None


@dataclass(frozen=True)
class ZipEntry:
    name: str  # decoded: UTF-8 flag, else GBK when clean, else CP437
    is_dir: bool
    size: int  # uncompressed size the entry declares
    compressed_size: int
    encrypted: bool
    symlink: bool
    content: str | None  # format sniffed from the first bytes: "unknown" if none, None if unread
    wav: WavFacts | None
    problem: str | None  # why the entry could not be read (bad local header, CRC, …)


@dataclass(frozen=True)
class ZipFacts:
    entries: tuple[ZipEntry, ...]
    total_declared: int  # sum of the uncompressed sizes the entries declare
    problem: str | None  # the archive as a whole is unreadable: bad central directory, …
    entries_not_read: int = 0  # entries whose content was not sniffed (past the read budget)


@dataclass(frozen=True)
class ImageFacts:
    format: str
    width: int | None  # as stored
    height: int | None
    orientation: int  # EXIF orientation 1–8, 1 when absent
    display_width: int | None  # after EXIF orientation
    display_height: int | None
    frames: int
    mode: str | None


@dataclass(frozen=True)
class DocumentFacts:
    version: str | None  # "1.7" from "%PDF-1.7"
    encrypted: bool


Media = VideoFacts | AudioFacts | ZipFacts | ImageFacts | DocumentFacts


@dataclass(frozen=True)
class Face:
    """A face box, in displayed pixels (after rotation or EXIF orientation)."""

    x: int
    y: int
    width: int
    height: int
    turned: bool  # only the profile detector found it: turned away from the camera


@dataclass(frozen=True)
class FaceFrame:
    time_s: float | None  # where in the video; None for a photo
    faces: tuple[Face, ...]


@dataclass(frozen=True)
class FaceFacts:
    """The faces seen in a photo, or in the keyframes sampled from a video."""

    width: int  # the displayed frame the boxes are in
    height: int
    frames: tuple[FaceFrame, ...]
    skipped: str | None = None  # why no face was looked for: no detector installed, …

    def summary(self) -> dict[str, Any]:
        """What `inspect` and the reports show of it: counts and the main face's measures."""
        if self.skipped is not None:
            return {"skipped": self.skipped}
        seen = [frame for frame in self.frames if frame.faces]
        main = [max(frame.faces, key=_area) for frame in seen]
        heights = sorted(face.height for face in main)
        return {
            "frames": len(self.frames),
            "with_face": len(seen),
            "with_several": sum(len(frame.faces) > 1 for frame in self.frames),
            "turned": sum(face.turned for face in main),
            "face_height_px": heights[len(heights) // 2] if heights else None,
        }


def _area(face: Face) -> int:
    return face.width * face.height


@dataclass(frozen=True)
class Segment:
    start_s: float
    end_s: float | None  # None: to the end of the video


@dataclass(frozen=True)
class FrameFacts:
    """What a decode of every frame of a video found (`--deep`): ffmpeg's blackdetect,
    freezedetect and scdet."""

    black: tuple[Segment, ...]
    frozen: tuple[Segment, ...]
    cuts: tuple[float, ...]  # the times of scene changes
    skipped: str | None = None  # why the video was not decoded through


@dataclass(frozen=True)
class SpeechFacts:
    """What the samples of one audio stream measure (preflight.probe.speech): a WAV of a voice
    zip, an audio file, or a video's first audio track. Times are seconds into the stream."""

    source: str  # the zip entry; "" for the file's own audio
    sample_rate: int | None = None  # of the samples analysed
    seconds: float = 0.0  # of audio analysed
    complete: bool = True  # False: only the first ANALYSED_S_MAX seconds were analysed
    peak_dbfs: float | None = None  # None: digital silence
    speech_dbfs: float | None = None  # RMS over the frames the VAD took for speech
    clipped: int = 0  # runs of consecutive full-scale samples
    clipped_at: tuple[float, ...] = ()  # where the first few of them start
    speech_s: float = 0.0  # voice activity
    leading_s: float = 0.0  # silence before the first speech (all of it when there is none)
    trailing_s: float = 0.0  # after the last
    pauses: tuple[tuple[float, float], ...] = ()  # the longest gaps in speech: (start, length)
    bandwidth_hz: float | None = None  # highest frequency the sound reaches
    snr_db: float | None = None  # WADA-SNR: an estimate from the amplitude distribution
    problem: str | None = None  # why the stream could not be analysed (all else unmeasured)


@dataclass(frozen=True)
class FileFacts:
    """Everything preflight knows about one local file; probed once per run."""

    path: str  # as displayed: relative where the user gave it relative
    node: Node
    size: int | None = None
    format: str | None = None  # read from the content, never from the name
    kind: Kind | None = None
    lfs: LfsPointer | None = None
    problem: str | None = None  # unreadable: empty, truncated, corrupt
    media: Media | None = None
    # The regular file's stat key, the same before and after it was probed; None when it
    # changed meanwhile (its facts may mix two versions: see cache.FactsCache.update).
    read_as: StatKey | None = field(default=None, compare=False, repr=False)
    faces: FaceFacts | None = None  # None: not looked for (not a photo or video, --no-content)
    deep: FrameFacts | None = None  # every frame, decoded (--deep); None: not decoded through
    speech: tuple[SpeechFacts, ...] | None = None  # None: not analysed (not audio, --no-content)

    @property
    def extension(self) -> str:
        name = self.path.rsplit("/", 1)[-1]
        return name.rsplit(".", 1)[-1].lower() if "." in name else ""

    def to_dict(self) -> dict[str, Any]:
        facts: dict[str, Any] = {"node": self.node, "size": self.size, "format": self.format}
        if self.lfs is not None:
            facts["lfs_pointer"] = dict(vars(self.lfs))
        if self.problem is not None:
            facts["problem"] = self.problem
        if isinstance(self.media, ZipFacts):  # 70 000 entries would take seconds
            zipped = self.media
            facts.update((f.name, getattr(zipped, f.name)) for f in fields(zipped))
            facts["entries"] = [_entry(e) for e in zipped.entries[:ENTRIES_REPORTED]]
            if len(zipped.entries) > ENTRIES_REPORTED:
                facts["entries_total"] = len(zipped.entries)
        elif self.media is not None:
            facts.update(vars(self.media))  # flat records: asdict's deep copy is not needed
        if self.faces is not None:
            facts["faces"] = self.faces.summary()
        if self.deep is not None:
            facts["deep"] = _frames(self.deep)
        if self.speech is not None:
            facts["speech"] = [dict(vars(stream)) for stream in self.speech]
        return facts


def stat_key(info: os.stat_result) -> StatKey:
    """What identifies one version of a file: a change to it changes its ctime at least."""
    return (info.st_size, info.st_mtime_ns, info.st_ctime_ns, info.st_ino, info.st_dev)


def _frames(found: FrameFacts) -> dict[str, Any]:
    if found.skipped is not None:
        return {"skipped": found.skipped}
    return {"black": len(found.black), "frozen": len(found.frozen), "cuts": len(found.cuts)}


def _entry(entry: ZipEntry) -> dict[str, Any]:
    return {**vars(entry), "wav": dict(vars(entry.wav)) if entry.wav else None}


class ProbeError(Exception):
    """The file's headers could not be read; the message says why, in a producer's words."""

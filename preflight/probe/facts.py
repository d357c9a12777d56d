"""Plain facts read from file headers. Frozen, picklable, JSON-friendly: rules read only these."""

from __future__ import annotations

import os
from dataclasses import dataclass, field, fields
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:  # what content analysis finds: its own module, loaded by a run that analyses
    from preflight.probe.analysed import FaceFacts, FrameFacts, SpeechFacts

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
            facts["deep"] = self.deep.summary()
        if self.speech is not None:
            facts["speech"] = [dict(vars(stream)) for stream in self.speech]
        return facts


def stat_key(info: os.stat_result) -> StatKey:
    """What identifies one version of a file: a change to it changes its ctime at least."""
    return (info.st_size, info.st_mtime_ns, info.st_ctime_ns, info.st_ino, info.st_dev)


def _entry(entry: ZipEntry) -> dict[str, Any]:
    return {**vars(entry), "wav": dict(vars(entry.wav)) if entry.wav else None}


class ProbeError(Exception):
    """The file's headers could not be read; the message says why, in a producer's words."""

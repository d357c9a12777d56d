"""What content analysis finds in a file (preflight.probe.content): the faces of a photo or a
video's keyframes, a video's every frame (`--deep`), the speech of each audio stream. Plain
facts, as preflight.probe.facts holds the headers' (FileFacts refers to these); a module of
their own, which a run without content analysis never loads."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


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

    def summary(self) -> dict[str, Any]:
        """What `inspect` and the reports show of it: counts."""
        if self.skipped is not None:
            return {"skipped": self.skipped}
        return {"black": len(self.black), "frozen": len(self.frozen), "cuts": len(self.cuts)}


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

"""Rule tests on facts built directly, yamllint's `RuleTestCase.check` style: a passing file's
facts, one fact changed, and the rules' findings. The probe tests prove that real files give
such facts; these cover a rule's edge cases cheaply.

    assert fired(video(fps=24.0)) == {"video.fps"}
"""

from __future__ import annotations

from dataclasses import fields, replace
from pathlib import Path
from typing import Any

from preflight.dispatch import check_file
from preflight.limits import MAKE_TYPES
from preflight.manifest import Manifest
from preflight.probe.analysed import Face, FaceFacts, FaceFrame, SpeechFacts
from preflight.probe.facts import (
    AudioFacts,
    FileFacts,
    ImageFacts,
    VideoFacts,
    WavFacts,
    ZipEntry,
    ZipFacts,
)
from preflight.report import Finding
from preflight.rules import request
from preflight.rules.base import Subject

# The field each make type's material goes in; the make type of each other role.
MATERIAL = "MaterialCosUrl"


def findings(
    file: FileFacts, make_type: str | None = "IMAGE", field: str = MATERIAL
) -> list[Finding]:
    """Every finding of the file rules and the file's family, for this file in this field of a
    request of this make type (None: unknown)."""
    chosen = MAKE_TYPES[make_type] if make_type is not None else None
    return check_file(Subject(field, chosen, file))[0]


def fired(file: FileFacts, make_type: str | None = "IMAGE", field: str = MATERIAL) -> set[str]:
    return {finding.rule for finding in findings(file, make_type, field)}


def request_fired(payload: dict[str, Any]) -> set[str]:
    """The request rules' IDs for a manifest with this payload."""
    return {f.rule for f in request.check(Manifest("request.json", Path("."), payload))}


def _changed(facts: FileFacts, changes: dict[str, Any]) -> FileFacts:
    """The facts with `changes` applied: to the file where it has such a field, else to its
    media record."""
    mine = {f.name for f in fields(FileFacts)}
    rest = {k: v for k, v in changes.items() if k not in mine}
    if rest:
        assert facts.media is not None
        facts = replace(facts, media=replace(facts.media, **rest))
    return replace(facts, **{k: v for k, v in changes.items() if k in mine})


def video(**changes: Any) -> FileFacts:
    """A 2-minute 1080p 25 fps H.264 MP4 with sound: every video rule passes."""
    media = VideoFacts(
        container="MPEG-4",
        duration_s=150.0,
        video_tracks=1,
        audio_tracks=1,
        codec="AVC",
        width=1920,
        height=1080,
        rotation=0,
        display_width=1920,
        display_height=1080,
        pixel_aspect=1.0,
        display_aspect=16 / 9,
        fps=25.0,
        fps_mode="CFR",
        fps_min=None,
        fps_max=None,
    )
    return _changed(
        FileFacts("video/tom.mp4", "file", 200 * 1024**2, "mp4", "video", media=media), changes
    )


def audio(path: str = "audio/drive.mp3", fmt: str = "mp3", **changes: Any) -> FileFacts:
    """Ten seconds of MP3 speech: passes as driver audio."""
    media = AudioFacts("MPEG Audio", "MPEG Audio", 10.0, 44_100, 1, 128_000)
    return _changed(FileFacts(path, "file", 160_000, fmt, "audio", media=media), changes)


def wav_entry(name: str = "take1.wav", **changes: Any) -> ZipEntry:
    wav = WavFacts(48_000, 1, "PCM_16", 10.0)
    entry = ZipEntry(name, False, 960_044, 900_000, False, False, "wav", wav, None)
    return replace(entry, **changes)


def voice_zip(*entries: ZipEntry, **changes: Any) -> FileFacts:
    """A flat zip of WAV entries (one good one by default): passes as VOICE material."""
    listed = entries or (wav_entry(),)
    media = ZipFacts(listed, sum(e.size for e in listed), None)
    return _changed(
        FileFacts("audio/voice.zip", "file", 1_000_000, "zip", "archive", media=media), changes
    )


def photo(**changes: Any) -> FileFacts:
    """A 1080×1920 JPEG portrait: passes as IMAGE_PHOTO material."""
    media = ImageFacts("JPEG", 1080, 1920, 1, 1080, 1920, 1, "RGB")
    return _changed(
        FileFacts("photo/lin_portrait.jpg", "file", 800_000, "jpeg", "image", media=media), changes
    )


def face(x: int = 390, y: int = 500, side: int = 300, *, turned: bool = False) -> Face:
    """A face box; by default centred in a 1080-wide frame, large enough in 1920 high."""
    return Face(x, y, side, side, turned)


def faces_seen(
    *frames: tuple[Face, ...], width: int = 1080, height: int = 1920, photo: bool = False
) -> FaceFacts:
    """What the face scan found: one tuple of faces a frame (a video's, a second apart)."""
    timed = tuple(FaceFrame(None if photo else float(i), faces) for i, faces in enumerate(frames))
    return FaceFacts(width, height, timed)


def heard(source: str = "take1.wav", **changes: Any) -> SpeechFacts:
    """A recording's speech facts that pass every speech rule (but a voice zip's total: 200 s
    of speech in 240 s of clean 48 kHz audio)."""
    good = SpeechFacts(
        source,
        sample_rate=48_000,
        seconds=240.0,
        peak_dbfs=-3.0,
        speech_dbfs=-20.0,
        speech_s=200.0,
        leading_s=0.3,
        trailing_s=0.4,
        bandwidth_hz=16_000.0,
        snr_db=40.0,
    )
    return replace(good, **changes)

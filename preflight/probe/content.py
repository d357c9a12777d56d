"""What a file contains, beyond its headers: the faces in a photo or in a video's keyframes,
and with `--deep` what a decode of every frame finds; the speech in audio files, in the WAVs of
a zip and in a video's audio track (preflight.probe.speech). A second phase of probing, on the
header facts of the first (a video's duration and displayed size plan its decode), in the
probing workers (their libraries loaded already), each file under a time limit that grows with
the duration of the video or audio."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import NamedTuple

from preflight.probe import faces, speech
from preflight.probe.analysed import FaceFacts, FrameFacts, SpeechFacts
from preflight.probe.decode import ANALYSED_S_MAX
from preflight.probe.facts import FileFacts, ImageFacts, VideoFacts, stat_key


class Item(NamedTuple):
    """A file whose content is to be analysed, in the probing workers (preflight.probe)."""

    path: Path
    facts: FileFacts  # its header facts
    deep: bool  # --deep: decode every frame of a video


SECONDS_MIN = 10.0  # for any analysis: start-up, imports, a photo
KEYFRAME_SECONDS_PER_S = 0.25  # of video: the keyframe decode and scan take ~0.02 here
DEEP_SECONDS_PER_S = 4.0  # of video: a full decode of 4K runs at ~1.6× real time here


def wanted(facts: FileFacts, deep: bool) -> bool:
    """Whether a file's content is still to be analysed: audio, a zip or a video whose speech
    was not measured yet; a photo or a video whose faces (or, with `deep`, whose every frame)
    were not looked at yet, or were not for want of a detector that is installed now."""
    if facts.speech is None and speech.applies(facts):
        return True
    if facts.problem is not None or not isinstance(facts.media, ImageFacts | VideoFacts):
        return False
    if facts.faces is None or (facts.faces.skipped == faces.MISSING and faces.available()):
        return True
    return deep and isinstance(facts.media, VideoFacts) and facts.deep is None


def seconds(item: Item) -> float:
    """How long the analysis of a file may take."""
    _, facts, deep = item
    duration = facts.media.duration_s if isinstance(facts.media, VideoFacts) else None
    per_second = KEYFRAME_SECONDS_PER_S + (DEEP_SECONDS_PER_S if deep else 0.0)
    audio = speech.SECONDS_PER_S * speech.duration(facts)
    return SECONDS_MIN + min(duration or 0.0, ANALYSED_S_MAX) * per_second + audio


def without_work(item: Item) -> FileFacts | None:
    """The analysis when there is nothing to decode: no sound to hear (a zip without a WAV, a
    video without an audio track), no detector to look for faces with (and no --deep decode
    of a video). None when it takes a worker."""
    path, facts, deep = item
    done = facts
    if facts.speech is None and speech.applies(facts):
        heard = speech.unheard(facts)
        if heard is None:
            return None
        done = replace(done, speech=heard)
    if facts.problem is None and isinstance(facts.media, ImageFacts | VideoFacts):
        if faces.available() or (deep and isinstance(facts.media, VideoFacts)):
            return None
        if facts.faces is None:
            done = replace(done, faces=_skipped(faces.MISSING))
    return _as_read(path, facts, done)


def analyse(item: Item) -> FileFacts:
    """The header facts with what the content holds."""
    path, facts, deep = item
    analysed = facts
    if facts.speech is None and speech.applies(facts):
        analysed = replace(analysed, speech=speech.analyse(path, facts))
    if facts.problem is not None or not isinstance(facts.media, ImageFacts | VideoFacts):
        return _as_read(path, facts, analysed)
    import imageio_ffmpeg

    from preflight.probe.frames import frame_facts

    ffmpeg = imageio_ffmpeg.get_ffmpeg_exe()
    if not faces.available():
        found = _skipped(faces.MISSING)
    elif isinstance(facts.media, VideoFacts):
        found = faces.video_faces(path, facts.media, ffmpeg)
    else:
        found = faces.photo_faces(path)
    analysed = replace(analysed, faces=found)
    if deep and isinstance(facts.media, VideoFacts):
        analysed = replace(analysed, deep=frame_facts(path, ffmpeg))
    return _as_read(path, facts, analysed)


def _as_read(path: Path, facts: FileFacts, analysed: FileFacts) -> FileFacts:
    """The analysed facts keep the stat key the headers were read under (FileFacts.read_as)
    only if the file has it still: the cache never keeps facts of two versions of a file."""
    try:
        unchanged = stat_key(path.stat()) == facts.read_as
    except OSError:
        unchanged = False
    return analysed if unchanged else replace(analysed, read_as=None)


def unfinished(item: Item, why: str) -> FileFacts:
    """A file whose analysis hung, crashed or ran out of time: its header facts, and why its
    content was not judged (not kept in the cache: the next run tries again)."""
    _, facts, deep = item
    reason = f"the analysis {why}"
    video = isinstance(facts.media, VideoFacts)
    frames = FrameFacts((), (), (), reason) if deep and video else None
    seen = _skipped(reason) if isinstance(facts.media, ImageFacts | VideoFacts) else None
    heard = (SpeechFacts("", problem=reason),) if speech.applies(facts) else None
    return replace(facts, faces=seen, deep=frames, speech=heard, read_as=None)


def _skipped(reason: str) -> FaceFacts:
    return FaceFacts(0, 0, (), reason)

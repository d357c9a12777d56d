"""Durations of audio files without an index (preflight.probe.audio), on files ffmpeg writes.

Each is what a decoder plays: ffmpeg's decoded samples (decoded_seconds), or what the file
was made to last where that is exact. libmediainfo, at the parse speed preflight uses, gives
other numbers for each of these: a tenth of a Layer II file, MP3's priming and padding, no
duration for ADTS, twice (mono) or four times (stereo) a 16-bit Sun AU, a short CAF.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from helpers.media import ffmpeg_exe, run_ffmpeg

from preflight.probe import audio, probe_file
from preflight.probe.facts import AudioFacts


def _tone(path: Path, *options: str, seconds: float = 1.0, rate: int = 48000) -> Path:
    """`seconds` of a tone encoded with `options` (codec, muxer) into `path`."""
    tone = f"sine=frequency=440:sample_rate={rate}"
    run_ffmpeg("-f", "lavfi", "-i", tone, "-t", str(seconds), *options, str(path))
    return path


def decoded_seconds(path: Path, rate: int = 48000) -> float:
    """What ffmpeg's decoder plays of the file (made at `rate`): its samples, priming and
    padding dropped, over its rate."""
    command = [ffmpeg_exe(), "-v", "error", "-i", str(path), "-f", "s16le", "-ac", "1", "-"]
    pcm = subprocess.run(command, capture_output=True, check=True).stdout
    return len(pcm) / 2 / rate


def _duration(path: Path) -> float | None:
    facts = probe_file(path, path.name)
    assert facts.problem is None
    assert isinstance(facts.media, AudioFacts)
    return facts.media.duration_s


def test_layer_ii_frames_are_counted(tmp_path: Path) -> None:
    # 48 kHz, 1152 samples a frame: 42 frames for a second (libmediainfo: the first 4, 96 ms)
    path = _tone(tmp_path / "a.mp2", "-c:a", "mp2", "-b:a", "64k", "-f", "mp2")
    assert _duration(path) == 42 * 1152 / 48000 == pytest.approx(decoded_seconds(path), abs=1e-6)


@pytest.mark.parametrize("rate", [8000, 22050, 44100])
def test_mp3_without_its_priming_and_padding(tmp_path: Path, rate: int) -> None:
    # the LAME tag records the encoder's delay and padding: a second of sound, not 16 frames
    path = _tone(tmp_path / "a.mp3", "-c:a", "libmp3lame", "-b:a", "32k", rate=rate)
    assert _duration(path) == 1.0 == decoded_seconds(path, rate)


def test_mp3_cut_short_is_counted_frame_by_frame(tmp_path: Path) -> None:
    # Its tag counts the frames of the whole file: a copy cut short plays what it holds.
    whole = _tone(tmp_path / "whole.mp3", "-c:a", "libmp3lame", "-b:a", "128k", seconds=2)
    cut = tmp_path / "cut.mp3"
    cut.write_bytes(whole.read_bytes()[:20_000])
    assert _duration(cut) == pytest.approx(decoded_seconds(cut), abs=1e-6)
    assert _duration(cut) == pytest.approx(1.2, abs=0.1)


def test_mp3_without_a_tag_with_id3v1(tmp_path: Path) -> None:
    options = ("-c:a", "libmp3lame", "-write_xing", "0", "-write_id3v1", "1")
    path = _tone(tmp_path / "a.mp3", *options, "-metadata", "title=take 1", rate=44100)
    assert _duration(path) == pytest.approx(decoded_seconds(path, 44100), abs=1e-6)


@pytest.mark.parametrize("tag", [0, 6000], ids=["bare", "id3"])
def test_adts_frames_are_counted(tmp_path: Path, tag: int) -> None:
    options = ["-c:a", "aac", "-f", "adts"]
    if tag:  # a tag (cover art, comments) larger than the bytes sniffed at first
        options += ["-write_id3v2", "1", "-metadata", "comment=" + "x" * tag]
    path = _tone(tmp_path / "a.aac", *options)
    # 1024 samples a frame, none dropped: 48 frames for a second (libmediainfo: none)
    assert _duration(path) == 48 * 1024 / 48000 == pytest.approx(decoded_seconds(path), abs=1e-6)


def test_adts_cut_short_in_a_frame(tmp_path: Path) -> None:
    whole = _tone(tmp_path / "whole.aac", "-c:a", "aac", "-f", "adts")
    cut = tmp_path / "cut.aac"
    cut.write_bytes(whole.read_bytes()[:-100])  # a decoder refuses the last frame
    assert _duration(cut) == pytest.approx(decoded_seconds(cut), abs=1e-6)


@pytest.mark.parametrize(
    ("codec", "channels"), [("pcm_s16be", 1), ("pcm_s16be", 2), ("pcm_mulaw", 1)]
)
def test_sun_au(tmp_path: Path, codec: str, channels: int) -> None:
    options = ("-c:a", codec, "-ac", str(channels), "-f", "au")
    assert _duration(_tone(tmp_path / "a.au", *options)) == 1.0


@pytest.mark.parametrize("codec", ["pcm_s16le", "pcm_s24be", "alac"])
def test_caf(tmp_path: Path, codec: str) -> None:
    # PCM: the data chunk over the packet size; ALAC: the packet table's valid frames
    path = _tone(tmp_path / "a.caf", "-c:a", codec, "-f", "caf", seconds=1.3, rate=44100)
    assert _duration(path) == pytest.approx(1.3, abs=1e-6)


def test_a_tag_times_a_stream_too_long_to_walk(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(audio, "WALK_MAX", 1000)
    tagged = _tone(tmp_path / "a.mp3", "-c:a", "libmp3lame")
    assert tagged.stat().st_size > audio.WALK_MAX
    assert _duration(tagged) == 1.0


@pytest.mark.parametrize(
    "options",
    [("-c:a", "mp2", "-f", "mp2"), ("-c:a", "aac", "-f", "adts")],
    ids=["mp2", "adts"],
)
def test_no_estimate_for_a_stream_too_long_to_walk(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, options: tuple[str, ...]
) -> None:
    path = _tone(tmp_path / "a.bin", *options)
    assert _duration(path) is not None
    monkeypatch.setattr(audio, "WALK_MAX", path.stat().st_size - 1)
    assert _duration(path) is None


def test_no_estimate_past_damage(tmp_path: Path) -> None:
    # a decoder resynchronises after junk and plays on: a count that stops there is wrong
    data = _tone(tmp_path / "a.mp2", "-c:a", "mp2", "-f", "mp2").read_bytes()
    damaged = tmp_path / "damaged.mp2"
    damaged.write_bytes(data[:4000] + b"junk" * 50 + data[4000:])
    assert _duration(damaged) is None

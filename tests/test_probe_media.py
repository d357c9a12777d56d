"""probe_media on real files: every VideoFacts/AudioFacts field, and what it refuses."""

from __future__ import annotations

import os
import shutil
from dataclasses import asdict
from pathlib import Path

import pytest
from helpers.media import make_sparse_video, make_video, make_wav
from helpers.media_video import make_vfr_video, remux

from preflight.probe import probe_file
from preflight.probe.facts import AudioFacts, ProbeError, VideoFacts
from preflight.probe.media import probe_media

GB = 1024**3


def _video(path: Path) -> VideoFacts:
    facts = probe_media(path)
    assert isinstance(facts, VideoFacts)
    return facts


def test_mp4_facts(tmp_path: Path) -> None:
    facts = _video(make_video(tmp_path / "clip.mp4", duration=2))
    assert asdict(facts) == {
        "container": "MPEG-4",
        "duration_s": pytest.approx(2.0, abs=0.05),
        "video_tracks": 1,
        "audio_tracks": 1,
        "codec": "AVC",
        "width": 1920,
        "height": 1080,
        "rotation": 0,
        "display_width": 1920,
        "display_height": 1080,
        "pixel_aspect": 1.0,
        "display_aspect": pytest.approx(16 / 9),
        "fps": 25.0,
        "fps_mode": "CFR",
        "fps_min": None,
        "fps_max": None,
    }


def test_mov_is_quicktime(tmp_path: Path) -> None:
    facts = _video(make_video(tmp_path / "clip.mov", width=320, height=180, audio=False))
    assert facts.container == "QuickTime"
    assert facts.audio_tracks == 0


def test_matroska_container(tmp_path: Path) -> None:
    source = make_video(tmp_path / "clip.mp4", width=320, height=180)
    facts = _video(remux(source, tmp_path / "clip.mkv", "matroska"))
    assert facts.container == "Matroska"
    assert facts.fps == 25.0


def test_rotation_swaps_the_displayed_size(tmp_path: Path) -> None:
    facts = _video(make_video(tmp_path / "portrait.mp4", rotation=90, audio=False))
    assert (facts.width, facts.height) == (1920, 1080)
    assert facts.rotation in (90, 270)
    assert (facts.display_width, facts.display_height) == (1080, 1920)
    assert facts.display_aspect == pytest.approx(9 / 16)


def test_upside_down_keeps_the_size(tmp_path: Path) -> None:
    facts = _video(
        make_video(tmp_path / "flip.mp4", width=320, height=180, rotation=180, audio=False)
    )
    assert facts.rotation == 180
    assert (facts.display_width, facts.display_height) == (320, 180)


def test_anamorphic_pixels(tmp_path: Path) -> None:
    facts = _video(
        make_video(tmp_path / "hdv.mp4", width=1440, height=1080, sar="4/3", audio=False)
    )
    assert facts.pixel_aspect == pytest.approx(4 / 3, rel=0.001)
    assert facts.display_aspect == pytest.approx(16 / 9, rel=0.001)
    assert (facts.display_width, facts.display_height) == (1920, 1080)  # as a player shows it


def test_variable_frame_rate(tmp_path: Path) -> None:
    facts = _video(make_vfr_video(tmp_path / "vfr.mp4", 25, 50))
    assert facts.fps_mode == "VFR"
    assert (facts.fps_min, facts.fps_max) == (25.0, 50.0)
    assert facts.fps == pytest.approx(37.5)


def test_ntsc_rate(tmp_path: Path) -> None:
    facts = _video(
        make_video(tmp_path / "ntsc.mp4", width=320, height=180, fps=24000 / 1001, audio=False)
    )
    assert facts.fps == pytest.approx(23.976, abs=0.001)


def test_audio_only_mov(tmp_path: Path) -> None:
    facts = probe_media(make_video(tmp_path / "voice.mov", video=False, duration=2))
    assert isinstance(facts, AudioFacts)
    assert isinstance(facts.bit_rate, int)
    assert asdict(facts) == {
        "container": "QuickTime",
        "codec": "AAC",
        "duration_s": pytest.approx(2.0, abs=0.05),
        "sample_rate": 24000,
        "channels": 1,
        "bit_rate": facts.bit_rate,
    }


def test_audio_only_mp4_is_m4a(tmp_path: Path) -> None:
    file = probe_file(make_video(tmp_path / "voice.mp4", video=False), "voice.mp4")
    assert (file.format, file.kind) == ("m4a", "audio")
    assert isinstance(file.media, AudioFacts)


def test_wav(tmp_path: Path) -> None:
    facts = probe_media(make_wav(tmp_path / "a.wav", rate=48000, seconds=1.0, channels=2))
    assert isinstance(facts, AudioFacts)
    assert (facts.codec, facts.sample_rate, facts.channels) == ("PCM", 48000, 2)
    assert facts.duration_s == pytest.approx(1.0)
    assert facts.bit_rate == 48000 * 2 * 16


def test_missing_index_is_a_probe_error(tmp_path: Path) -> None:
    data = make_video(tmp_path / "full.mp4").read_bytes()
    cut = tmp_path / "cut.mp4"
    cut.write_bytes(data[: len(data) // 2])  # ffmpeg writes the index (moov) last
    with pytest.raises(ProbeError, match="truncated or its index"):
        probe_media(cut)


@pytest.mark.parametrize("cut", [16, 1000])
def test_an_index_that_outlives_its_data_is_cut_short(tmp_path: Path, cut: int) -> None:
    full = make_video(tmp_path / "full.mov")
    data = full.read_bytes()
    moov = data.index(b"moov") - 4
    short = tmp_path / "short.mov"
    short.write_bytes(data[:moov] + data[moov:-cut])  # the index is intact, the tail is gone
    file = probe_file(short, "short.mov")
    assert file.problem == "the file is cut short: its index lists data past the end of the file"
    assert probe_file(full, "full.mov").problem is None


def test_no_tracks_at_all_is_a_probe_error(tmp_path: Path) -> None:
    data = make_video(tmp_path / "full.mp4").read_bytes()
    moov = data.index(b"moov") - 4
    head = tmp_path / "head.mp4"
    head.write_bytes(data[:64])  # ftyp and the start of the data: no index at all
    assert moov > 64
    with pytest.raises(ProbeError, match="no audio or video track could be read"):
        probe_media(head)


@pytest.mark.parametrize(
    ("name", "data", "fmt"),
    [
        # an MP3 cut inside its ID3 tag, before the first audio frame
        ("tag-only.mp3", b"ID3\x03\0\0\0\x7f\x7fTIT2" + bytes(200), "mp3"),
        # MPEG-TS null packets only: no program, no stream
        ("empty.ts", (b"\x47\x1f\xff\x10" + b"\xff" * 184) * 20, "mpeg-ts"),
    ],
)
def test_no_track_outside_mp4_does_not_speak_of_moov(
    tmp_path: Path, name: str, data: bytes, fmt: str
) -> None:
    path = tmp_path / name
    path.write_bytes(data)
    file = probe_file(path, name)
    assert (file.format, file.problem) == (
        fmt,
        "no audio or video track could be read: the file is truncated or damaged",
    )


def test_garbage_after_a_signature_is_a_probe_error(tmp_path: Path) -> None:
    path = tmp_path / "fake.mp4"
    path.write_bytes(b"\0\0\0\x18ftypisom\0\0\0\0isommp41" + bytes(range(256)) * 8)
    with pytest.raises(ProbeError):
        probe_media(path)


def test_sparse_10_gb(tmp_path: Path) -> None:
    source = make_video(tmp_path / "small.mp4", duration=2)
    big = make_sparse_video(source, tmp_path / "big.mp4", 10 * GB)
    file = probe_file(big, "big.mp4")
    assert (file.size, file.format, file.problem) == (10 * GB, "mp4", None)
    assert file.media == _video(source)


def _non_utf8(folder: Path, name: bytes, data_from: Path) -> Path:
    """A copy of `data_from` whose file name is bytes that are not UTF-8 (Linux allows any)."""
    target = os.path.join(os.fsencode(folder), name)
    try:
        with open(target, "wb") as out, data_from.open("rb") as source:
            shutil.copyfileobj(source, out)
    except OSError:
        pytest.skip("this file system refuses file names that are not UTF-8")
    path = Path(os.fsdecode(target))
    with pytest.raises(UnicodeEncodeError):
        str(path).encode("utf-8")  # the name really is one libmediainfo cannot take
    return path


def test_file_name_that_is_not_utf8(tmp_path: Path) -> None:
    source = make_video(tmp_path / "cafe.mp4", width=320, height=180)
    path = _non_utf8(tmp_path, b"caf\xe9.mp4", source)
    file = probe_file(path, "caf?.mp4")
    assert (file.format, file.problem) == ("mp4", None)
    assert file.media == _video(source)


def test_sparse_10_gb_with_a_name_that_is_not_utf8(tmp_path: Path) -> None:
    # read from the open file, the index past the 10 GB hole is still reached by seeking
    source = make_video(tmp_path / "small.mp4", duration=2)
    big = make_sparse_video(source, tmp_path / "big.mp4", 10 * GB)
    target = os.path.join(os.fsencode(tmp_path), b"gro\xdf.mp4")
    try:
        os.rename(big, target)
    except OSError:
        pytest.skip("this file system refuses file names that are not UTF-8")
    file = probe_file(Path(os.fsdecode(target)), "gro?.mp4")
    assert (file.size, file.format, file.problem) == (10 * GB, "mp4", None)
    assert file.media == _video(source)

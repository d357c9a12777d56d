"""Formats recognised by content, on real files made by ffmpeg: MPEG audio by its layer, audio
behind large ID3v2 tags, the audio formats the API does not take, and the ISO brand families."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from helpers.media import make_video, make_wav, run_ffmpeg, run_hint
from PIL import Image

from preflight.dispatch import check_file
from preflight.limits import MAKE_TYPES
from preflight.probe import probe_file
from preflight.probe.facts import AudioFacts, VideoFacts
from preflight.probe.sniff import HEAD_BYTES, sniff
from preflight.rules.base import Subject


def fired(path: Path, field: str = "VoiceDriverCosFile") -> list[str]:
    subject = Subject(field, MAKE_TYPES["IMAGE_GENERAL"], probe_file(path, path.name))
    return sorted(f.rule for f in check_file(subject)[0])


def tone(path: Path, *options: str, rate: int = 48000, inputs: tuple[str, ...] = ()) -> Path:
    """Half a second of a sine, encoded as `options` say (the muxer follows the name)."""
    source = f"sine=frequency=440:duration=0.5:sample_rate={rate}"
    run_ffmpeg("-f", "lavfi", "-i", source, *inputs, *options, str(path))
    return path


def cover_art(path: Path) -> Path:
    """A noisy PNG of about 30 KB: cover art that makes an ID3v2 tag larger than HEAD_BYTES."""
    Image.effect_noise((96, 96), 64).convert("RGB").save(path)
    return path


# (file name, ffmpeg options, sample rate) → the format sniffed.
MPEG_AUDIO = {
    "mpeg1-layer2": (("l2.mp2", ("-c:a", "mp2", "-b:a", "64k"), 48000), "mp2"),
    "mpeg2-layer2": (("l2-lsf.mp2", ("-c:a", "mp2", "-b:a", "32k"), 24000), "mp2"),
    "mpeg1-layer3": (("l3.mp3", ("-c:a", "libmp3lame", "-b:a", "64k"), 48000), "mp3"),
    "mpeg2-layer3": (("l3-lsf.mp3", ("-c:a", "libmp3lame", "-b:a", "32k"), 24000), "mp3"),
    "mpeg2.5-layer3": (("l3-25.mp3", ("-c:a", "libmp3lame", "-b:a", "16k"), 8000), "mp3"),
}


@pytest.mark.parametrize("case", MPEG_AUDIO)
def test_only_layer_iii_is_mp3(tmp_path: Path, case: str) -> None:
    (name, options, rate), fmt = MPEG_AUDIO[case]
    path = tone(tmp_path / name, *options, rate=rate)
    facts = probe_file(path, path.name)
    assert (facts.format, facts.kind, facts.problem) == (fmt, "audio", None)
    assert fired(path) == ([] if fmt == "mp3" else ["driver.format"])


def test_layer_ii_named_mp3_fails_and_its_hint_converts(tmp_path: Path) -> None:
    path = tone(tmp_path / "voice.mp3", "-c:a", "mp2", "-f", "mp2")
    assert fired(path) == ["driver.format", "file.extension-mismatch"]
    subject = Subject("VoiceDriverCosFile", None, probe_file(path, path.name))
    (finding,) = (f for f in check_file(subject)[0] if f.rule == "driver.format")
    assert finding.message.startswith("the content is MP2;")
    fixed = run_hint(finding.hint, tmp_path)
    assert probe_file(fixed, fixed.name).format == "mp3"
    assert fired(fixed) == []


def test_layer_i_is_its_own_format() -> None:
    # No ffmpeg encodes layer I: its frame header, as a layer I encoder writes it (MPEG-1,
    # layer I, 192 kbit/s, 44.1 kHz), and the same header with layer II and III bits.
    assert sniff(b"\xff\xfe\x60\x00" + b"\0" * 60) == "mp1"
    assert sniff(b"\xff\xfc\x60\x00" + b"\0" * 60) == "mp2"
    assert sniff(b"\xff\xfa\x60\x00" + b"\0" * 60) == "mp3"
    assert sniff(b"\xff\xf8\x60\x00" + b"\0" * 60) is None  # reserved layer, not ADTS (no sync)
    assert sniff(b"\xff\xfb\xf0\x00" + b"\0" * 60) is None  # bitrate index 15: no frame


def test_adts_behind_a_large_id3_tag_is_aac(tmp_path: Path) -> None:
    comment = "说明 " * 3000  # a tag of about 24 KB, far past HEAD_BYTES
    path = tone(
        tmp_path / "voice.aac",
        "-c:a",
        "aac",
        "-f",
        "adts",
        "-write_id3v2",
        "1",
        "-metadata",
        f"comment={comment}",
    )
    data = path.read_bytes()
    assert data.startswith(b"ID3") and data.find(b"\xff\xf1") > HEAD_BYTES
    facts = probe_file(path, path.name)
    assert (facts.format, facts.kind, facts.problem) == ("aac", "audio", None)
    assert isinstance(facts.media, AudioFacts) and facts.media.codec == "AAC"
    assert fired(path) == []  # no "is MP3" extension warning
    named_mp3 = Path(shutil.copy(path, tmp_path / "voice.mp3"))
    assert fired(named_mp3) == ["file.extension-mismatch"]


def test_mp3_with_cover_art_is_mp3(tmp_path: Path) -> None:
    cover = cover_art(tmp_path / "cover.png")
    path = tone(
        tmp_path / "song.mp3",
        "-map",
        "0",
        "-map",
        "1",
        "-c:a",
        "libmp3lame",
        "-c:v",
        "copy",
        "-id3v2_version",
        "3",
        inputs=("-i", str(cover)),
    )
    head = path.read_bytes()[:HEAD_BYTES]
    assert head.startswith(b"ID3") and path.stat().st_size > 3 * HEAD_BYTES
    assert probe_file(path, path.name).format == "mp3"
    assert fired(path) == []
    # Without a reader (a zip member's head), a tag past the head is taken for MP3's.
    assert sniff(head) == "mp3"
    named_wav = Path(shutil.copy(path, tmp_path / "song.wav"))
    assert fired(named_wav) == ["file.extension-mismatch"]


def test_an_id3_tag_before_flac_and_zero_padding_after_it(tmp_path: Path) -> None:
    flac = tone(tmp_path / "plain.flac").read_bytes()
    tag = b"ID3\x03\x00\x00\x00\x00\x00\x10" + b"\0" * 16  # 16 bytes of padding in the tag
    path = tmp_path / "tagged.flac"
    path.write_bytes(tag + b"\0" * 32 + flac)  # and 32 more past its declared end
    facts = probe_file(path, path.name)
    assert (facts.format, facts.kind) == ("flac", "audio")
    assert sniff(tag + b"%PDF-1.4 not audio") is None  # after a tag, only audio counts


# Audio the API does not take, as producers' tools write it: (name, ffmpeg options) → format.
UNACCEPTED = {
    "ac3": ("demo.ac3", ("-c:a", "ac3")),
    "eac3": ("demo.eac3", ("-c:a", "eac3")),
    "dts": ("demo.dts", ("-c:a", "dca", "-strict", "-2")),
    "au": ("demo.au", ()),
    "tta": ("demo.tta", ()),
    "w64": ("demo.w64", ()),
    "wavpack": ("demo.wv", ()),
    "mp2": ("demo.mp2", ()),
    "flac": ("demo.flac", ()),
    "ogg": ("demo.opus", ("-c:a", "libopus")),
    "aiff": ("demo.aiff", ()),
    "caf": ("demo.caf", ()),
    "amr": ("demo.amr", ("-c:a", "libopencore_amrnb", "-ar", "8000", "-b:a", "12.2k")),
    "mka": ("demo.mka", ("-c:a", "aac")),
    "webm": ("demo.webm", ("-c:a", "libopus")),
    "3gp": ("demo.3gp", ("-c:a", "aac")),
    "3g2": ("demo.3g2", ("-c:a", "aac")),
}


@pytest.mark.parametrize("fmt", UNACCEPTED)
def test_unaccepted_audio_is_driver_format_and_the_hint_converts(tmp_path: Path, fmt: str) -> None:
    name, options = UNACCEPTED[fmt]
    path = tone(tmp_path / name, *options)
    facts = probe_file(path, path.name)
    assert (facts.format, facts.kind, facts.problem) == (fmt, "audio", None)
    assert fired(path) == ["driver.format"]
    subject = Subject("VoiceDriverCosFile", None, facts)
    (finding,) = check_file(subject)[0]
    assert finding.message.startswith(f"the content is {fmt.upper()};")
    fixed = run_hint(finding.hint, tmp_path)
    assert fired(fixed) == []


# ffmpeg options → (major brand written, format sniffed, video.container fires).
BRANDS = {
    "isom": (("-f", "mp4"), "mp4", False),
    "mp42": (("-f", "mp4", "-brand", "mp42"), "mp4", False),
    "iso6": (("-f", "mp4", "-brand", "iso6"), "mp4", False),
    "avc1": (("-f", "mp4", "-brand", "avc1"), "mp4", False),
    "dash": (("-f", "mp4", "-brand", "dash"), "mp4", False),
    "M4V ": (("-f", "ipod"), "mp4", False),
    "M4A ": (("-f", "mp4", "-brand", "M4A "), "mp4", False),  # video under an audio brand
    "XAVC": (("-f", "mp4", "-brand", "XAVC"), "mp4", False),  # unknown: its compatible brands
    "qt  ": (("-f", "mov"), "mov", False),
    "3gp6": (("-f", "3gp"), "3gp", True),
    "3gp5": (("-f", "mp4", "-brand", "3gp5"), "3gp", True),
    "3g2b": (("-f", "3g2"), "3g2", True),
}


@pytest.mark.parametrize("brand", BRANDS)
def test_each_iso_brand_has_its_family(tmp_path: Path, brand: str) -> None:
    options, fmt, fails = BRANDS[brand]
    path = make_video(
        tmp_path / f"clip.{fmt}", width=320, height=180, duration=0.2, audio=False, extra=options
    )
    assert path.read_bytes()[8:12] == brand.encode()
    facts = probe_file(path, path.name)
    assert (facts.format, facts.kind, facts.problem) == (fmt, "video", None)
    rules = fired(path, "MaterialCosUrl")
    assert ("video.container" in rules) is fails
    assert "file.extension-mismatch" not in rules


# Every brand of the README's table that passes, written as the major brand of a video.
PASSING_BRANDS = [
    *("isom", "iso2", "iso3", "iso4", "iso5", "iso6", "iso7", "iso8", "iso9"),
    *("mp41", "mp42", "mp71", "avc1", "dash", "cmfc", "cmf2"),
    *("M4V ", "M4VH", "M4VP", "MSNV", "XAVC", "F4V ", "M4A ", "M4B ", "M4P ", "qt  "),
]


@pytest.mark.parametrize("brand", PASSING_BRANDS)
def test_every_listed_brand_passes_as_video(tmp_path: Path, brand: str) -> None:
    extra = ("-f", "mp4", "-brand", brand)
    path = make_video(tmp_path / "clip.mp4", width=320, height=180, duration=0.1, extra=extra)
    assert path.read_bytes()[8:12] == brand.encode()
    facts = probe_file(path, path.name)
    assert facts.format == ("mov" if brand == "qt  " else "mp4")
    assert "video.container" not in fired(path, "MaterialCosUrl")


@pytest.mark.parametrize(("muxer", "fmt"), [("3gp", "3gp"), ("3g2", "3g2")])
def test_a_3gpp_video_remuxes_to_mp4(tmp_path: Path, muxer: str, fmt: str) -> None:
    path = make_video(
        tmp_path / f"phone.{fmt}", width=320, height=180, duration=0.2, extra=("-f", muxer)
    )
    subject = Subject("MaterialCosUrl", MAKE_TYPES["IMAGE_GENERAL"], probe_file(path, path.name))
    (finding,) = (f for f in check_file(subject)[0] if f.rule == "video.container")
    assert finding.message.startswith(f"the content is {fmt.upper()}")
    fixed = run_hint(finding.hint, tmp_path)
    assert probe_file(fixed, fixed.name).format == "mp4"
    assert "video.container" not in fired(fixed, "MaterialCosUrl")


def test_m4a_brand_holding_only_audio_is_m4a(tmp_path: Path) -> None:
    path = tone(tmp_path / "voice.m4a", "-c:a", "aac", "-f", "ipod")
    assert path.read_bytes()[8:12] == b"M4A "
    assert probe_file(path, path.name).format == "m4a"
    assert fired(path) == []


@pytest.mark.parametrize("name", ["song.mka", "song.mkv"])
def test_matroska_audio_is_mka_under_either_name(tmp_path: Path, name: str) -> None:
    path = tone(tmp_path / name, "-c:a", "aac", "-f", "matroska")
    facts = probe_file(path, path.name)
    assert (facts.format, facts.kind) == ("mka", "audio")
    assert fired(path) == ["driver.format"]  # no "is MKV" extension warning
    assert fired(path, "MaterialCosUrl") == ["video.no-video-track"]


def test_matroska_video_named_mka_is_mkv(tmp_path: Path) -> None:
    path = make_video(
        tmp_path / "clip.mka", width=320, height=180, duration=0.2, extra=("-f", "matroska")
    )
    facts = probe_file(path, path.name)
    assert (facts.format, facts.kind) == ("mkv", "video")
    assert isinstance(facts.media, VideoFacts)
    assert fired(path, "MaterialCosUrl")[:2] == ["file.extension-mismatch", "video.container"]


def test_a_wav_named_mp3_is_a_wav(tmp_path: Path) -> None:
    path = make_wav(tmp_path / "voice.mp3")
    assert probe_file(path, path.name).format == "wav"
    assert fired(path) == ["file.extension-mismatch"]  # WAV is accepted: only the name is off


def test_aac_in_m4a_named_aac_is_m4a(tmp_path: Path) -> None:
    path = tone(tmp_path / "voice.aac", "-c:a", "aac", "-f", "mp4")
    assert probe_file(path, path.name).format == "m4a"
    subject = Subject("VoiceDriverCosFile", None, probe_file(path, path.name))
    (finding,) = check_file(subject)[0]
    assert finding.rule == "file.extension-mismatch"
    assert finding.hint is not None and finding.hint.endswith("voice.m4a")

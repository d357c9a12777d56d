"""`preflight fix` on real failing photos, driver audio and authorization videos."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers.fixing import NO_DURATION, before_rules, fix, only, request
from helpers.media import make_audio, make_photo, make_video
from helpers.media_heif import make_heic
from helpers.media_photo import make_padded_png, make_sparse_wav
from runner import invoke

from preflight.probe import probe_file
from preflight.probe.facts import ImageFacts


def _fixed(tmp_path: Path, rules: set[str]) -> tuple[Path, dict[str, object]]:
    assert rules <= before_rules(tmp_path)
    code, report = fix(tmp_path)
    fixed = only(report)
    assert code == 0 and fixed["ok"], fixed["after"]["findings"]
    (written,) = fixed["files"]
    assert isinstance(written, dict) and rules <= set(written["fixes"])
    return tmp_path / "preflight-fixed" / Path(written["target"]).name, written


def _image(path: Path) -> ImageFacts:
    facts = probe_file(path, path.name)
    assert isinstance(facts.media, ImageFacts)
    return facts.media


def test_rotated_three_by_four_photo_with_a_bad_name(tmp_path: Path) -> None:
    """Stored 1024×768 with EXIF orientation 6: displayed 768×1024 (3:4), cropped to 9:16
    upright, named into the charset, in one ffmpeg pass."""
    make_photo(tmp_path / "lin portrait.jpg", width=1024, height=768, orientation=6)
    request(tmp_path, "IMAGE_PHOTO", "lin portrait.jpg")
    path, written = _fixed(tmp_path, {"photo.aspect", "photo.name"})
    assert path.name == "lin_portrait.jpg"
    image = _image(path)
    assert (image.orientation, image.display_width, image.display_height) == (1, 576, 1024)
    assert written["how"] == "ffmpeg"


def test_rotated_heic_at_three_by_four_in_one_pass(tmp_path: Path) -> None:
    """A phone's HEIC, stored 1024×768 and turned a quarter (irot): displayed 768×1024. One
    ffmpeg pass (the imageio-ffmpeg binary reads HEIC) bakes the turn, crops to 9:16 and
    writes a JPEG; the check's hint offers no ffmpeg command (many systems' cannot read it)."""
    make_heic(tmp_path / "IMG_0001.heic", 1024, 768, quarter_turns=1)
    request(tmp_path, "IMAGE_PHOTO", "IMG_0001.heic")
    _, out = invoke("check", ".", "--no-content", cwd=tmp_path)
    assert "fix: preflight fix request.toml\n" in out
    path, written = _fixed(tmp_path, {"photo.format", "photo.aspect"})
    assert path.name == "IMG_0001.jpg" and written["how"] == "ffmpeg"
    image = _image(path)
    assert (image.format, image.display_width, image.display_height) == ("jpeg", 576, 1024)


def test_gif_named_jpg_becomes_one_png(tmp_path: Path) -> None:
    """A GIF named .jpg: one plan (no rename hint against a convert hint)."""
    make_photo(tmp_path / "photo.jpg", fmt="GIF", frames=2)
    request(tmp_path, "IMAGE_PHOTO", "photo.jpg")
    _, out = invoke("check", ".", "--no-content", cwd=tmp_path)
    (hint,) = [line for line in out.splitlines() if "fix:" in line]
    assert hint.endswith("photo.png") and " mv " not in hint
    path, _ = _fixed(tmp_path, {"photo.format", "photo.animated", "file.extension-mismatch"})
    assert path.name == "photo.png" and _image(path).frames == 1


@pytest.mark.parametrize("fmt", ["BMP", "TIFF"])
def test_other_formats_become_png(tmp_path: Path, fmt: str) -> None:
    make_photo(tmp_path / f"photo.{fmt.lower()}", fmt=fmt)
    request(tmp_path, "IMAGE_PHOTO", f"photo.{fmt.lower()}")
    path, _ = _fixed(tmp_path, {"photo.format"})
    assert probe_file(path, path.name).format == "png"


def test_over_16_mb_becomes_a_jpeg_under_it(tmp_path: Path) -> None:
    make_padded_png(make_photo(tmp_path / "small.png"), tmp_path / "big.png", 17 * 1024**2)
    (tmp_path / "small.png").unlink()
    request(tmp_path, "IMAGE_PHOTO", "big.png")
    path, _ = _fixed(tmp_path, {"photo.size"})
    assert path.suffix == ".jpg" and path.stat().st_size < 16 * 1024**2


def test_a_name_alone_is_a_renamed_copy(tmp_path: Path) -> None:
    source = make_photo(tmp_path / "a b.png")
    request(tmp_path, "IMAGE_PHOTO", "a b.png")
    path, written = _fixed(tmp_path, {"photo.name"})
    assert written["how"] == "copy" and written["command"] is None
    assert path.read_bytes() == source.read_bytes()


@pytest.mark.parametrize(
    ("make", "rule"),
    [
        (lambda p: make_audio(p / "drive.flac", seconds=0.5), "driver.format"),
        (lambda p: make_sparse_wav(p / "drive.wav", 11 * 1024**2), "driver.size"),
    ],
    ids=["flac", "over-10-mb"],
)
def test_driver_audio_becomes_an_mp3_under_the_cap(tmp_path: Path, make: object, rule: str) -> None:
    driver = make(tmp_path)  # type: ignore[operator]
    make_photo(tmp_path / "lin.jpg", width=64, height=64)
    request(tmp_path, "IMAGE_PHOTO", "lin.jpg", VoiceDriverCosFile=driver.name)
    path, _ = _fixed(tmp_path, {rule})
    assert path.suffix == ".mp3" and path.stat().st_size <= 10 * 1024**2


def test_identity_video_into_mp4(tmp_path: Path) -> None:
    (tmp_path / ".preflight.toml").write_text(NO_DURATION)
    make_video(tmp_path / "lin.mp4", duration=0.5)
    make_video(tmp_path / "consent.mkv", width=320, height=240, duration=0.5)
    request(tmp_path, "IMAGE", "lin.mp4", IdentityCosUrl="consent.mkv")
    path, _ = _fixed(tmp_path, {"identity.format"})
    assert probe_file(path, path.name).format == "mp4"

"""probe_image: sizes, EXIF orientation and frames from real images, read from headers only."""

from __future__ import annotations

import resource
from pathlib import Path
from typing import Any

import pytest
from helpers.media import make_photo
from helpers.media_photo import make_heic_like, make_noisy_jpeg, make_padded_png, make_png_header
from PIL import Image

from preflight.probe import probe_file
from preflight.probe.facts import ImageFacts
from preflight.probe.image import probe_image


def image_facts(path: Path) -> ImageFacts:
    facts = probe_file(path, path.name)
    assert facts.problem is None, facts.problem
    assert isinstance(facts.media, ImageFacts)
    return facts.media


@pytest.mark.parametrize("orientation", range(1, 9))
def test_every_exif_orientation_of_a_jpeg(tmp_path: Path, orientation: int) -> None:
    path = make_photo(tmp_path / "p.jpg", width=40, height=20, orientation=orientation)
    facts = image_facts(path)
    assert (facts.format, facts.width, facts.height) == ("jpeg", 40, 20)
    assert facts.orientation == orientation
    turned = orientation >= 5
    assert (facts.display_width, facts.display_height) == ((20, 40) if turned else (40, 20))
    # Pillow agrees on what the photo looks like once displayed.
    with Image.open(path) as image:
        from PIL import ImageOps

        shown = ImageOps.exif_transpose(image)
        assert shown is not None
        assert shown.size == (facts.display_width, facts.display_height)


@pytest.mark.parametrize("orientation", [5, 6, 7, 8])
@pytest.mark.parametrize("suffix", ["tif", "png", "webp"])
def test_a_quarter_turn_is_turned_once(tmp_path: Path, suffix: str, orientation: int) -> None:
    # Pillow gives a TIFF's size already turned by its orientation: turned again, a 40×20
    # photo shown as 20×40 would be read as 40×20 shown.
    path = make_photo(tmp_path / f"p.{suffix}", width=40, height=20, orientation=orientation)
    facts = image_facts(path)
    assert (facts.width, facts.height, facts.orientation) == (40, 20, orientation)
    assert (facts.display_width, facts.display_height) == (20, 40)
    with Image.open(path) as image:
        from PIL import ImageOps

        shown = ImageOps.exif_transpose(image)
        assert shown is not None
        assert shown.size == (20, 40)


@pytest.mark.parametrize("suffix", ["png", "webp"])
def test_orientation_of_png_and_webp(tmp_path: Path, suffix: str) -> None:
    facts = image_facts(make_photo(tmp_path / f"p.{suffix}", width=40, height=20, orientation=6))
    assert facts.format == suffix
    assert facts.orientation == 6
    assert (facts.display_width, facts.display_height) == (20, 40)


def test_no_exif_is_orientation_1(tmp_path: Path) -> None:
    facts = image_facts(make_photo(tmp_path / "p.jpg", width=30, height=10))
    assert (facts.orientation, facts.display_width, facts.display_height) == (1, 30, 10)
    assert facts.frames == 1
    assert facts.mode == "RGB"


@pytest.mark.parametrize("suffix", ["jpg", "webp"])
def test_a_broken_exif_block_is_ignored(tmp_path: Path, suffix: str) -> None:
    path = tmp_path / f"p.{suffix}"
    # A TIFF header whose first IFD lies far beyond the block.
    Image.new("RGB", (30, 10)).save(path, exif=b"Exif\0\0II*\0\xff\xff\xff\x7f")
    facts = image_facts(path)
    assert (facts.width, facts.height, facts.orientation) == (30, 10, 1)


def test_an_out_of_range_orientation_counts_as_1(tmp_path: Path) -> None:
    facts = image_facts(make_photo(tmp_path / "p.jpg", width=30, height=10, orientation=9))
    assert (facts.orientation, facts.display_width) == (1, 30)


@pytest.mark.parametrize(("suffix", "fmt"), [("gif", "gif"), ("png", "png"), ("webp", "webp")])
def test_frames_of_animations(tmp_path: Path, suffix: str, fmt: str) -> None:
    facts = image_facts(make_photo(tmp_path / f"a.{suffix}", width=16, height=8, frames=3))
    assert (facts.format, facts.frames, facts.width, facts.height) == (fmt, 3, 16, 8)


@pytest.mark.parametrize("options", [{}, {"lossless": True}, {"exif": Image.Exif().tobytes()}])
def test_still_webp_of_each_kind_matches_pillow(tmp_path: Path, options: dict[str, Any]) -> None:
    # Lossy (VP8), lossless (VP8L) and extended (VP8X): the parser reads each header.
    path = tmp_path / "s.webp"
    Image.new("RGBA", (37, 21), (1, 2, 3, 128)).save(path, **options)
    facts = image_facts(path)
    with Image.open(path) as image:
        assert (facts.width, facts.height) == image.size
        assert facts.frames == getattr(image, "n_frames", 1) == 1


def test_heic_is_reported_without_sizes(tmp_path: Path) -> None:
    facts = image_facts(make_heic_like(tmp_path / "p.heic"))
    assert facts.format == "heic"
    assert facts.width is None and facts.display_height is None


def test_declared_giant_is_reported_without_decoding(tmp_path: Path) -> None:
    path = make_png_header(tmp_path / "bomb.png", 60000, 60000)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    facts = image_facts(path)
    grown_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before
    assert (facts.width, facts.height) == (60000, 60000)
    assert grown_kib < 100 * 1024  # 60000² RGB pixels would be 10 GB


def test_truncated_jpeg_is_a_problem(tmp_path: Path) -> None:
    whole = make_noisy_jpeg(tmp_path / "whole.jpg").read_bytes()
    cut = tmp_path / "cut.jpg"
    cut.write_bytes(whole[: len(whole) * 2 // 3])
    assert image_facts(tmp_path / "whole.jpg").width == 256
    problem = probe_file(cut, "cut.jpg").problem
    assert problem is not None and "cut short" in problem


def test_jpeg_with_a_trailer_after_its_end_is_whole(tmp_path: Path) -> None:
    # Motion photos and maker notes append data after the end-of-image marker.
    path = make_noisy_jpeg(tmp_path / "motion.jpg")
    with path.open("ab") as out:
        out.write(b"\0\0\0\x18ftypmp42" + bytes(4096))
    assert image_facts(path).width == 256


@pytest.mark.parametrize("suffix", ["jpg", "png", "webp"])
def test_header_cut_short_is_a_problem(tmp_path: Path, suffix: str) -> None:
    whole = make_photo(tmp_path / f"whole.{suffix}", width=64, height=64).read_bytes()
    cut = tmp_path / f"cut.{suffix}"
    cut.write_bytes(whole[:40])
    facts = probe_file(cut, cut.name)
    assert facts.problem is not None
    assert facts.media is None


@pytest.mark.parametrize("suffix", ["png", "webp"])
def test_data_cut_short_is_a_problem(tmp_path: Path, suffix: str) -> None:
    path = tmp_path / f"noise.{suffix}"
    Image.effect_noise((128, 128), 80).convert("RGB").save(path)
    whole = path.read_bytes()
    path.write_bytes(whole[: len(whole) // 2])
    problem = probe_file(path, path.name).problem
    assert problem is not None and "cut short" in problem


def test_a_padded_png_is_whole(tmp_path: Path) -> None:
    small = make_photo(tmp_path / "small.png", width=20, height=20)
    big = make_padded_png(small, tmp_path / "big.png", 17 * 1024**2)
    assert big.stat().st_size == 17 * 1024**2
    assert image_facts(big).width == 20
    with Image.open(big) as image:
        image.load()  # the padding chunk is a valid PNG chunk: Pillow decodes the file


def test_probe_image_direct_call_on_gif(tmp_path: Path) -> None:
    facts = probe_image(make_photo(tmp_path / "p.gif", width=12, height=34, fmt="GIF"), "gif")
    assert (facts.format, facts.width, facts.height, facts.frames) == ("gif", 12, 34, 1)

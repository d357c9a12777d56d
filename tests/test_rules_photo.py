"""photo.* rules on real images; every fix hint is run through ffmpeg and re-checked."""

from __future__ import annotations

import shlex
from pathlib import Path

import pytest
from helpers.media import make_photo, run_hint
from helpers.media_photo import make_heic_like, make_padded_png
from PIL import Image

from preflight.limits import MAKE_TYPES, PHOTO_MAX_BYTES
from preflight.probe import probe_file
from preflight.report import Finding
from preflight.rules import photo
from preflight.rules.base import Subject


def findings(path: Path) -> list[Finding]:
    """The photo findings for `path`, named in the report by its bare name (run from its
    folder, hints work as printed)."""
    subject = Subject("MaterialCosUrl", MAKE_TYPES["IMAGE_PHOTO"], probe_file(path, path.name))
    return list(photo.check(subject))


def fired(path: Path) -> list[str]:
    return [f.rule for f in findings(path)]


def one(path: Path, rule: str) -> Finding:
    (found,) = [f for f in findings(path) if f.rule == rule]
    return found


@pytest.mark.parametrize(
    ("name", "size"),
    [
        ("square", (64, 64)),
        ("landscape", (160, 90)),
        ("portrait", (1080, 1920)),
        ("classic", (120, 90)),
        ("almost", (1608, 900)),
    ],  # 16:9 within 1 %
)
def test_allowed_aspects_pass(tmp_path: Path, name: str, size: tuple[int, int]) -> None:
    width, height = size
    assert fired(make_photo(tmp_path / f"{name}.jpg", width=width, height=height)) == []


def test_3_by_4_fails_and_the_crop_fixes_it(tmp_path: Path) -> None:
    path = make_photo(tmp_path / "portrait.jpg", width=300, height=400)
    found = one(path, "photo.aspect")
    assert found.severity == "error"
    assert "3:4 (300×400" in found.message
    assert "1:1, 9:16, 16:9, 4:3" in found.message
    assert found.actual == "3:4 (300×400)"
    fixed = run_hint(found.hint, tmp_path)
    assert fixed.name == "portrait-9x16.jpg"  # 1:1 would keep as many pixels, not the pose
    with Image.open(fixed) as image:
        assert image.size == (225, 400)
    assert fired(fixed) == []


def test_odd_ratio_is_shown_as_a_decimal(tmp_path: Path) -> None:
    path = make_photo(tmp_path / "wide.png", width=683, height=200)
    found = one(path, "photo.aspect")
    assert found.actual == "3.415:1 (683×200)"
    assert fired(run_hint(found.hint, tmp_path)) == []


def test_exif_orientation_decides_the_displayed_aspect(tmp_path: Path) -> None:
    # 1920×1080 stored, orientation 6: displayed 1080×1920, 9:16.
    upright = make_photo(tmp_path / "tall.jpg", width=192, height=108, orientation=6)
    assert fired(upright) == []
    # 1440×1080 (4:3) stored, orientation 6: displayed 1080×1440, 3:4.
    turned = make_photo(tmp_path / "turned.jpg", width=144, height=108, orientation=6)
    found = one(turned, "photo.aspect")
    assert "108×144 as displayed" in found.message
    assert "orientation 6" in found.message
    assert found.hint is not None and "-noautorotate" in found.hint


@pytest.mark.parametrize("orientation", [2, 3, 4, 5, 6, 7, 8])
def test_crop_hint_keeps_what_the_viewer_sees(tmp_path: Path, orientation: int) -> None:
    """The fixed file, which has no EXIF, shows the displayed picture, centre-cropped."""
    from PIL import ImageOps

    path = tmp_path / "quad.png"
    image = Image.new("RGB", (90, 60))
    for index, colour in enumerate([(255, 0, 0), (0, 255, 0), (0, 0, 255), (255, 255, 0)]):
        left, top = index % 2 * 45, index // 2 * 30
        image.paste(colour, (left, top, left + 45, top + 30))
    exif = Image.Exif()
    exif[0x0112] = orientation
    image.save(path, exif=exif.tobytes())
    with Image.open(path) as saved:
        displayed = ImageOps.exif_transpose(saved)
    width, height = displayed.size
    found = one(path, "photo.aspect")  # 3:2 is cropped to 4:3, 2:3 to 9:16
    fixed = run_hint(found.hint, tmp_path)
    with Image.open(fixed) as result:
        crop_w, crop_h = result.size
        left, top = (width - crop_w) // 2, (height - crop_h) // 2
        expected = displayed.crop((left, top, left + crop_w, top + crop_h)).convert("RGB")
        for x, y in ((2, 2), (crop_w - 3, 2), (2, crop_h - 3), (crop_w - 3, crop_h - 3)):
            assert result.convert("RGB").getpixel((x, y)) == expected.getpixel((x, y))
    assert fired(fixed) == []


@pytest.mark.parametrize(("maker", "fmt"), [("gif", "gif"), ("bmp", "bmp"), ("tiff", "tiff")])
def test_other_image_formats_fail(tmp_path: Path, maker: str, fmt: str) -> None:
    path = make_photo(tmp_path / f"photo.{maker}", width=64, height=64, fmt=maker.upper())
    found = one(path, "photo.format")
    assert found.actual == fmt
    assert fmt.upper() in found.message and "JPEG, PNG or WebP" in found.message
    fixed = run_hint(found.hint, tmp_path)
    assert fixed.suffix == ".png"
    assert fired(fixed) == []


def test_heic_fails_format_and_its_aspect_is_unjudged(tmp_path: Path) -> None:
    found = findings(make_heic_like(tmp_path / "photo.heic"))
    assert [f.rule for f in found] == ["photo.format", "file.unjudged"]
    assert found[0].actual == "heic"
    assert found[1].actual == "photo.aspect"
    assert found[0].hint is not None and found[0].hint.endswith("photo.jpg")


@pytest.mark.parametrize("suffix", ["jpg", "png", "webp"])
def test_allowed_formats_pass(tmp_path: Path, suffix: str) -> None:
    assert fired(make_photo(tmp_path / f"photo.{suffix}")) == []


@pytest.mark.parametrize("suffix", ["png", "webp"])
def test_animation_is_a_warning_and_the_hint_keeps_one_frame(tmp_path: Path, suffix: str) -> None:
    path = make_photo(tmp_path / f"moving.{suffix}", width=32, height=32, frames=3)
    found = one(path, "photo.animated")
    assert (found.severity, found.actual) == ("warning", 3)
    still = run_hint(found.hint, tmp_path)
    assert fired(still) == []


def test_animated_gif_fails_format_and_warns(tmp_path: Path) -> None:
    path = make_photo(tmp_path / "moving.gif", width=32, height=32, frames=2, fmt="GIF")
    assert fired(path) == ["photo.format", "photo.animated"]


@pytest.mark.parametrize("name", ["a.jpg", "my photo.jpg", "photo.v2.jpg", "照片!.jpg"])
def test_bad_names_fail(tmp_path: Path, name: str) -> None:
    path = make_photo(tmp_path / name)
    found = one(path, "photo.name")
    assert found.actual == Path(name).stem
    assert found.hint is not None and found.hint.startswith("mv ")
    new_name = shlex.split(found.hint)[-1]
    path.rename(tmp_path / new_name)
    assert fired(tmp_path / new_name) == []


def test_name_messages(tmp_path: Path) -> None:
    assert "1 character" in one(make_photo(tmp_path / "a.jpg"), "photo.name").message
    spaced = one(make_photo(tmp_path / "my photo.jpg"), "photo.name")
    assert "a space" in spaced.message
    assert spaced.hint == "mv 'my photo.jpg' my_photo.jpg"


@pytest.mark.parametrize("name", ["张三.png", "ab.jpg", "Tom_blue-suit.webp", "㐀㐁.png"])
def test_good_names_pass(tmp_path: Path, name: str) -> None:
    assert fired(make_photo(tmp_path / name)) == []


def test_over_16_mb_fails_and_the_hint_shrinks_it(tmp_path: Path) -> None:
    small = make_photo(tmp_path / "small.png", width=64, height=64)
    big = make_padded_png(small, tmp_path / "big.png", PHOTO_MAX_BYTES + 1)
    found = one(big, "photo.size")
    assert found.actual == PHOTO_MAX_BYTES + 1
    assert "16 MB" in found.message
    fixed = run_hint(found.hint, tmp_path)
    assert fixed.name == "big-smaller.jpg"
    assert fired(fixed) == []


def test_exactly_16_mb_passes(tmp_path: Path) -> None:
    small = make_photo(tmp_path / "small.png", width=64, height=64)
    assert fired(make_padded_png(small, tmp_path / "edge.png", PHOTO_MAX_BYTES)) == []


def test_unknown_facts_are_unjudged_never_passed(tmp_path: Path) -> None:
    facts = probe_file(make_heic_like(tmp_path / "photo.heic"), "photo.heic")
    subject = Subject("MaterialCosUrl", MAKE_TYPES["IMAGE_PHOTO"], facts)
    found = list(photo.check(subject))
    assert [f.rule for f in found] == ["photo.format", "file.unjudged"]
    assert found[1].message.startswith("photo.aspect could not be judged: ")
    assert "HEIC" in found[1].message


def test_rule_limits_come_from_the_constants() -> None:
    assert photo.SIZE.limit == "≤ 16 MB"
    assert photo.ASPECT.limit == "1:1, 9:16, 16:9, 4:3 (±1 %)"
    assert photo.FORMAT.limit == "JPEG, PNG or WebP"
    assert [r.id for r in photo.RULES] == [
        "photo.format",
        "photo.size",
        "photo.aspect",
        "photo.name",
        "photo.animated",
    ]

"""Hostile photos for IMAGE_PHOTO: giant declared sizes, cut-short data, rare pixel formats,
every EXIF orientation and a broken EXIF block, animations, HEIC/AVIF named `.jpg`."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from pathlib import Path

from harness import FACTS_READ, check_cli
from helpers.media import make_photo
from helpers.media_photo import make_png_header
from hostile import (
    iso_image,
    jpeg_broken_exif,
    jpeg_bytes,
    jpeg_claiming,
    manifest,
    oriented,
    png_of_mode,
)


def _make(folder: Path) -> dict[str, str | None]:
    """Each hostile photo (written under `folder`) → the rule it must fire."""
    writes: dict[str, Callable[[Path], object]] = {
        "png_giant.png": lambda p: make_png_header(p, 60_000, 60_000),
        "jpeg_giant.jpg": lambda p: p.write_bytes(jpeg_claiming(60_000, 60_000)),
        "jpeg_cut.jpg": lambda p: p.write_bytes(jpeg_bytes()[:300]),
        "jpeg_cmyk.jpg": lambda p: p.write_bytes(jpeg_bytes(mode="CMYK")),
        "png_16bit.png": lambda p: png_of_mode(p, "I;16"),
        "png_palette.png": lambda p: png_of_mode(p, "P"),
        "jpeg_broken_exif.jpg": lambda p: p.write_bytes(jpeg_broken_exif()),
        "webp_animated.webp": lambda p: make_photo(p, fmt="WEBP", frames=3),
        "png_animated.png": lambda p: make_photo(p, fmt="PNG", frames=3),
        "heic_named.jpg": lambda p: p.write_bytes(iso_image(b"heic")),
        "avif_named.jpg": lambda p: p.write_bytes(iso_image(b"avif")),
        **{f"exif_{n}.jpg": partial(oriented, orientation=n) for n in range(1, 9)},
    }
    rules: dict[str, str | None] = {
        "jpeg_cut.jpg": "file.unreadable",
        "webp_animated.webp": "photo.animated",
        "png_animated.png": "photo.animated",
        "heic_named.jpg": "photo.format",
        "avif_named.jpg": "photo.format",
        **{f"exif_{n}.jpg": "photo.aspect" for n in range(1, 9)},  # 2:1 turned or not
    }
    for number, (name, write) in enumerate(writes.items()):
        write(folder / "photos" / name)
        manifest(
            folder / f"{Path(name).stem}.request.json",
            "IMAGE_PHOTO",
            f"photo_{number}",
            MaterialCosUrl=f"photos/{name}",
        )
    return {f"photos/{name}": rules.get(name, FACTS_READ) for name in writes}


def test_hostile_photos(tmp_path: Path) -> None:
    (tmp_path / "photos").mkdir()
    run = check_cli(tmp_path, ".", expect=_make(tmp_path))
    for name in ("png_giant.png", "jpeg_giant.jpg"):
        facts = run.facts(f"photos/{name}")
        assert facts is not None and (facts["width"], facts["height"]) == (60_000, 60_000)
    for orientation in range(1, 9):
        facts = run.facts(f"photos/exif_{orientation}.jpg")
        assert facts is not None and facts["orientation"] == orientation
        turned = (100, 200) if orientation >= 5 else (200, 100)
        assert (facts["display_width"], facts["display_height"]) == turned
    assert run.facts("photos/jpeg_broken_exif.jpg")["orientation"] == 1  # type: ignore[index]
    assert run.facts("photos/jpeg_cmyk.jpg")["mode"] == "CMYK"  # type: ignore[index]
    for name in ("heic_named.jpg", "avif_named.jpg"):
        assert "file.extension-mismatch" in run.rules(f"photos/{name}")

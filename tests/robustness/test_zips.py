"""Hostile voice zips: bombs by declaration and by overlap, 70 000 entries, monstrous and
unsafe names, links, passwords, broken directories, ZIP64, nested archives, and WAVs whose
headers lie or take the rarer shapes (RF64, WAVE_FORMAT_EXTENSIBLE, 8-bit, float)."""

from __future__ import annotations

import stat
from collections.abc import Callable
from pathlib import Path

from harness import check_cli
from helpers.media import make_zip, wav_bytes
from helpers.media_zip import Member, write_zip
from hostile import (
    Raw,
    make_many_entries_zip,
    make_zip64,
    manifest,
    wav_extensible,
    wav_float,
    wav_lying_size,
    wav_rf64,
    write_raw_zip,
)

TB = 1024**4
WAV = wav_bytes(rate=24000, seconds=0.2)
LOW = 16000  # a sample rate zip.sample-rate refuses: its finding proves the header was read


def _broken_directory(path: Path) -> Path:
    make_zip(path, {"a.wav": WAV})
    data = bytearray(path.read_bytes())
    central = data.rindex(b"PK\x01\x02")
    data[central + 2 : central + 30] = bytes(range(28))  # versions, sizes, name length: junk
    path.write_bytes(bytes(data))
    return path


def _make(folder: Path) -> dict[str, str | None]:
    """Each hostile zip → the rule it must fire."""
    makers: dict[str, tuple[Callable[[Path], object], str | None]] = {
        "declared-terabytes": (
            lambda p: write_raw_zip(
                p, [Raw(b"big.wav", wav_lying_size(), deflate=True, declared_size=2 * TB)]
            ),
            "zip.total-size",
        ),
        "overlapping-entries": (
            lambda p: write_zip(p, [Member("a.wav", WAV)], repeat_central=1000),
            "zip.corrupt",
        ),
        "absolute-path": (lambda p: make_zip(p, {"/etc/take.wav": WAV}), "zip.unsafe-path"),
        "dotdot-path": (lambda p: make_zip(p, {"../../take.wav": WAV}), "zip.unsafe-path"),
        "symlink": (
            lambda p: write_zip(
                p,
                [
                    Member("a.wav", WAV),
                    Member("b.wav", b"/etc/passwd", unix_mode=stat.S_IFLNK | 0o777),
                ],
            ),
            "zip.non-wav",
        ),
        "encrypted": (
            lambda p: write_zip(p, [Member("a.wav", WAV, password=b"secret")]),
            "zip.encrypted",
        ),
        "broken-directory": (_broken_directory, "zip.corrupt"),
        "cut-short": (
            lambda p: p.write_bytes(make_zip(p, {"a.wav": WAV}).read_bytes()[:-30]),
            "zip.corrupt",
        ),
        "zip-in-zip": (
            lambda p: make_zip(
                p,
                {
                    "a.wav": WAV,
                    "inner.wav": make_zip(folder / "in.zip", {"b.wav": WAV}).read_bytes(),
                },
            ),
            "zip.non-wav",
        ),
        "wav-lying-size": (
            lambda p: make_zip(p, {"a.wav": wav_lying_size(LOW)}),
            "zip.sample-rate",
        ),
        "rf64": (lambda p: make_zip(p, {"a.wav": wav_rf64(LOW)}), "zip.sample-rate"),
        "extensible": (lambda p: make_zip(p, {"a.wav": wav_extensible(LOW)}), "zip.sample-rate"),
        "8-bit": (lambda p: make_zip(p, {"a.wav": wav_bytes(rate=LOW, bits=8)}), "zip.sample-rate"),
        "float": (lambda p: make_zip(p, {"a.wav": wav_float(LOW)}), "zip.sample-rate"),
        "zip64": (make_zip64, None),
    }
    expected: dict[str, str | None] = {}
    for number, (name, (make, rule)) in enumerate(makers.items()):
        make(folder / "zips" / f"{name}.zip")
        manifest(
            folder / f"{name}.request.json",
            "VOICE",
            f"voice_{number}",
            MaterialCosUrl=f"zips/{name}.zip",
        )
        expected[f"zips/{name}.zip"] = rule
    (folder / "in.zip").unlink()
    return expected


def test_hostile_zips(tmp_path: Path) -> None:
    (tmp_path / "zips").mkdir()
    expected = _make(tmp_path)
    run = check_cli(tmp_path, ".", expect=expected)
    for name, subtype in (("wav-lying-size", "PCM_16"), ("rf64", "PCM_16"), ("float", "FLOAT")):
        facts = run.facts(f"zips/{name}.zip")
        assert facts is not None
        wav = facts["entries"][0]["wav"]
        assert wav["subtype"] == subtype and wav["duration_s"] < 1  # sized by what is there


def test_70_000_entries(tmp_path: Path) -> None:
    make_many_entries_zip(tmp_path / "many.zip", 70_000)
    manifest(tmp_path / "request.json", "VOICE", "many", MaterialCosUrl="many.zip")
    run = check_cli(tmp_path, ".", expect={"many.zip": "zip.count"})
    assert run.facts("many.zip")["entries_total"] == 70_000  # type: ignore[index]


UNSAFE_NAMES = {
    "64-kb": b"x" * 65000 + b" take 1.wav",
    "nul": b"take\x001.wav",
    "control": b"take\x07\t1.wav",
    "escape-newline": b"\x1b[31mred\n::error::x.wav",  # terminal colour, CI log command
}


def test_entry_names_are_shown_safely(tmp_path: Path) -> None:
    for number, (label, name) in enumerate(UNSAFE_NAMES.items()):
        write_raw_zip(tmp_path / f"{label}.zip", [Raw(name, WAV)])
        manifest(
            tmp_path / f"{label}.request.json",
            "VOICE",
            f"v_{number}",
            MaterialCosUrl=f"{label}.zip",
        )
    check_cli(tmp_path, ".", expect={f"{label}.zip": "zip.filename" for label in UNSAFE_NAMES})

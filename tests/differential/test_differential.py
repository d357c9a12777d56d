"""Differential test: preflight's facts of real files against an independent reading.

Every case of corpus.matrix() is made for real (cached), probed by `probe_file`, and read by
oracle.py (ffmpeg, a RIFF walk, zipfile, Pillow); the two readings must agree field by field,
and the format rules (unreadable, extension, container, driver and photo format, zip.corrupt)
must fire exactly when the independent reading says they should. The quick matrix runs in
`make test`; PREFLIGHT_DIFFERENTIAL=full runs all of it (`make fuzz`).

Differences are recorded, never silenced: LEGITIMATE says why two readers may differ on a
field, KNOWN marks disagreements that a fix of issue 13 removes (strict xfail: when the fix
lands the case passes, the xfail fails, and its entry goes), UNFILED those found here that no
issue names yet (strict xfail too).
"""

from __future__ import annotations

import fnmatch
import json
import os
import tempfile
from collections.abc import Callable
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest
from corpus import Case, build, matrix, which
from helpers.facts import findings
from oracle import (
    Reading,
    decoded_duration,
    read_media,
    read_photo,
    read_wav,
    read_zip,
    run_ffmpeg_decoder,
    run_ffmpeg_reader,
)

from preflight.limits import DRIVER_FORMATS, PHOTO_FORMATS, VIDEO_CONTAINERS
from preflight.probe import probe_file
from preflight.probe.facts import AudioFacts, FileFacts, ImageFacts, VideoFacts, ZipFacts

FULL = os.environ.get("PREFLIGHT_DIFFERENTIAL") == "full"
CASES = matrix(full=FULL)

# The formats preflight may name each family with, where more than one name is right (the
# container-brand decision of issue 13 chooses between them); None: any name outside the
# driver formats (readable audio of an unaccepted format: its name is the fix's to choose).
NAMES: dict[str, frozenset[str] | None] = {
    "m4v": frozenset({"m4v", "mp4"}),  # Apple's MP4 brand
    "3g2": frozenset({"3g2", "3gp"}),  # 3GPP2: 3GP's sibling
    "mka": frozenset({"mka", "mkv"}),  # Matroska audio
    **dict.fromkeys(("mp2", "ac3", "eac3", "au", "tta", "w64", "wv")),
}
# Families whose video.container verdict the brand decision of issue 13 settles.
OPEN_CONTAINERS = frozenset({"3gp", "3g2", "m4v"})
FORMAT_RULES = frozenset(
    {
        "file.unreadable",
        "file.extension-mismatch",
        "video.container",
        "driver.format",
        "photo.format",
        "zip.corrupt",
    }
)

# Case pattern → {field: why the two readers legitimately differ}. Each is a documented
# limit of a reader, not a wrong verdict.
LEGITIMATE: dict[str, dict[str, str]] = {
    # libmediainfo reads the frame-rate mode of Matroska and MPEG-TS from their first frames
    # (README: video.vfr is judged in MP4 and MOV; other containers fail video.container).
    "vfr-mkv-*": {"vfr": "README", "fps_min": "README", "fps_max": "README"},
    "vfr-ts-*": {"vfr": "README", "fps_min": "README", "fps_max": "README"},
    # preflight reads no AVIF or HEIC header: photo.format rejects them before any size.
    "photo-avif": dict.fromkeys(
        ("width", "height", "display_width", "display_height", "frames"), "not read"
    ),
}
# Case pattern → the issue-13 class whose fix makes the case agree. Every class the issue
# lists disagrees at bc34de1 (Layer II as MP3, ADTS+ID3 as MP3, AC-3/E-AC-3/AU/TTA/Wave64/
# WavPack unreadable, 3G2 as MP4, .mka's extension warning, the self-extractor zip and the
# split archive's last part unreadable, MPEG-TS durations 67–85 ms long) and agrees with the
# fixes in the work tree: none is left.
KNOWN: dict[str, str] = {}
# Disagreements this test found that issue 13 does not name (strict xfail too, so that a
# fix shows; file them, or move them to LEGITIMATE with the reason).
UNFILED: dict[str, str] = {}


def _marks(case: Case) -> list[pytest.MarkDecorator]:
    marks = []
    for table, label in ((KNOWN, "issue 13"), (UNFILED, "not filed")):
        reason = next((r for p, r in table.items() if fnmatch.fnmatch(case.id, p)), None)
        if reason is not None:
            marks.append(pytest.mark.xfail(strict=True, reason=f"{label}: {reason}"))
    return marks


@pytest.fixture(scope="session")
def cache(request: pytest.FixtureRequest) -> Path:
    """Where generated files (and ffmpeg's reading of them) are kept between runs."""
    pytest_cache = getattr(request.config, "cache", None)  # absent under -p no:cacheprovider
    if pytest_cache is not None:
        return Path(pytest_cache.mkdir("differential"))
    folder = Path(tempfile.gettempdir()) / f"preflight-differential-{os.getuid()}"
    folder.mkdir(exist_ok=True)
    return folder


@pytest.mark.parametrize("case", [pytest.param(c, id=c.id, marks=_marks(c)) for c in CASES])
def test_agrees(case: Case, cache: Path) -> None:
    if case.needs is not None and which(case.needs) is None:
        pytest.skip(f"{case.needs} is not installed")
    path = build(case, cache)
    facts = probe_file(path, f"{case.id}.{case.ext}")
    independent = independent_reading(case, path, cache)
    mine = preflight_reading(facts)
    mine["format_rules"] = _fired(facts, independent)
    independent["format_rules"] = _expected_rules(case, independent)
    allowed = {k for p, fields in LEGITIMATE.items() if fnmatch.fnmatch(case.id, p) for k in fields}
    problems = [d for d in disagreements(mine, independent) if d.split(":")[0] not in allowed]
    assert not problems, f"{case.id} ({path}):\n  " + "\n  ".join(problems)


# What the makers wrote, as the independent reader must read it: an oracle that reads
# nothing (every field None, which the comparison skips) would agree with anything.
MADE: dict[str, dict[str, Any]] = {
    "fps-mp4-24000_1001": {"fps": Fraction(24000, 1001), "width": 64, "vfr": False},
    # frame times in whole milliseconds: 30 fps frames last 33 or 34 ms, 60 fps ones 16 or 17
    "vfr-mp4-30-60": {"vfr": True, "fps": 45, "fps_min": Fraction(1000, 34), "fps_max": 62.5},
    "rotation-mp4-90": {"rotation": 270, "display_width": 36, "display_height": 64},
    "size-mp4-anamorphic-1440x1080": {"width": 1440, "display_width": 1920},
    "duration-mp4-60s": {"duration_s": 60, "audio_tracks": 1},
    "audio-mp2-mp2": {"family": "mp2", "sample_rate": 48000, "channels": 1},
    # a second of tone: the LAME tag's priming and padding dropped (1.014 s from the packets)
    "audio-mp3-8000": {"duration_s": 1, "sample_rate": 8000},
    "audio-au-pcm_s16be": {"duration_s": 1},
    "wav-rf64": {"sample_rate": 24000, "duration_s": 0.1},
    "wav-extensible-pcm24": {"channels": 2, "subtype": "PCM_24"},
    "photo-jpg-orientation6": {"orientation": 6, "display_width": 48, "display_height": 64},
    "zip-gbk-names": {"names": ["take1.wav", "录音_02.wav", "take-3.wav"]},
}


@pytest.mark.parametrize("case_id", MADE)
def test_oracle_reads_what_was_made(case_id: str, cache: Path) -> None:
    case = next(c for c in matrix(full=True) if c.id == case_id)
    path = build(case, cache)
    reading = independent_reading(case, path, cache)
    if case.maker == "wav":
        reading = read_wav(path.read_bytes())
    if "entries" in reading:
        reading["names"] = [e["name"] for e in reading["entries"]]
    assert {k: reading.get(k) for k in MADE[case_id]} == MADE[case_id]


def independent_reading(case: Case, path: Path, cache: Path) -> Reading:
    if case.maker in ("zip", "split"):
        return read_zip(path)
    if case.maker == "photo":
        return read_photo(path)
    if case.maker == "wav":  # preflight reads a WAV on its own as audio: no sample format
        return {k: v for k, v in read_wav(path.read_bytes()).items() if k != "subtype"}
    # ffmpeg's words for the file never change
    stderr, stdout = _cached(cache / f"{path.name}.ffmpeg.json", lambda: run_ffmpeg_reader(path))
    reading = read_media(stderr, stdout)
    if reading["readable"] and reading["kind"] == "audio":
        # The duration is what a player plays: the decoded frames. The copied packets keep
        # MP3's end padding (its LAME tag's, marked as side data that framecrc shows only as
        # a checksum), so they read a second of MP3 at 8 kHz as 1.014 s.
        decoded = _cached(cache / f"{path.name}.decoded.json", lambda: run_ffmpeg_decoder(path))
        reading["duration_s"] = decoded_duration(decoded)
    if reading.get("family") in ("mkv", "mka") and _ebml_doctype(path) == "webm":
        reading["family"] = "webm"
    return reading


def _cached(file: Path, read: Callable[[], Any]) -> Any:
    """What `read` returns, kept as JSON in `file` (written atomically) and read from it."""
    if not file.exists():
        partial = file.with_name(f".{file.name}-{os.getpid()}")
        partial.write_text(json.dumps(read()), encoding="utf-8")
        os.replace(partial, file)
    return json.loads(file.read_text(encoding="utf-8"))


def _ebml_doctype(path: Path) -> str | None:
    """The DocType (element 0x4282) of a Matroska file's EBML header."""
    head = path.read_bytes()[:64]
    at = head.find(b"\x42\x82")
    if at < 0:
        return None
    length = head[at + 2] & 0x7F  # a one-byte size: DocTypes are short
    return head[at + 3 : at + 3 + length].decode("ascii", "replace").rstrip("\0")


def preflight_reading(facts: FileFacts) -> Reading:
    """preflight's facts in the oracle's terms."""
    reading: Reading = {
        "readable": facts.problem is None,
        "family": facts.format,
        "kind": facts.kind,
    }
    media = facts.media
    if isinstance(media, VideoFacts):
        reading.update(
            {
                k: getattr(media, k)
                for k in (
                    "video_tracks",
                    "audio_tracks",
                    "width",
                    "height",
                    "rotation",
                    "display_width",
                    "display_height",
                    "duration_s",
                    "fps",
                    "fps_min",
                    "fps_max",
                )
            }
        )
        reading["vfr"] = media.fps_mode == "VFR"
    elif isinstance(media, AudioFacts):
        reading.update(
            duration_s=media.duration_s, sample_rate=media.sample_rate, channels=media.channels
        )
    elif isinstance(media, ZipFacts):
        reading["zip_problem"] = media.problem
        if media.problem is None:
            reading["entries"] = [
                {
                    "name": e.name,
                    "size": e.size,
                    "compressed_size": e.compressed_size,
                    "encrypted": e.encrypted,
                    "unreadable": e.problem is not None,
                    "wav": None if e.wav is None else dict(vars(e.wav)),
                }
                for e in media.entries
            ]
    elif isinstance(media, ImageFacts):
        reading.update(
            {
                k: getattr(media, k)
                for k in (
                    "width",
                    "height",
                    "orientation",
                    "display_width",
                    "display_height",
                    "frames",
                )
            }
        )
    return reading


def _role(kind: str | None) -> tuple[str, str]:
    """The make type and field a file of this kind is checked in."""
    return {
        "video": ("IMAGE", "MaterialCosUrl"),
        "audio": ("IMAGE", "VoiceDriverCosFile"),
        "archive": ("VOICE", "MaterialCosUrl"),
        "image": ("IMAGE_PHOTO", "MaterialCosUrl"),
    }.get(kind or "", ("IMAGE", "MaterialCosUrl"))


def _fired(facts: FileFacts, independent: Reading) -> list[str]:
    make_type, field = _role(independent.get("kind"))
    fired = {f.rule for f in findings(facts, make_type, field)}
    return sorted(fired & FORMAT_RULES)


def _expected_rules(case: Case, independent: Reading) -> list[str] | None:
    """The format rules that the independent reading says fire (the file is named as its
    family is); None where issue 13's brand decision is still open."""
    if not independent.get("readable"):
        return ["file.unreadable"]
    family, kind = independent["family"], independent["kind"]
    if kind == "video":
        if family in OPEN_CONTAINERS:
            return None
        return [] if family in VIDEO_CONTAINERS else ["video.container"]
    if kind == "audio":
        return [] if family in DRIVER_FORMATS else ["driver.format"]
    if kind == "image":
        return [] if family in PHOTO_FORMATS else ["photo.format"]
    entries = independent.get("entries") or []
    corrupt = independent.get("zip_problem") or any(e["unreadable"] for e in entries)
    return ["zip.corrupt"] if corrupt else []


def disagreements(mine: Reading, independent: Reading) -> list[str]:
    """`field: preflight X, independent Y` for every field both should know and do not agree
    on; durations within one frame (of the longest frame, video or audio) or 1 ms, rates
    within 0.1 %."""
    out = []
    for key, theirs in independent.items():
        if key in ("frame_s", "codec", "fps_tolerance") or theirs is None:
            continue
        ours = mine.get(key)
        if key == "family":
            names = NAMES.get(theirs, frozenset({theirs}))
            same = ours in names if names is not None else ours not in (None, *DRIVER_FORMATS)
        elif key == "duration_s":
            slack = max(independent.get("frame_s") or 0.0, 0.001) + 1e-6
            same = ours is not None and abs(ours - float(theirs)) <= slack
        elif key in ("fps", "fps_min", "fps_max"):
            slack = max(0.001, independent.get("fps_tolerance") or 0.0) * float(theirs)
            same = ours is not None and abs(ours - float(theirs)) <= slack
        elif key == "zip_problem":
            same = (ours is None) == (theirs is None)
        elif key == "entries":
            same = _entries_agree(ours, theirs)
        elif key == "vfr" and mine.get("family") not in VIDEO_CONTAINERS:
            continue  # preflight reads the frame-rate mode of MP4 and MOV only (README)
        else:
            same = ours == theirs
        if not same:
            out.append(f"{key}: preflight {_show(ours)}, independent {_show(theirs)}")
    return out


def _entries_agree(ours: list[Reading] | None, theirs: list[Reading]) -> bool:
    """Names, sizes and encryption alike; WAV facts alike, durations within a microsecond."""
    if ours is None or len(ours) != len(theirs):
        return False
    for mine, other in zip(ours, theirs, strict=True):
        plain = [{k: v for k, v in e.items() if k != "wav"} for e in (mine, other)]
        wavs = mine["wav"], other["wav"]
        if plain[0] != plain[1] or (wavs[0] is None) != (wavs[1] is None):
            return False
        if wavs[0] is not None and (
            {k: v for k, v in wavs[0].items() if k != "duration_s"}
            != {k: v for k, v in wavs[1].items() if k != "duration_s"}
            or abs(wavs[0]["duration_s"] - wavs[1]["duration_s"]) > 1e-6
        ):
            return False
    return True


def _show(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.6g}"
    return repr(value)

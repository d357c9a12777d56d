"""Mutation targets shared by the property tests (test_mutations.py) and the long fuzzer
(fuzz.py): real seed files, byte-level mutations, and the checks every mutant must pass
through every probe and every rule family, in process."""

from __future__ import annotations

import json
import os
import random
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from helpers.media import make_pdf, make_photo, make_video, make_zip, wav_bytes

from preflight import manifest
from preflight.dispatch import check_file
from preflight.limits import MAKE_TYPES
from preflight.materials import material_for
from preflight.probe import probe_file
from preflight.probe.facts import FileFacts
from preflight.request import build_request
from preflight.rules import file, request
from preflight.rules.base import Subject

SECONDS_MAX = 5.0  # per mutant, probe and every rule: generous for a loaded CI machine
Probe = Callable[[Path, str], FileFacts]  # (path, shown) → facts
HEAD = 4096  # half of the positions fall here, where the headers are
# (operation, position, argument): flip a bit, cut, insert or overwrite bytes, copy a span.
Op = tuple[str, int, bytes | int]
OPERATIONS = ("flip", "truncate", "insert", "overwrite", "copy")
# Every field a file can fill, with the make types that use it.
ROLES = [
    (t, "MaterialCosUrl") for t in MAKE_TYPES.values() if material_for("MaterialCosUrl", t)
] + [
    (MAKE_TYPES["IMAGE"], field)
    for field in ("IdentityCosUrl", "IdentityWrittenCosUrl", "VoiceDriverCosFile")
]


def make_seeds(folder: Path) -> dict[str, bytes]:
    """Small real files of every kind preflight reads: file name → bytes."""
    folder.mkdir(parents=True, exist_ok=True)
    made = [
        make_video(
            folder / "video.mp4",
            width=160,
            height=90,
            duration=0.3,
            extra=("-movflags", "+faststart"),
        ),
        make_video(folder / "video.mov", width=160, height=90, duration=0.3),
        make_video(folder / "audio.m4a", video=False, duration=0.3),
        make_zip(folder / "voice.zip", {"a.wav": wav_bytes(seconds=0.05), "b.wav": wav_bytes()}),
        make_photo(folder / "photo.jpg", width=96, height=64, orientation=6),
        make_photo(folder / "photo.png", width=64, height=64, fmt="PNG"),
        make_photo(folder / "photo.webp", width=64, height=36, fmt="WEBP", frames=2),
        make_pdf(folder / "letter.pdf"),
    ]
    (folder / "voice.wav").write_bytes(wav_bytes(seconds=0.05))
    made.append(folder / "voice.wav")
    seeds = {path.name: path.read_bytes() for path in made}
    for path in made:
        path.unlink()
    return seeds


MANIFEST_SEEDS = {
    "request.json": json.dumps(
        {
            "Header": {},
            "Payload": {
                "AnchorName": "林_voice",
                "MakeType": "VOICE",
                "SexType": "FEMALE",
                "MaterialCosUrl": "voice.zip",
                "IdentityWrittenCosUrl": "https://b/customer-pipeline/1/u/idcard/a.pdf",
                "TextDriver": "<speak>你好 world</speak>",
                "Notes": "n",
            },
        },
        ensure_ascii=False,
    ).encode(),
    "request.toml": (
        b'AnchorName = "Lin"\nMakeType = "IMAGE_PHOTO"\nSexType = "MALE"\n'
        b'MaterialCosUrl = "photo.jpg"\nIsHaveBackground = true\n[Extra]\nx = [1, 2]\n'
    ),
}


def apply(data: bytes, ops: Sequence[Op]) -> bytes:
    """`data` after each operation in turn; positions wrap around the current length."""
    out = bytearray(data)
    for op, position, argument in ops:
        at = position % (len(out) + 1)
        if op == "flip" and out:
            out[at % len(out)] ^= 1 << (int(argument) % 8) if isinstance(argument, int) else 1
        elif op == "truncate":
            del out[at:]
        elif op == "insert" and isinstance(argument, bytes):
            out[at:at] = argument
        elif op == "overwrite" and isinstance(argument, bytes):
            out[at : at + len(argument)] = argument
        elif op == "copy" and isinstance(argument, int) and out:  # a span of itself, elsewhere
            start = int(argument) % len(out)
            out[at:at] = out[start : start + 64]
    return bytes(out)


def random_ops(rng: random.Random, count: int) -> list[Op]:
    """What the fuzzer feeds `apply` (the property tests draw the same shapes)."""
    ops: list[Op] = []
    for _ in range(count):
        op = rng.choice(OPERATIONS)
        position = rng.randrange(HEAD) if rng.random() < 0.5 else rng.randrange(1 << 24)
        argument: bytes | int
        if op in ("insert", "overwrite"):
            argument = rng.choice((b"\xff\xff\xff\xff", b"\0\0\0\0", b"\x7f\xff\xff\xff"))
            argument = argument if rng.random() < 0.5 else rng.randbytes(rng.randrange(1, 65))
        else:
            argument = rng.randrange(1 << 24)
        ops.append((op, position, argument))
    return ops


def check_media(folder: Path, name: str, data: bytes, probe: Probe | None = None) -> None:
    """Probe the mutant, run every rule family on it in every role, render its facts; assert
    no exception escapes, it takes under SECONDS_MAX, and the file is left as it was. In
    process by default, where the probe too must finish in time; the fuzzer's `probe` runs
    in a worker as a run's does, under its time limit (a parser that loops on a random mutant
    costs that limit and a finding there, as in a run)."""
    path = folder / name
    path.write_bytes(data)
    before = os.stat(path).st_mtime_ns
    started = time.monotonic()
    facts = probe_file(path, name) if probe is None else probe(path, name)
    if probe is not None:  # the worker's own limit bounds the probe: time the rules
        started = time.monotonic()
    for make_type, field in ROLES:
        for finding in check_file(Subject(field, make_type, facts))[0]:
            assert finding.message
    json.dumps(facts.to_dict(), allow_nan=False)  # the report stays strict JSON
    elapsed = time.monotonic() - started
    assert elapsed < SECONDS_MAX, f"{name}: {elapsed:.1f} s"
    assert path.read_bytes() == data and os.stat(path).st_mtime_ns == before
    path.unlink()


def check_manifest(folder: Path, name: str, data: bytes) -> None:
    """Load the mutant manifest and run the request rules and the body builder on it."""
    path = folder / name
    path.write_bytes(data)
    before = os.stat(path).st_mtime_ns
    started = time.monotonic()
    loaded = manifest.load(path, name)
    checked = request.check(loaded) if loaded.readable else file.check_manifest(loaded)
    for finding in checked:
        assert finding.message
    json.dumps(build_request(loaded.payload, None), allow_nan=False)
    assert time.monotonic() - started < SECONDS_MAX
    assert path.read_bytes() == data and os.stat(path).st_mtime_ns == before
    path.unlink()

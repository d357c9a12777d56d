"""The rule table: every rule declared once, beside its check; each one produced by a case
below, and nothing produced that is not declared; the generated catalogue, the README table
and the material table agree with it."""

from __future__ import annotations

import ast
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pytest
from helpers.facts import (
    audio,
    face,
    faces_seen,
    findings,
    heard,
    photo,
    request_fired,
    video,
    voice_zip,
    wav_entry,
)

from preflight import catalogue
from preflight.dispatch import check_file
from preflight.limits import GB, MAKE_TYPES, MB
from preflight.manifest import Manifest
from preflight.materials import MATERIALS, material_for
from preflight.probe.analysed import Face, FaceFacts, FrameFacts, Segment
from preflight.probe.faces import MISSING
from preflight.probe.facts import FileFacts, LfsPointer, WavFacts
from preflight.reporters.catalogue import python_source, readme_with_table
from preflight.rules import FAMILIES, RULES, get, request
from preflight.rules.base import Subject

ROOT = Path(__file__).resolve().parent.parent
GOOD = {
    "AnchorName": "Tom_blue-suit",
    "MakeType": "IMAGE",
    "SexType": "MALE",
    "IdentityCosUrl": "id.mp4",
    "MaterialCosUrl": "video.mp4",
}


def _payload(**changes: object) -> set[str]:
    payload = {**GOOD, **changes}
    return request_fired({k: v for k, v in payload.items() if v is not None})


def _collision() -> set[str]:
    url = "${COS_PATH_PREFIX}/idcard/authorization.pdf"
    uploads = [
        request.Upload(f"{n}/request.json", "IdentityWrittenCosUrl", url, size, f"/r/{n}/a.pdf")
        for n, size in (("lin", 1000), ("studio", 2000))
    ]
    return {f.rule for each in request.check_uploads(uploads).values() for f in each}


def _duplicates() -> set[str]:
    twins = [Manifest(f"{n}/request.json", Path(n), GOOD) for n in ("a", "b")]
    found = request.check_duplicates(twins, frozenset())
    return {f.rule for each in found.values() for f in each}


def _outside_root() -> set[str]:
    subject = Subject("MaterialCosUrl", MAKE_TYPES["IMAGE"], video(), outside_root="/repo")
    return {f.rule for f in check_file(subject)[0]}


def _untracked() -> set[str]:
    subject = Subject("MaterialCosUrl", MAKE_TYPES["IMAGE"], video(), untracked="error")
    return {f.rule for f in check_file(subject)[0]}


def _rules(
    file: FileFacts, make_type: str | None = "IMAGE", field: str = "MaterialCosUrl"
) -> set[str]:
    return {f.rule for f in findings(file, make_type, field)}


def _zip(*entries: object, **changes: object) -> set[str]:
    return _rules(voice_zip(*entries, **changes), "VOICE")  # type: ignore[arg-type]


def _heard(**changes: object) -> set[str]:
    """The speech rules on a voice zip of one WAV (300 s of speech passes)."""
    changes.setdefault("speech_s", 300.0)
    return _zip(speech=(heard(**changes),))


ZERO_SHOT = {"AudioUrl": "zeroshot/lin_reading.wav", "ReferenceText": "你好", "Language": "chi"}


def _zero_shot(**changes: object) -> set[str]:
    payload = {**ZERO_SHOT, **changes}
    return request_fired({k: v for k, v in payload.items() if v is not None})


def _reference(path: str = "zeroshot/lin_reading.mp3", **changes: object) -> set[str]:
    """The rules on zero-shot reference audio: 15 s of 128 kbps MP3 passes."""
    changes.setdefault("duration_s", 15.0)
    fmt = path.rsplit(".", 1)[1]
    return _rules(audio(path, fmt, **changes), None, "AudioUrl")


UNREAD = {"content": None, "wav": None}
PRESENTER = (face(810, 290),)  # centred, large enough in a 1920×1080 frame


def _portrait(*faces: Face) -> set[str]:
    """The face rules on a photo in which the scan found these faces."""
    return _rules(photo(faces=faces_seen(faces, photo=True)), "IMAGE_PHOTO")


def _filmed(*frames: tuple[Face, ...], deep: FrameFacts | None = None) -> set[str]:
    """The face (and --deep frame) rules on a video whose sampled frames show these faces."""
    return _rules(video(faces=faces_seen(*frames, width=1920, height=1080), deep=deep))


# One case per rule: what a producer would hand in, as the probe's facts.
CASES: dict[str, Callable[[], set[str]]] = {
    "request.unknown-field": lambda: _payload(IsRemoveBackground=True),
    "request.field-type": lambda: _payload(IsHaveBackground="true"),
    "request.make-type": lambda: _payload(MakeType="IMAGE_8K"),
    "request.sex-type": lambda: _payload(SexType="female"),
    "request.anchor-name": lambda: _payload(AnchorName="Tom in a Blue Suit"),
    "request.anchor-name-duplicate": _duplicates,
    "request.notes": lambda: _payload(Notes="n" * 101),
    "request.text-driver": lambda: _payload(TextDriver="<speak>hello"),
    "request.identity-missing": lambda: _payload(IdentityCosUrl=None),
    "request.material-missing": lambda: _payload(MaterialCosUrl=None),
    "request.audio-id": lambda: request_fired(
        {"AnchorName": "Tom", "MakeType": "ZERO_SHOT_VOICE", "SexType": "MALE"}
    ),
    "request.field-not-applicable": lambda: _payload(MakeType="VOICE", IsHaveBackground=True),
    "request.cos-path": lambda: _payload(MaterialCosUrl="https://example.com/tom.mp4"),
    "request.upload-collision": _collision,
    "request.audio-url": lambda: _zero_shot(AudioUrl=None),
    "request.language": lambda: _zero_shot(Language="zh"),
    "request.reference-text": lambda: _zero_shot(TextId="a1b2"),
    "request.no-reference-text": lambda: _zero_shot(ReferenceText=None),
    "file.missing": lambda: _rules(FileFacts("video/tom.mp4", "missing")),
    "file.not-regular": lambda: _rules(FileFacts("video/tom.mp4", "fifo")),
    "file.lfs-pointer": lambda: _rules(video(lfs=LfsPointer("sha256:" + "0" * 64, 6 * GB))),
    "file.unreadable": lambda: _rules(video(problem="the file is truncated")),
    "file.type-mismatch": lambda: _rules(photo()),
    "file.extension-mismatch": lambda: _rules(video(path="video/tom.mov")),
    "file.outside-root": _outside_root,
    "file.unjudged": lambda: _rules(video(fps=None)),
    "file.untracked": _untracked,
    "video.container": lambda: _rules(video(path="video/tom.mkv", format="mkv")),
    "video.size": lambda: _rules(video(size=5 * GB + 1)),
    "video.duration": lambda: _rules(video(duration_s=119.999)),
    "video.resolution": lambda: _rules(video(display_width=1280, display_height=720)),
    "video.aspect": lambda: _rules(video(display_aspect=4 / 3)),
    "video.pixel-aspect": lambda: _rules(video(pixel_aspect=4 / 3)),
    "video.fps": lambda: _rules(video(fps=24.0)),
    "video.vfr": lambda: _rules(video(fps_mode="VFR", fps_min=20.0, fps_max=30.0)),
    "video.no-video-track": lambda: _rules(audio(path="video/tom.mp4", fmt="m4a")),
    "zip.corrupt": lambda: _zip(wav_entry(problem="CRC-32 mismatch", **UNREAD)),
    "zip.encrypted": lambda: _zip(wav_entry(encrypted=True, **UNREAD)),
    "zip.unsafe-path": lambda: _zip(wav_entry(name="../take1.wav")),
    "zip.folders": lambda: _zip(wav_entry(name="voice/take1.wav")),
    "zip.count": lambda: _zip(*(wav_entry(f"take{i}.wav") for i in range(11))),
    "zip.non-wav": lambda: _zip(wav_entry(name="take1.mp3", content="mp3", wav=None)),
    "zip.extension-case": lambda: _zip(wav_entry(name="take1.WAV")),
    "zip.filename": lambda: _zip(wav_entry(name="take 1.wav")),
    "zip.total-size": lambda: _zip(wav_entry(size=GB + 1)),
    "zip.sample-rate": lambda: _zip(wav_entry(wav=WavFacts(16_000, 1, "PCM_16", 10.0))),
    "photo.format": lambda: _rules(photo(path="photo/lin.gif", format="gif"), "IMAGE_PHOTO"),
    "photo.size": lambda: _rules(photo(size=16 * MB + 1), "IMAGE_PHOTO"),
    "photo.aspect": lambda: _rules(photo(display_width=1000, display_height=1700), "IMAGE_PHOTO"),
    "photo.name": lambda: _rules(photo(path="photo/l.jpg"), "IMAGE_PHOTO"),
    "photo.animated": lambda: _rules(photo(frames=12), "IMAGE_PHOTO"),
    "driver.format": lambda: _rules(audio("audio/drive.ogg", "ogg"), "IMAGE", "VoiceDriverCosFile"),
    "driver.size": lambda: _rules(audio(size=10 * MB + 1), "IMAGE", "VoiceDriverCosFile"),
    "identity.format": lambda: _rules(
        video(path="idcard/id.mkv", format="mkv"), "IMAGE", "IdentityCosUrl"
    ),
    "zeroshot.format": lambda: _reference("zeroshot/lin_reading.ogg"),
    "zeroshot.size": lambda: _reference(size=20 * MB + 1),
    "zeroshot.duration": lambda: _reference(duration_s=9.9),
    "zeroshot.duration-recommended": lambda: _reference(duration_s=20.5),
    "zeroshot.rate": lambda: _reference(sample_rate=8_000),
    "zeroshot.bitrate": lambda: _reference(bit_rate=64_000),
    "zeroshot.name": lambda: _reference("zeroshot/l.mp3"),
    "face.skipped": lambda: _rules(photo(faces=FaceFacts(0, 0, (), MISSING)), "IMAGE_PHOTO"),
    "face.count": lambda: _portrait(face(), face(0, 0)),
    "face.presence": lambda: _filmed(*[PRESENTER] * 8, (), ()),
    "face.others": lambda: _filmed(*[PRESENTER] * 8, *[(*PRESENTER, face(0, 0, 100))] * 2),
    "face.size": lambda: _portrait(face(side=100)),
    "face.centred": lambda: _portrait(face(x=0)),
    "face.turned": lambda: _portrait(face(turned=True)),
    "video.undecoded": lambda: _filmed(PRESENTER, deep=FrameFacts((), (), (), "no decoder")),
    "video.black": lambda: _filmed(PRESENTER, deep=FrameFacts((Segment(3.0, 4.5),), (), ())),
    "video.freeze": lambda: _filmed(PRESENTER, deep=FrameFacts((), (Segment(10.0, 14.0),), ())),
    "video.cuts": lambda: _filmed(PRESENTER, deep=FrameFacts((), (), (42.0,))),
    "speech.clipping": lambda: _heard(clipped=11, clipped_at=(1.5, 2.25)),
    "speech.level": lambda: _heard(speech_dbfs=-31.0),
    "speech.duration": lambda: _heard(speech_s=299.0),
    "speech.silence": lambda: _heard(pauses=((30.0, 2.5),)),
    "speech.bandwidth": lambda: _heard(bandwidth_hz=8_000.0),
    "speech.snr": lambda: _heard(snr_db=18.0),
    "speech.track": lambda: _rules(video(audio_tracks=0, speech=())),
}


@pytest.mark.parametrize("rule_id", CASES)
def test_each_case_produces_its_rule_and_only_declared_ones(rule_id: str) -> None:
    produced = CASES[rule_id]()
    assert rule_id in produced
    assert produced <= RULES.keys()


def test_every_declared_rule_has_a_case() -> None:
    assert list(CASES) == list(RULES)  # in catalogue order, so a new rule's case is easy to place


def test_passing_facts_produce_nothing() -> None:
    assert _payload() == set()
    assert _rules(video()) == set()
    assert _rules(voice_zip(), "VOICE") == set()
    assert _rules(photo(), "IMAGE_PHOTO") == set()
    assert _rules(audio(), "VOICE", "VoiceDriverCosFile") == set()
    assert _zero_shot() == set()
    assert _reference() == set()
    assert _portrait(face()) == set()
    assert _filmed(*[PRESENTER] * 10, deep=FrameFacts((), (), ())) == set()


def test_findings_are_made_only_by_rules() -> None:
    """Every finding comes from a declared Rule (rule.py makes them): no other module builds
    one with an ID of its own."""
    builders = []
    for module in (ROOT / "preflight").rglob("*.py"):
        for node in ast.walk(ast.parse(module.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "Finding":
                builders.append(module.relative_to(ROOT).as_posix())
    assert builders == ["preflight/rule.py"]


def test_the_table_is_every_familys_rules_once() -> None:
    declared = [rule for family in FAMILIES for rule in family.RULES]
    assert len({rule.id for rule in declared}) == len(declared) == len(RULES)
    assert get("video.fps").limit == "25–60 fps"
    with pytest.raises(ValueError, match=r"video\.bitrate"):
        get("video.bitrate")


def test_the_generated_catalogue_has_not_drifted() -> None:
    source = (ROOT / "preflight" / "catalogue.py").read_text(encoding="utf-8")
    assert source == python_source(RULES.values()), "run: make catalogue"
    assert tuple(RULES.values()) == catalogue.RULES


def test_readme_documents_every_rule() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert readme == readme_with_table(readme, RULES.values()), "run: make catalogue"


def test_every_material_is_judged_by_a_listed_family() -> None:
    for material in MATERIALS:
        assert material.family in FAMILIES
        assert material.size_rule is None or material.size_rule in material.family.RULES
        assert material.make_types <= MAKE_TYPES.keys()


def test_each_make_type_takes_one_material() -> None:
    takes = {name: material_for("MaterialCosUrl", m) for name, m in MAKE_TYPES.items()}
    assert {name: m.name if m else None for name, m in takes.items()} == {
        "IMAGE": "video",
        "IMAGE_GENERAL": "video",
        "IMAGE_4K": "video",
        "IMAGE_PHOTO": "photo",
        "VOICE": "zip",
        "ZERO_SHOT_VOICE": None,
    }
    # The durations belong to the make types that take a video.
    for name, make_type in MAKE_TYPES.items():
        assert bool(make_type.max_duration_s) == (
            takes[name] is not None and takes[name].name == "video"
        )


def test_a_pointers_recorded_size_is_judged_by_its_materials_size_rule() -> None:
    pointer = LfsPointer("sha256:" + "0" * 64, 20 * MB)
    assert _rules(replace(photo(), lfs=pointer), "IMAGE_PHOTO") == {
        "file.lfs-pointer",
        "photo.size",
    }
    assert _rules(replace(audio(), lfs=pointer), "IMAGE", "VoiceDriverCosFile") == {
        "file.lfs-pointer",
        "driver.size",
    }
    bigger = replace(pointer, size=20 * MB + 1)
    assert _rules(replace(audio(), lfs=bigger), None, "AudioUrl") == {
        "file.lfs-pointer",
        "zeroshot.size",
    }

"""Face analysis on real photographs and videos: the probe finds the faces a reviewer sees (as
displayed: EXIF orientation, a video's rotation) and the face rules judge them; `--deep`
finds black, frozen and cut frames; content facts are cached with the header facts and
`--no-content` leaves them out. Each analysis has a passing and a failing case."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from helpers.facts import face, faces_seen, findings, photo, video
from helpers.media_faces import BACKDROP, face_crop, face_photo, face_video, landscape, presenter
from PIL import Image
from runner import invoke, report_of, rules_of

from preflight.probe import content, decode, faces, probe_file
from preflight.probe.content import Item, analyse
from preflight.probe.facts import FileFacts, VideoFacts

DEEP_RULES = {"video.black", "video.freeze", "video.cuts"}


def _analysed(path: Path, deep: bool = False) -> FileFacts:
    """The file's header facts, then its content's, as a run's two phases make them."""
    return analyse(Item(path, probe_file(path, path.name), deep))


def _face_rules(path: Path, make_type: str, field: str = "MaterialCosUrl") -> set[str]:
    found = findings(_analysed(path), make_type, field)
    return {f.rule for f in found if f.rule.startswith("face.")}


@pytest.fixture(scope="module")
def media(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("faces")


# Photos ---------------------------------------------------------------------------------------


def test_a_photo_of_one_centred_face_passes(media: Path) -> None:
    path = face_photo(media / "one.jpg")
    facts = _analysed(path)
    assert facts.faces is not None and len(facts.faces.frames[0].faces) == 1
    assert _face_rules(path, "IMAGE_PHOTO") == set()


def test_a_photo_without_a_face_fails_face_count(media: Path) -> None:
    path = landscape(media / "hills.jpg")
    found = findings(_analysed(path), "IMAGE_PHOTO")
    (count,) = [f for f in found if f.rule == "face.count"]
    assert count.severity == "error" and count.actual == 0
    assert "no face" in count.message


def test_a_photo_of_two_people_fails_face_count(media: Path) -> None:
    path = face_photo(media / "two.jpg", size=(800, 450), faces=((0, 25, 400), (400, 25, 400)))
    found = findings(_analysed(path), "IMAGE_PHOTO")
    assert [f.actual for f in found if f.rule == "face.count"] == [2]


def test_a_face_in_a_corner_is_not_centred(media: Path) -> None:
    path = face_photo(media / "corner.jpg", size=(900, 900), faces=((0, 450, 450),))
    assert _face_rules(path, "IMAGE_PHOTO") == {"face.centred", "face.size"}


def test_a_small_centred_face_is_too_small(media: Path) -> None:
    path = face_photo(media / "small.jpg", size=(1000, 1000), faces=((275, 250, 450),))
    found = findings(_analysed(path), "IMAGE_PHOTO")
    (size,) = [f for f in found if f.rule.startswith("face.")]
    assert size.rule == "face.size" and size.severity == "warning"
    assert 125 <= size.actual <= 170  # the face is about a third of the 450 px crop


def test_a_photo_is_judged_as_displayed(media: Path) -> None:
    """Stored turned a quarter, EXIF orientation 6 shows it upright: the face is found only in
    the upright picture (the frontal detector misses a face lying on its side)."""
    path = face_photo(media / "turned.jpg", orientation=6)
    with Image.open(path) as stored:
        assert stored.getexif()[0x0112] == 6
    assert _face_rules(path, "IMAGE_PHOTO") == set()


def test_a_turned_face_is_a_warning() -> None:
    """The profile detector's find (facts made directly: no turned face ships in a wheel)."""
    turned = photo(faces=faces_seen((face(turned=True),), photo=True))
    assert {f.rule for f in findings(turned, "IMAGE_PHOTO")} == {"face.turned"}
    assert {
        f.rule for f in findings(photo(faces=faces_seen((face(),), photo=True)), "IMAGE_PHOTO")
    } == set()


# Videos ---------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def staying(media: Path) -> Path:
    return face_video(media / "staying.mp4", presenter((640, 360), 300), 6, (640, 360))


@pytest.fixture(scope="module")
def leaving(media: Path) -> Path:
    """The presenter walks out after 7 s of 14."""
    scene = presenter((640, 360), 300, leaves_at=7)
    return face_video(media / "leaving.mp4", scene, 14, (640, 360))


def test_a_video_with_the_face_throughout_passes(staying: Path) -> None:
    facts = _analysed(staying)
    assert facts.faces is not None
    assert [frame.time_s for frame in facts.faces.frames] == [0.0, 4.0]  # SAMPLE_SECONDS
    assert all(len(frame.faces) == 1 for frame in facts.faces.frames)
    assert _face_rules(staying, "IMAGE_GENERAL") == set()


def test_a_video_whose_face_leaves_the_frame_says_when(leaving: Path) -> None:
    found = findings(_analysed(leaving), "IMAGE_GENERAL")
    (presence,) = [f for f in found if f.rule == "face.presence"]
    assert presence.actual == 0.5  # of the keyframes at 0, 4, 8 and 12 s
    assert presence.message.endswith("at 8 s, 12 s")


def test_a_rotated_video_is_judged_as_displayed(media: Path) -> None:
    """Stored landscape with the face on its side, shown portrait by its rotation."""
    scene = presenter((360, 640), 300)
    path = face_video(media / "rotated.mp4", scene, 3, (360, 640), rotation=90)
    facts = _analysed(path)
    assert facts.faces is not None and (facts.faces.width, facts.faces.height) == (360, 640)
    assert len(facts.faces.frames) == 1
    assert all(len(frame.faces) == 1 for frame in facts.faces.frames)


def test_two_people_in_a_video_is_a_warning(media: Path) -> None:
    def scene(number: int) -> Image.Image:
        canvas = Image.new("RGB", (640, 360), BACKDROP)
        for x in (20, 340):
            canvas.paste(face_crop(280), (x + number % 5, 40))
        return canvas

    path = face_video(media / "two.mp4", scene, 5, (640, 360))
    found = findings(_analysed(path), "IMAGE_GENERAL")
    (others,) = [f for f in found if f.rule == "face.others"]
    assert others.severity == "warning" and others.actual == 2  # the keyframes at 0 and 4 s
    alone = (face(810, 290),)  # and below its share: one frame of ten
    crowded = video(
        faces=faces_seen(*[alone] * 9, (*alone, face(0, 0, 200)), width=1920, height=1080)
    )
    assert {f.rule for f in findings(crowded)} == set()


def test_the_authorization_video_is_looked_at_too(leaving: Path) -> None:
    assert _face_rules(leaving, "IMAGE", "IdentityCosUrl") == {"face.presence"}


# --deep -----------------------------------------------------------------------------------------


def test_deep_finds_black_frozen_and_cut_frames(media: Path) -> None:
    """2 s of the presenter, 1 s black, 3 s of a still picture, then another scene."""
    live = presenter((640, 360), 300)
    still = live(0)
    elsewhere = Image.new("RGB", (640, 360), (200, 60, 40))

    def scene(number: int) -> Image.Image:
        if number < 50:
            return live(number)
        if number < 75:
            return Image.new("RGB", (640, 360))
        return still if number < 150 else elsewhere

    path = face_video(media / "edited.mp4", scene, 8, (640, 360))
    found = {f.rule: f for f in findings(_analysed(path, deep=True), "IMAGE_GENERAL")}
    assert found.keys() >= DEEP_RULES
    assert "2–3 s" in found["video.black"].message
    assert "3–6 s" in found["video.freeze"].message
    assert found["video.cuts"].message.endswith(", 6 s")  # and into and out of the black


def test_deep_passes_continuous_footage(staying: Path) -> None:
    facts = _analysed(staying, deep=True)
    assert facts.deep is not None and facts.deep.skipped is None
    assert {f.rule for f in findings(facts, "IMAGE_GENERAL")} & DEEP_RULES == set()


# The run: --no-content, --deep, the cache, the extra -------------------------------------------


def _request(folder: Path, material: str, make_type: str = "IMAGE_PHOTO") -> Path:
    (folder / "request.toml").write_text(
        f'AnchorName = "Lin"\nMakeType = "{make_type}"\nSexType = "FEMALE"\n'
        f'MaterialCosUrl = "{material}"\n',
        encoding="utf-8",
    )
    return folder


def _file_facts(report: dict[str, Any]) -> dict[str, Any]:
    return report["requests"][0]["files"][0]["facts"]


@pytest.fixture
def no_face_request(tmp_path: Path) -> Path:
    landscape(tmp_path / "hills.jpg", (800, 600))
    return _request(tmp_path, "hills.jpg")


def test_no_content_reads_headers_only(no_face_request: Path) -> None:
    code, report = report_of(str(no_face_request), "--no-content")
    assert "face.count" not in rules_of(report) and "faces" not in _file_facts(report)
    code, report = report_of(str(no_face_request))
    assert code == 1 and "face.count" in rules_of(report)
    assert _file_facts(report)["faces"]["with_face"] == 0


def test_content_facts_are_cached_and_not_analysed_again(
    no_face_request: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = report_of(str(no_face_request))
    monkeypatch.setattr(content, "analyse", _refused)  # the workers are forked after this
    assert report_of(str(no_face_request)) == first
    assert report_of(str(no_face_request), "--no-content")[1]["ok"]  # a cache holding more


def _refused(item: content.Item) -> FileFacts:
    raise AssertionError(f"{item.path} was analysed again")


def test_deep_analyses_what_a_cached_run_did_not(tmp_path: Path) -> None:
    face_video(tmp_path / "lin.mp4", presenter((640, 360), 300), 3, (640, 360))
    _request(tmp_path, "lin.mp4", "IMAGE_GENERAL")
    assert "deep" not in _file_facts(report_of(str(tmp_path))[1])
    facts = _file_facts(report_of(str(tmp_path), "--deep")[1])
    assert facts["deep"] == {"black": 0, "frozen": 0, "cuts": 0}
    assert facts["faces"]["with_face"] == 1


def test_without_the_extra_check_says_faces_were_skipped(
    no_face_request: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(faces, "available", lambda: False)
    report = report_of(str(no_face_request), "--no-cache")[1]
    found = [f for r in report["requests"] for f in r["findings"] if f["rule"] == "face.skipped"]
    assert [f["severity"] for f in found] == ["info"]
    assert "preflight[faces]" in found[0]["message"]
    assert "face.count" not in rules_of(report)


def test_inspect_shows_what_was_measured(tmp_path: Path) -> None:
    path = face_photo(tmp_path / "lin_portrait.jpg")
    code, out = invoke("inspect", str(path))
    assert code == 0
    assert "a face in 1 of 1 frames looked at" in out


def test_a_name_that_reads_as_a_protocol_or_an_option_is_decoded_as_the_file_it_is(
    staying: Path, leaving: Path, media: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """ffmpeg is given `file:` and the absolute path, local files only: a name such as
    `concat:…|…` or `-i.mp4`, in the folder the run starts in, is the file itself."""
    monkeypatch.chdir(media)
    for name in ("concat:staying.mp4|leaving.mp4", "-i.mp4", "http:x.mp4"):
        (media / name).write_bytes(staying.read_bytes())
        facts = _analysed(Path(name))
        assert facts.faces is not None and facts.faces.skipped is None, name
        assert [len(frame.faces) for frame in facts.faces.frames] == [1, 1], name
    assert decode.local_input(Path("a.mp4"))[:3] == ["-protocol_whitelist", "file", "-i"]


def test_the_time_an_analysis_may_take_is_planned_from_an_hour_at_most(staying: Path) -> None:
    """A header may claim any duration: the decode reads the first hour, and its time limit
    counts no more."""
    facts = probe_file(staying, staying.name)
    assert isinstance(facts.media, VideoFacts)
    hour = replace(facts, media=replace(facts.media, duration_s=decode.ANALYSED_S_MAX))
    years = replace(facts, media=replace(facts.media, duration_s=1e9))
    assert content.seconds(Item(staying, years, True)) == content.seconds(Item(staying, hour, True))

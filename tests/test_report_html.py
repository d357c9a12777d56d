"""The visual report (`--format html`, `--report html:PATH`): previews made by the probe from
real files (frames as displayed, photos upright, WAV envelopes), a page that escapes every name
and fetches nothing, and, in a real headless Chromium, a page that renders, makes no network
request and shows its thumbnails."""

from __future__ import annotations

import json
import math
import re
import struct
import threading
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import replace
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pytest
from helpers import speech
from helpers.browser import chromium, find_chromium, screenshot
from helpers.media import make_photo, make_video, make_zip, run_ffmpeg
from helpers.media_faces import face_photo
from helpers.media_photo import make_png_header
from runner import invoke

from preflight.engine import run
from preflight.probe import probe_file
from preflight.probe.preview import (
    COLUMNS,
    FRAME_BOX,
    FRAMES,
    Picture,
    Preview,
    Waveform,
    preview_file,
)
from preflight.report import FileReport, Report, RequestReport
from preflight.reporters.html import CSP, render
from preflight.settings import Settings

HOSTILE = '<script>alert(1)<script> x" src="http:a'  # a file name: no slash


def tone_wav(seconds: float, rate: int, amplitude: float, silent_first: float = 0.0) -> bytes:
    """A 16-bit mono WAV: `silent_first` seconds of silence, then a 440 Hz tone."""
    samples = [
        0
        if i < silent_first * rate
        else round(amplitude * 32767 * math.sin(2 * math.pi * 440 * i / rate))
        for i in range(int(seconds * rate))
    ]
    data = struct.pack(f"<{len(samples)}h", *samples)
    body = b"WAVE" + b"fmt " + struct.pack("<IHHIIHH", 16, 1, 1, rate, rate * 2, 2, 16)
    body += b"data" + struct.pack("<I", len(data)) + data
    return b"RIFF" + struct.pack("<I", len(body)) + body


def pattern_video(path: Path, width: int, height: int, seconds: float = 2.0) -> Path:
    """A video of moving colour bars (every frame differs from a blank one)."""
    run_ffmpeg(
        *("-f", "lavfi", "-i", f"testsrc2=size={width}x{height}:rate=25", "-t", str(seconds)),
        *("-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", str(path)),
    )
    return path


@pytest.fixture(scope="module")
def tree(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Requests for each kind of preview: a video (and a WAV driver), a photo, a voice zip; a
    file name and a zip entry name that try to break out of the page."""
    root = tmp_path_factory.mktemp("html")
    video = root / "video"
    video.mkdir()
    pattern_video(video / f"{HOSTILE}.mp4", 640, 360)
    (video / "drive.wav").write_bytes(tone_wav(1.0, 24000, 0.5))
    (video / "request.toml").write_text(
        'AnchorName = "Lin"\nMakeType = "IMAGE_GENERAL"\nSexType = "FEMALE"\n'
        f'MaterialCosUrl = {json.dumps(HOSTILE + ".mp4")}\nVoiceDriverCosFile = "drive.wav"\n',
        encoding="utf-8",
    )
    photo = root / "photo"
    photo.mkdir()
    make_photo(photo / "lin_photo.jpg", width=400, height=300, orientation=6)
    (photo / "request.toml").write_text(
        'AnchorName = "Lin2"\nMakeType = "IMAGE_PHOTO"\nSexType = "FEMALE"\n'
        'MaterialCosUrl = "lin_photo.jpg"\n',
        encoding="utf-8",
    )
    voice = root / "voice"
    voice.mkdir()
    make_zip(voice / "voice.zip", {"<b>take</b>.wav": tone_wav(2.0, 24000, 0.5, 1.0)})
    (voice / "request.toml").write_text(
        'AnchorName = "Lin3"\nMakeType = "VOICE"\nSexType = "FEMALE"\n'
        'MaterialCosUrl = "voice.zip"\n',
        encoding="utf-8",
    )
    return root


@pytest.fixture(scope="module")
def report(tree: Path) -> Report:
    return run(Settings(paths=(Path("."),), cwd=tree, previews=True, jobs=1))


@pytest.fixture(scope="module")
def page(report: Report, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("page") / "report.html"
    path.write_text(render(report), encoding="utf-8")
    return path


def _preview(report: Report, ending: str) -> Preview:
    return next(p for name, p in report.previews.items() if name.endswith(ending))


def test_video_frames_spread_over_the_video_as_displayed(report: Report, tmp_path: Path) -> None:
    frames = _preview(report, ".mp4").pictures
    assert len(frames) == FRAMES
    assert [f.at_s for f in frames] == [0.25, 0.75, 1.25, 1.75]
    assert {(f.width, f.height) for f in frames} == {(FRAME_BOX, FRAME_BOX * 9 // 16)}
    rotated = make_video(tmp_path / "turned.mp4", width=320, height=180, rotation=90)
    turned = preview_file(rotated, probe_file(rotated, "turned.mp4")).pictures[0]
    assert (turned.width, turned.height) == (180, 320)  # portrait, as a player shows it
    wide = make_video(tmp_path / "hdv.mp4", width=1440, height=1080, sar="4/3")
    stretched = preview_file(wide, probe_file(wide, "hdv.mp4")).pictures[0]
    assert (stretched.width, stretched.height) == (320, 180)  # anamorphic 1440×1080: 16:9


def test_photo_is_upright_and_fitted(report: Report) -> None:
    (photo,) = _preview(report, ".jpg").pictures
    assert (photo.width, photo.height) == (300, 400)  # EXIF orientation 6: stored 400×300
    assert photo.uri.startswith("data:image/jpeg;base64,")


def test_waveform_is_the_envelope_of_the_samples(report: Report) -> None:
    (zipped,) = _preview(report, ".zip").waveforms
    assert zipped.source == "<b>take</b>.wav"
    assert (zipped.duration_s, zipped.drawn_s, len(zipped.peaks)) == (2.0, 2.0, COLUMNS)
    assert not zipped.cut
    silent, tone = zipped.peaks[: COLUMNS // 2], zipped.peaks[COLUMNS // 2 :]
    assert all(low == high == 0.0 for low, high in silent)
    assert all(-0.51 < low < -0.45 and 0.45 < high < 0.51 for low, high in tone)
    (loose,) = _preview(report, "drive.wav").waveforms
    assert loose.source == "" and max(high for _, high in loose.peaks) == pytest.approx(0.5, 0.02)


def test_waveform_of_fewer_samples_than_columns(tmp_path: Path) -> None:
    """Each sample in its own column (sample i of n in column i × COLUMNS // n), the columns
    between them left empty."""
    wav = tmp_path / "three.wav"
    wav.write_bytes(tone_wav(3 / 8000, 8000, 0.9))  # samples 0, sin(55°)·0.9, sin(110°)·0.9
    (waveform,) = preview_file(wav, probe_file(wav, wav.name)).waveforms
    drawn = {x: peak for x, peak in enumerate(waveform.peaks) if peak != (0.0, 0.0)}
    assert sorted(drawn) == [COLUMNS // 3, 2 * COLUMNS // 3]
    assert drawn[COLUMNS // 3][0] == drawn[COLUMNS // 3][1] == pytest.approx(0.9 * 0.3387, 1e-3)


def test_a_stopped_run_ends_the_work_at_once(report: Report, tree: Path) -> None:
    """An interrupted run sets the stop: no ffmpeg is left running, no audio read on."""
    stop = threading.Event()
    stop.set()
    video = next(tree.glob("video/*.mp4"))
    assert preview_file(video, probe_file(video, video.name), stop).pictures == ()
    zipped = tree / "voice" / "voice.zip"
    (waveform,) = preview_file(zipped, probe_file(zipped, zipped.name), stop).waveforms
    assert waveform.drawn_s == 0.0 and waveform.cut  # the page says the rest was not read


def test_a_damaged_member_is_said_and_the_others_drawn(tmp_path: Path) -> None:
    """A member whose data fails its CRC past the head the probe checks: its waveform is
    missing and the preview says why; the next member is drawn."""
    bad = tone_wav(2.0, 24000, 0.5)
    archive = make_zip(
        tmp_path / "voice.zip",
        {"bad.wav": bad, "good.wav": tone_wav(1.0, 24000, 0.5)},
        compression=zipfile.ZIP_STORED,
    )
    data = bytearray(archive.read_bytes())
    data[data.find(bad) + len(bad) - 1000] ^= 0xFF  # a sample near its end, stored as it is
    archive.write_bytes(bytes(data))
    preview = preview_file(archive, probe_file(archive, archive.name))
    assert [w.source for w in preview.waveforms] == ["good.wav"]
    assert (
        preview.problem
        == "no waveform of bad.wav (the zip's data is damaged (a CRC check failed, or a header))"
    )


@pytest.mark.parametrize(
    ("make", "why"),
    [
        (lambda p: make_png_header(p / "bomb.png", 60000, 60000), "too many pixels"),
        (lambda p: make_png_header(p / "big.png", 9000, 9000), "too many to decode"),
        (lambda p: make_png_header(p / "cut.png", 64, 64), "cannot be decoded"),
    ],
)
def test_a_photo_that_cannot_be_shown_says_why(
    tmp_path: Path, make: Callable[[Path], Path], why: str
) -> None:
    """A decompression bomb's header, a photo too large to decode, one cut short: a note in
    the page, never a crash."""
    photo = make(tmp_path)
    preview = preview_file(photo, probe_file(photo, photo.name))
    assert preview.pictures == () and preview.problem and why in preview.problem


def test_a_name_with_control_characters_keeps_its_picture(tmp_path: Path) -> None:
    """A name a terminal would act on is shown escaped (the page may be printed), and its
    picture is still found under it."""
    name = "lin\x1b[31m_photo.jpg"
    make_photo(tmp_path / name, width=160, height=90)
    (tmp_path / "request.toml").write_text(
        'AnchorName = "Lin"\nMakeType = "IMAGE_PHOTO"\nSexType = "FEMALE"\n'
        f"MaterialCosUrl = {json.dumps(name)}\n",
        encoding="utf-8",
    )
    page = render(run(Settings(paths=(Path("."),), cwd=tmp_path, previews=True, jobs=1)))
    assert "\x1b" not in page and "lin\\x1b[31m_photo.jpg" in page
    assert page.count("data:image/jpeg;base64,") == 1


def test_previews_only_when_asked(tree: Path) -> None:
    assert run(Settings(paths=(Path("."),), cwd=tree, jobs=1)).previews == {}


def test_page_is_self_contained_and_escapes_names(page: Path, report: Report) -> None:
    text = page.read_text(encoding="utf-8")
    assert f'<meta http-equiv="Content-Security-Policy" content="{CSP}">' in text
    assert "<script" not in text and "<b>take" not in text
    assert "&lt;script&gt;alert(1)&lt;script&gt; x&quot; src=&quot;http:a.mp4" in text
    assert "&lt;b&gt;take&lt;/b&gt;.wav" in text
    tags = _Tags()
    tags.feed(text)
    assert "script" not in tags.names and "link" not in tags.names
    links = [value or "" for name, value in tags.attributes if name in ("src", "href")]
    assert links and all(link.startswith("data:image/jpeg;base64,") for link in links)
    assert not re.search(r"url\(|@import", text)  # no style that fetches
    assert text.count('<svg class="wave"') == 2 and text.count('class="frames"') == 1
    assert len(text.encode()) < 400_000  # 4 frames, a photo and two waveforms


class _Tags(HTMLParser):
    """The tags of a page and their attributes, as a browser's parser reads them."""

    def __init__(self) -> None:
        super().__init__()
        self.names: set[str] = set()
        self.attributes: list[tuple[str, str | None]] = []
        self.elements: list[tuple[str, dict[str, str]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.names.add(tag)
        self.attributes += attrs
        self.elements.append((tag, {k: v or "" for k, v in attrs}))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)


@pytest.fixture(scope="module")
def analysed(tmp_path_factory: pytest.TempPathFactory) -> str:
    """The page of a photo of a face and a voice zip of loud speech after a long silence, their
    content analysed as a run does by default."""
    from preflight.probe import faces

    if not faces.available():
        pytest.skip("face analysis unavailable: OpenCV is not installed (preflight[faces])")
    root = tmp_path_factory.mktemp("analysed")
    face_photo(root / "lin_face.jpg", size=(800, 600), faces=((250, 100, 300),), orientation=6)
    loud = speech.clipped()
    silence = np.zeros(2 * speech.RATE)
    make_zip(root / "voice.zip", {"take01.wav": speech.wav(np.concatenate((silence, loud)))})
    for name, make_type, material in (
        ("photo", "IMAGE_PHOTO", "lin_face.jpg"),
        ("voice", "VOICE", "voice.zip"),
    ):
        (root / f"{name}.request.toml").write_text(
            f'AnchorName = "Lin_{name}"\nMakeType = "{make_type}"\nSexType = "FEMALE"\n'
            f'MaterialCosUrl = "{material}"\n',
            encoding="utf-8",
        )
    return render(run(Settings(paths=(Path("."),), cwd=root, previews=True, jobs=1)))


def _shapes(page: str, kind: str, shape: str = "rect") -> list[dict[str, float]]:
    tags = _Tags()
    tags.feed(page)
    return [
        {k: float(v) for k, v in attrs.items() if k in ("x", "y", "width", "height", "x1")}
        for name, attrs in tags.elements
        if name == shape and attrs.get("class") == kind
    ]


def test_face_box_over_the_photo_where_face_analysis_ran(analysed: str) -> None:
    """The portrait pasted at (250, 100), 300 pixels wide, in the photo as displayed (stored
    turned, EXIF orientation 6): the face's box drawn within it, in displayed pixels."""
    (box,) = _shapes(analysed, "face")
    assert box["x"] >= 250 - 10 and box["x"] + box["width"] <= 550 + 10
    assert box["y"] >= 100 - 10 and box["y"] + box["height"] <= 400 + 10
    assert box["width"] > 60


def test_silence_and_clipping_over_the_waveform_where_speech_analysis_ran(
    analysed: str,
) -> None:
    """Two seconds of silence, then speech clipped throughout: the first third of the
    columns shaded, red marks after it."""
    duration = 2 + len(speech.samples()) / speech.RATE
    silent = _shapes(analysed, "silent")
    assert silent[0]["x"] == 0 and silent[0]["width"] == pytest.approx(
        COLUMNS * 2.25 / duration, abs=COLUMNS * 0.05 / duration
    )  # the speech itself starts a quarter second in
    clipped = _shapes(analysed, "clipped", "line")
    assert clipped and all(mark["x1"] > COLUMNS * 2 / duration for mark in clipped)


def test_size_is_bounded_by_the_previews() -> None:
    """A page of many requests grows by their findings and previews only: no copy per
    request of anything shared (the style sheet is written once)."""
    picture = Picture("data:image/jpeg;base64," + "A" * 1000, 320, 180, 1.0)
    wave = Waveform("a.wav", 1.0, ((-0.5, 0.5),) * COLUMNS, 1.0)
    requests = tuple(
        RequestReport(f"r{i}/request.toml", {"Header": {}, "Payload": {}}, (), ())
        for i in range(200)
    )
    files = tuple(
        RequestReport(
            f"f{i}/request.toml",
            {"Header": {}, "Payload": {}},
            (FileReport("MaterialCosUrl", f"f{i}/v.mp4", "video", {}),),
            (),
        )
        for i in range(10)
    )
    previews = {f"f{i}/v.mp4": Preview((picture,) * 4, (wave,)) for i in range(10)}
    empty = len(render(Report("1", requests)))
    full = len(render(Report("1", requests + files, previews=previews)))
    assert empty < 200 * 600 + 10_000
    assert full - empty < 10 * (4 * 1200 + COLUMNS * 30 + 2000)


def test_cli_html_to_stdout_and_report(tree: Path, tmp_path: Path) -> None:
    code, out = invoke("check", "--format", "html", ".", cwd=tree)
    assert code == 1 and out.startswith("<!DOCTYPE html>") and "data:image/jpeg" in out
    target = tmp_path / "report.html"
    code, text = invoke("check", "--report", f"html:{target}", ".", cwd=tree)
    assert code == 1 and "FAIL" in text  # the text report on stdout, the page beside it
    written = target.read_text(encoding="utf-8")
    assert "data:image/jpeg" in written and written.count('<section class="item') == 3


# A real browser: installed from the distribution's packages when missing (as root with apt).


@pytest.fixture(scope="module")
def browser() -> Iterator[str]:
    found, why = find_chromium(install=True)
    if found is None:
        pytest.skip(f"headless Chromium unavailable: {why}")
    yield found


def test_chromium_renders_the_verdicts(browser: str, page: Path) -> None:
    done = chromium(browser, page, "--dump-dom")
    assert done.returncode == 0, done.stderr[-2000:]
    assert re.findall(r'<span class="verdict">(\w+)</span>', done.stdout) == ["FAIL"] * 3
    assert "lin_photo.jpg" in done.stdout and "<svg" in done.stdout


def _page_requests(browser: str, page: Path, log: Path) -> list[str]:
    """What the page asked the network for, from Chromium's own network log (the browser's
    own traffic, updates and sign-in, has another isolation key than a file:// page)."""
    done = chromium(browser, page, f"--log-net-log={log}", "--dump-dom")
    assert done.returncode == 0, done.stderr[-2000:]
    events = json.loads(log.read_text(encoding="utf-8"))["events"]
    return [
        e["params"]["url"]
        for e in events
        if "url" in e.get("params", {})
        and str(e["params"].get("network_isolation_key", "")).startswith("file://")
        and not e["params"]["url"].startswith(("file:", "data:"))
    ]


def test_chromium_makes_no_network_request(browser: str, page: Path, tmp_path: Path) -> None:
    assert _page_requests(browser, page, tmp_path / "page.json") == []
    fetching = tmp_path / "fetching.html"  # the check sees a page that does fetch
    fetching.write_text('<img src="http://127.0.0.1:9/x.png">', encoding="utf-8")
    assert "http://127.0.0.1:9/x.png" in _page_requests(browser, fetching, tmp_path / "f.json")


def _saturated(shot: Path) -> int:
    """Pixels of strong colour: the page's own are a few badges and lines."""
    import numpy as np
    from PIL import Image

    with Image.open(shot) as image:
        pixels = np.asarray(image.convert("RGB"), dtype=np.int16)
    return int((np.ptp(pixels, axis=2) > 120).sum())


def test_chromium_screenshot_shows_the_thumbnails(
    browser: str, report: Report, page: Path, tmp_path: Path
) -> None:
    blank = tmp_path / "blank.html"  # the same page without the video's frames
    others = {name: p for name, p in report.previews.items() if not name.endswith(".mp4")}
    blank.write_text(render(replace(report, previews=others)), encoding="utf-8")
    screenshot(browser, page, tmp_path / "page.png", height=4000)  # the whole page
    screenshot(browser, blank, tmp_path / "blank.png", height=4000)
    # four frames of colour bars, 240 × 135 pixels each as the page shows them: 129 600
    assert _saturated(tmp_path / "page.png") - _saturated(tmp_path / "blank.png") > 100_000

"""Git LFS pointers: never read as media, but the size they record meets the size rules, so
a CI job that did not fetch LFS content still catches a file that is too big."""

from __future__ import annotations

from pathlib import Path

import pytest
from runner import report_of

from preflight.limits import GB, MB

POINTER = "version https://git-lfs.github.com/spec/v1\noid sha256:{oid}\nsize {size}\n"


def pointer(path: Path, size: int) -> Path:
    path.write_text(POINTER.format(oid="ab" * 32, size=size), encoding="ascii")
    return path


def request(folder: Path, make_type: str, **files: str) -> None:
    lines = ['AnchorName = "Lin"', f'MakeType = "{make_type}"', 'SexType = "FEMALE"']
    lines += [f'{field} = "{name}"' for field, name in files.items()]
    (folder / "request.toml").write_text("\n".join(lines) + "\n", encoding="utf-8")


def findings(report: dict[str, object], rule: str) -> list[dict[str, object]]:
    (checked,) = report["requests"]  # type: ignore[misc]
    return [f for f in checked["findings"] if f["rule"] == rule]


@pytest.mark.parametrize(
    ("make_type", "field", "name", "size", "rule"),
    [
        ("IMAGE", "MaterialCosUrl", "lin.mp4", 12 * GB, "video.size"),
        ("IMAGE_4K", "MaterialCosUrl", "lin.mov", 11 * GB, "video.size"),
        ("VOICE", "MaterialCosUrl", "voice.zip", 2 * GB, "zip.total-size"),
        ("IMAGE_PHOTO", "MaterialCosUrl", "lin.jpg", 20 * MB, "photo.size"),
        ("IMAGE", "VoiceDriverCosFile", "demo.mp3", 11 * MB, "driver.size"),
    ],
)
def test_recorded_size_over_the_limit_fails(
    tmp_path: Path, make_type: str, field: str, name: str, size: int, rule: str
) -> None:
    pointer(tmp_path / name, size)
    request(tmp_path, make_type, **{field: name})
    code, report = report_of(str(tmp_path))
    assert code == 1
    (pointed,) = findings(report, "file.lfs-pointer")
    assert pointed["actual"] == size and "git lfs pull" in str(pointed["hint"])
    (too_big,) = findings(report, rule)
    assert too_big["actual"] == size and too_big["path"] == str(tmp_path / name)


@pytest.mark.parametrize(
    ("make_type", "name", "size"),
    [
        ("IMAGE", "lin.mp4", 10 * GB),  # the resolution is unknown: only a sure failure fires
        ("VOICE", "voice.zip", GB),
        ("IMAGE_PHOTO", "lin.jpg", 16 * MB),
    ],
)
def test_recorded_size_within_the_limit_is_only_a_pointer(
    tmp_path: Path, make_type: str, name: str, size: int
) -> None:
    pointer(tmp_path / name, size)
    request(tmp_path, make_type, MaterialCosUrl=name)
    _, report = report_of(str(tmp_path))
    (checked,) = report["requests"]
    assert [f["rule"] for f in checked["findings"] if f["path"] == str(tmp_path / name)] == [
        "file.lfs-pointer"
    ]


def test_a_ci_job_without_lfs_content_can_downgrade_pointers(tmp_path: Path) -> None:
    (tmp_path / ".preflight.toml").write_text('[rules]\n"file.lfs-pointer" = "warning"\n')
    pointer(tmp_path / "lin.jpg", 2 * MB)
    request(tmp_path, "IMAGE_PHOTO", MaterialCosUrl="lin.jpg")
    code, report = report_of(str(tmp_path))
    assert code == 0
    assert [f["severity"] for f in findings(report, "file.lfs-pointer")] == ["warning"]
    pointer(tmp_path / "lin.jpg", 20 * MB)  # a size over the limit still fails
    code, report = report_of(str(tmp_path))
    assert code == 1 and findings(report, "photo.size")


def test_a_pointer_is_never_read_as_media(tmp_path: Path) -> None:
    pointer(tmp_path / "lin.mp4", 100 * MB)
    request(tmp_path, "IMAGE", MaterialCosUrl="lin.mp4")
    _, report = report_of(str(tmp_path))
    (checked,) = report["requests"]
    (file,) = checked["files"]
    assert file["kind"] is None
    assert file["facts"]["lfs_pointer"]["size"] == 100 * MB
    assert not [f for f in checked["findings"] if f["rule"].startswith("video.")]

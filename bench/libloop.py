"""The probing libraries alone, in one process: for every media file under a folder, the library
calls preflight's probe makes (preflight/probe/*.py), timed in-process. Prints JSON:
{"imports_ms", "loop_ms", "files"}. Scenario 4 compares preflight's whole runs with loop_ms.

Usage: python bench/libloop.py FOLDER
"""

from __future__ import annotations

import io
import json
import sys
import time
import zipfile
from pathlib import Path

HEAD_MAX = 64 * 1024  # preflight.probe.archive.HEAD_MAX: a member's head, all it reads


def main(folder: Path) -> None:
    files = sorted(p for p in folder.rglob("*") if p.suffix in _PROBES)
    start = time.perf_counter()
    import soundfile  # noqa: F401  (the libraries preflight loads for these files)
    from PIL import JpegImagePlugin  # noqa: F401
    from pymediainfo import MediaInfo  # noqa: F401

    imported = time.perf_counter()
    for path in files:
        _PROBES[path.suffix](path)
    done = time.perf_counter()
    result = {
        "imports_ms": (imported - start) * 1000,
        "loop_ms": (done - imported) * 1000,
        "files": len(files),
    }
    print(json.dumps(result))


def _video(path: Path) -> None:
    """probe/media.py: libmediainfo at parse speed 0."""
    from pymediainfo import MediaInfo

    info = MediaInfo.parse(str(path), parse_speed=0)
    _ = info.general_tracks, info.video_tracks, info.audio_tracks


def _zip(path: Path) -> None:
    """probe/archive.py: the central directory, then each member's head to libsndfile."""
    import soundfile

    with zipfile.ZipFile(path) as archive:
        for info in archive.infolist():
            with archive.open(info) as member:
                head = member.read(HEAD_MAX)
            with soundfile.SoundFile(io.BytesIO(head)) as sound:
                _ = sound.samplerate, sound.channels, sound.subtype, sound.frames


def _photo(path: Path) -> None:
    """probe/image.py: Pillow's JPEG plugin reads the header, never the pixels."""
    from PIL import JpegImagePlugin

    with path.open("rb") as stream:
        image = JpegImagePlugin.JpegImageFile(stream)
        _ = image.size
        image.close()


_PROBES = {".mp4": _video, ".mov": _video, ".zip": _zip, ".jpg": _photo}

if __name__ == "__main__":
    main(Path(sys.argv[1]))

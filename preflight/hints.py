"""Fix commands for findings, built with ffmpeg-python so that they are valid ffmpeg calls.

A hint is a shell command the producer can paste. An ffmpeg hint writes a new file beside
the input and never overwrites it; a rename hint (`mv`) renames the file it names.
"""

from __future__ import annotations

import shlex
from pathlib import PurePosixPath
from typing import Any


def ffmpeg_command(
    source: str, target: str, *, before: dict[str, Any] | None = None, **output: Any
) -> str:
    """`ffmpeg -i SOURCE [output options] TARGET`, quoted for a POSIX shell."""
    import ffmpeg  # lazy: only a failing finding pays for it

    stream = ffmpeg.input(source, **(before or {})).output(target, **output)
    return shlex.join(stream.compile(cmd="ffmpeg"))


def sibling(path: str, tag: str = "", extension: str | None = None) -> str:
    """A new file name beside `path`: `clip.mov` → `clip-25fps.mp4`, never `path` itself."""
    pure = PurePosixPath(path)
    suffix = f".{extension}" if extension else pure.suffix
    name = f"{pure.stem}{'-' + tag if tag else ''}{suffix}"
    if name == pure.name:
        name = f"{pure.stem}-fixed{suffix}"
    return str(pure.with_name(name))


def rename_command(path: str, new_name: str) -> str:
    return shlex.join(["mv", path, str(PurePosixPath(path).with_name(new_name))])

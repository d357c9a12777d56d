"""ANSI colour for the terminal reporters, without importing click at start-up."""

from __future__ import annotations

_NAMES = ("black", "red", "green", "yellow", "blue", "magenta", "cyan", "white")
_CODES = {name: 30 + n for n, name in enumerate(_NAMES)}
_CODES.update({f"bright_{name}": 90 + n for n, name in enumerate(_NAMES)})  # as click names them


def style(text: str, fg: str | None = None, bold: bool = False) -> str:
    codes = ([str(_CODES[fg])] if fg else []) + (["1"] if bold else [])
    return f"\033[{';'.join(codes)}m{text}\033[0m" if codes else text


def ljust(text: str, width: int) -> str:
    """`text` left-aligned in `width` terminal columns: a Chinese character takes two (`str.ljust`
    counts one, and columns of Chinese labels would not line up)."""
    if text.isascii():
        return text.ljust(width)
    from unicodedata import east_asian_width  # here: its tables cost an English run 1 ms

    columns = sum(2 if east_asian_width(c) in "WF" else 1 for c in text)
    return text + " " * max(width - columns, 0)

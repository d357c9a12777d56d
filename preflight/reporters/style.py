"""ANSI colour for the terminal reporters, without importing click at start-up."""

from __future__ import annotations

_NAMES = ("black", "red", "green", "yellow", "blue", "magenta", "cyan", "white")
_CODES = {name: 30 + n for n, name in enumerate(_NAMES)}
_CODES.update({f"bright_{name}": 90 + n for n, name in enumerate(_NAMES)})  # as click names them


def style(text: str, fg: str | None = None, bold: bool = False) -> str:
    codes = ([str(_CODES[fg])] if fg else []) + (["1"] if bold else [])
    return f"\033[{';'.join(codes)}m{text}\033[0m" if codes else text

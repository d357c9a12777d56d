"""The name charset of SPEC §1, as AnchorName, photo names and WAV names in a zip share it."""

from __future__ import annotations

from itertools import groupby

from preflight.limits import NAME_CHARSET


def outside_charset(text: str) -> list[str]:
    """The characters of `text` that the name charset does not allow, each once, in order."""
    return list(dict.fromkeys(c for c in text if not NAME_CHARSET.fullmatch(c)))


_DESCRIBED_MAX = 8


def describe_chars(chars: list[str]) -> str:
    """`a space, ',', U+0007`: characters a producer can recognise in a message."""
    words = [
        "a space" if c == " " else f"'{c}'" if c.isprintable() else f"U+{ord(c):04X}"
        for c in chars[:_DESCRIBED_MAX]
    ]
    more = len(chars) - _DESCRIBED_MAX
    return ", ".join(words) + (f" and {more} more" if more > 0 else "")


def clean_name(text: str, fallback: str) -> str:
    """The nearest valid name: each run of other characters becomes one '_'."""
    if text and not outside_charset(text):
        return text
    runs = groupby(text, key=lambda c: bool(NAME_CHARSET.fullmatch(c)))
    cleaned = "".join("".join(chars) if valid else "_" for valid, chars in runs)
    return cleaned.strip("_") or fallback


def split_name(name: str) -> tuple[str, str | None]:
    """`a.WAV` → (`a`, `WAV`); `a` → (`a`, None). Only the last dot separates."""
    stem, dot, extension = name.rpartition(".")
    return (stem, extension) if dot and stem else (name, None)

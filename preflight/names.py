"""Names: the charset of SPEC §1 (AnchorName, photo names and WAV names share it), and the
guess at a mistyped name."""

from __future__ import annotations

import re
from collections.abc import Iterable
from itertools import groupby

from preflight.i18n import _
from preflight.limits import in_name_charset


def outside_charset(text: str) -> list[str]:
    """The characters of `text` that the name charset does not allow, each once, in order."""
    return list(dict.fromkeys(c for c in text if not in_name_charset(c)))


_DESCRIBED_MAX = 8


def describe_chars(chars: list[str]) -> str:
    """`a space, ',', U+0007`: characters a producer can recognise in a message."""
    words = [
        _("a space") if c == " " else f"'{c}'" if c.isprintable() else f"U+{ord(c):04X}"
        for c in chars[:_DESCRIBED_MAX]
    ]
    more = len(chars) - _DESCRIBED_MAX
    listed = _(", ").join(words)
    return _("{listed} and {count} more").format(listed=listed, count=more) if more > 0 else listed


def clean_name(text: str, fallback: str) -> str:
    """The nearest valid name: each run of other characters becomes one '_'."""
    if text and not outside_charset(text):
        return text
    runs = groupby(text, key=in_name_charset)
    cleaned = "".join("".join(chars) if valid else "_" for valid, chars in runs)
    return cleaned.strip("_") or fallback


def split_name(name: str) -> tuple[str, str | None]:
    """`a.WAV` → (`a`, `WAV`); `a` → (`a`, None). Only the last dot separates."""
    stem, dot, extension = name.rpartition(".")
    return (stem, extension) if dot and stem else (name, None)


def did_you_mean(value: str, choices: Iterable[str]) -> str | None:
    """The choice `value` was probably meant to be: the same but for case, or a close one."""
    options = tuple(choices)
    for choice in options:
        if choice.lower() == value.lower():
            return choice
    import difflib  # here: a suggestion is rare, and its import costs every run a millisecond

    close = difflib.get_close_matches(value, options, n=1, cutoff=0.6)
    return close[0] if close else None


_SHOWN_MAX = 60
# What a CI runner reads as a workflow command: `::` at the start of a line, and (GitHub's
# runner still honours the old syntax) `##[` anywhere in one.
_COMMAND = re.compile(r"^::|##\[")


def printable(text: str) -> str:
    """Text from someone else's files, safe on a line of a terminal or a CI log: what is not
    printable (C0 and C1 controls, so ESC and every colour or cursor sequence; newlines;
    invisible format characters; the lone surrogates of a file name that is not UTF-8) as a
    Python escape (`\x1b`, `\n`, `\udcff`), and what a runner would read as a command broken
    by an escaped character (`\x3a:`, `#\x23[`). The one escaping of every text format."""
    if text.isprintable() and _COMMAND.search(text) is None:
        return text  # nearly every name: no copy, no walk through its characters
    safe = "".join(c if c.isprintable() else ascii(c)[1:-1] for c in text)
    return _COMMAND.sub(_broken, safe)


def _broken(match: re.Match[str]) -> str:
    return "\\x3a:" if match[0] == "::" else "#\\x23["


def shown(text: str) -> str:
    """A name from someone else's file, safe to print (see printable), a long one cut in the
    middle (a 64 KB zip entry name must not make a 64 KB message)."""
    safe = printable(text)
    if len(safe) <= _SHOWN_MAX:
        return safe
    return f"{safe[: _SHOWN_MAX - 20]}…{safe[-16:]}"

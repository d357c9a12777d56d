"""Where each key of a manifest is written, for findings that point at a field (line and
column, 1-based, columns in code points as SARIF's `unicodeCodePoints`), and syntax errors
told in words (translated where shown) at the line a person must edit. json and tomllib give
no positions: a small scan of the text that they have already parsed (so it meets only valid
input) finds them."""

from __future__ import annotations

import bisect
import json
import re

from preflight.i18n import N_

Position = tuple[int, int]  # line, column
KeyPath = tuple[str, ...]  # ("AnchorName",), or ("Payload", "AnchorName") in a body


def at(text: str, offset: int) -> Position:
    """The line and column of a character offset (of one error: see _Lines for many)."""
    return _Lines(text).at(offset)


class _Lines:
    """Where each line starts, found once: a manifest of 50 000 keys is placed in one pass."""

    def __init__(self, text: str) -> None:
        self.starts = [0, *(m.end() for m in re.finditer("\n", text))]

    def at(self, offset: int) -> Position:
        line = bisect.bisect_right(self.starts, offset)
        return line, offset - self.starts[line - 1] + 1


_JSON_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|[{}\[\],]', re.DOTALL)


def json_keys(text: str) -> dict[KeyPath, Position]:
    """The keys of the top-level object and of the objects directly in it."""
    found: dict[KeyPath, Position] = {}
    lines = _Lines(text)
    # per open bracket: the path of the object it opens (None: an array, or below one),
    # whether a string there now is a key, whether it is an object
    stack: list[tuple[KeyPath | None, bool, bool]] = []
    key: str | None = None  # the key whose value comes next
    for token in _JSON_TOKEN.finditer(text):  # strings and brackets: the rest is values
        char = token[0][0]
        if char == '"':
            path, is_key, _ = stack[-1] if stack else (None, False, False)
            if is_key:
                value = json.loads(token[0]) if "\\" in token[0] else token[0][1:-1]
                if path is not None and len(path) <= 1:
                    found.setdefault((*path, value), lines.at(token.start()))
                stack[-1], key = (path, False, True), value
        elif char == "{":
            parent = stack[-1][0] if stack else ()
            inner = None if parent is None else parent if not stack else (*parent, key or "")
            stack.append((inner, True, True))
        elif char == "[":
            stack.append((None, False, False))
        elif char in "}]":
            stack.pop()
        elif stack and stack[-1][2]:  # a comma in an object: a key comes next
            stack[-1] = (stack[-1][0], True, True)
    return found


_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")
_TABLE = re.compile(r"\[\s*([A-Za-z0-9_-]+|\"[^\"\n]*\"|'[^'\n]*')")


def toml_keys(text: str) -> dict[KeyPath, Position]:
    """The keys of the top-level table, and of tables named by a `[header]`; the first part
    of a dotted key. Strings (multi-line ones too), arrays and inline tables are passed over."""
    found: dict[KeyPath, Position] = {}
    lines = _Lines(text)
    table: KeyPath = ()
    index = 0
    while index < len(text):
        index = _skip_blank(text, index)
        if index >= len(text):
            break
        if text[index] == "[":
            match = _TABLE.match(text, index + (text.startswith("[[", index)))
            table = (_unquoted(match[1]),) if match else ("",)
            index = _line_end(text, index)
            continue
        key, end = _toml_key(text, index)
        if key is not None:
            found.setdefault((*table, key), lines.at(index))
        equals = text.find("=", end)
        index = _skip_value(text, equals + 1 if equals >= 0 else len(text))
    return found


def _skip_blank(text: str, index: int) -> int:
    while index < len(text):
        if text[index] in " \t\r\n":
            index += 1
        elif text[index] == "#":
            index = _line_end(text, index)
        else:
            break
    return index


def _line_end(text: str, index: int) -> int:
    end = text.find("\n", index)
    return len(text) if end < 0 else end + 1


def _toml_key(text: str, index: int) -> tuple[str | None, int]:
    if text[index] in "\"'":
        end = text.find(text[index], index + 1)
        while text[index] == '"' and end > 0 and text[end - 1] == "\\":
            end = text.find('"', end + 1)
        if end < 0:
            return None, len(text)
        return _unquoted(text[index : end + 1]), end + 1
    match = _BARE_KEY.match(text, index)
    return (match[0], match.end()) if match else (None, index + 1)


def _unquoted(key: str) -> str:
    if key.startswith('"'):
        try:
            return str(json.loads(key))
        except ValueError:
            return key[1:-1]
    return key.strip("'")


def _skip_value(text: str, index: int) -> int:
    """The offset after a value: at the end of its line, outside strings and brackets."""
    depth = 0
    while index < len(text):
        char = text[index]
        if text.startswith(('"""', "'''"), index):
            quote = text[index : index + 3]
            end = index + 3
            while True:
                end = text.find(quote, end)
                if end < 0 or quote == "'''" or _escapes(text, end) % 2 == 0:
                    break
                end += 1
            index = len(text) if end < 0 else end + 3
            while text.startswith(quote[0], index):  # up to two quotes may end the string
                index += 1
            continue
        if char in "\"'":
            end = index + 1
            while end < len(text) and text[end] not in (char, "\n"):
                end += 2 if char == '"' and text[end] == "\\" else 1
            index = end + 1
            continue
        if char in "[{":
            depth += 1
        elif char in "]}":
            depth -= 1
        elif char == "#":
            index = _line_end(text, index) - 1
            if depth <= 0:
                return index + 1
        elif char == "\n" and depth <= 0:
            return index + 1
        index += 1
    return index


def _escapes(text: str, index: int) -> int:
    """How many backslashes stand right before `index`."""
    count = 0
    while index - count - 1 >= 0 and text[index - count - 1] == "\\":
        count += 1
    return count


# json's messages, as a producer reads them: what is wrong, and how to write it
_JSON_WORDS = {
    "Expecting property name enclosed in double quotes": N_(
        'a key is not in double quotes (JSON writes "AnchorName": …, never single quotes or a '
        "bare name)"
    ),
    "Expecting ',' delimiter": N_("a comma is missing between two entries"),
    "Expecting ':' delimiter": N_("a colon is missing after a key"),
    "Expecting value": N_(
        "a value is missing or is not JSON (text in double quotes; true, false and null in "
        "lower case)"
    ),
    "Unterminated string starting at": N_(
        "a string is not closed: its ending double quote is missing"
    ),
    "Invalid control character at": N_("a string holds a line break or a tab: write \\n or \\t"),
    "Invalid \\escape": N_(
        "a backslash in a string starts no escape: write a Windows path with / (or double each "
        "backslash)"
    ),
    "Invalid \\uXXXX escape": N_("a \\u escape needs four hexadecimal digits"),
    "Extra data": N_("something follows the end of the JSON object"),
}


def json_error(text: str, error: json.JSONDecodeError) -> tuple[str, Position]:
    """A JSON syntax error in words, at the character to edit: a trailing comma (JSON allows
    none, and json reports the bracket after it) is named at the comma."""
    before = len(text[: error.pos].rstrip())
    if before and text[before - 1] == "," and text[error.pos : error.pos + 1] in ("}", "]"):
        words = N_("a trailing comma after the last entry: JSON allows none, remove it")
        return words, at(text, before - 1)
    if error.msg == "Expecting ',' delimiter":  # the comma belongs after the previous value
        return _JSON_WORDS[error.msg], at(text, before)
    return _JSON_WORDS.get(error.msg, error.msg), (error.lineno, error.colno)


_TOML_AT = re.compile(
    r"^(?P<msg>.*?)\s*\(at (?:line (?P<line>\d+), column (?P<col>\d+)|end of document)\)$"
)
_BACKSLASH = N_(
    "a backslash in a \"string\" starts an escape: write a Windows path in 'single quotes' or "
    "with /"
)
_TOML_WORDS = {
    "Invalid value": N_(
        'a value is not TOML: text needs quotes (AnchorName = "Lin"), true and false are lower case'
    ),
    "Invalid statement": N_("a line is not `key = value`"),
    "Expected '=' after a key in a key/value pair": N_(
        'a key is not followed by `=` (a name with spaces needs quotes: "My Key" = …)'
    ),
    "Unescaped '\\' in a string": _BACKSLASH,
    "Invalid hex value": _BACKSLASH,
    "Unrecognized escape sequence": _BACKSLASH,
    "Cannot overwrite a value": N_("a key is written twice"),
    "Unclosed array": N_("an array is not closed: a ] is missing"),
    "Unterminated string": N_("a string is not closed: its ending quote is missing"),
}


def toml_error(text: str, message: str) -> tuple[str, Position | None]:
    """A tomllib message in words, and the position it names (the end of the text for "at end
    of document")."""
    match = _TOML_AT.match(message)
    if match is None:
        return message, None
    said = match["msg"]
    words = next((w for start, w in _TOML_WORDS.items() if said.startswith(start)), said)
    if match["line"] is None:
        return words, at(text, len(text.rstrip()))
    return words, (int(match["line"]), int(match["col"]))

"""Messages in English and Simplified Chinese, with the standard library's gettext.

Source texts are English and are the message IDs; the Chinese texts live in
preflight/locale/zh_CN/LC_MESSAGES/preflight.po, compiled to the .mo beside it that the wheel
ships (`python -m preflight.translations` extracts, merges and compiles, with Babel, a dev
dependency). The language is chosen once at start-up (`preflight.entry`): `--lang`, else the
locale (LC_ALL, LC_MESSAGES, LANG); the `lang` setting of a configuration may change it before
the report is built. As a library, preflight speaks English until `set_language` is called.

A message with values is written whole, `_("{size} is over {limit}").format(size=…, limit=…)`,
so that the translator sees the sentence; texts computed at import (the rules' summaries and
limits) are translated where they are shown, `_(rule.summary)`.
"""

from __future__ import annotations

import contextlib
import gettext
import os
import sys
from collections.abc import Mapping, Sequence
from typing import Literal

Language = Literal["en", "zh"]
LANGUAGES: tuple[Language, ...] = ("en", "zh")
DOMAIN = "preflight"
# os.path, not pathlib: `preflight rules` loads this module, and its start-up is the cost.
LOCALE_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "locale")
CATALOGS: dict[Language, str] = {"zh": "zh_CN"}  # the locale folder of each translated language

_translations: gettext.NullTranslations = gettext.NullTranslations()
_language: Language = "en"


def set_language(language: Language) -> None:
    global _translations, _language
    if language == _language:
        return
    _translations = gettext.NullTranslations()
    catalog = CATALOGS.get(language)
    if catalog is not None:
        # The .mo opened directly: gettext.translation's search of the locale's names costs
        # ten times more (`preflight rules` runs in editors and hooks). A checkout whose
        # catalog was never compiled speaks English rather than failing to start.
        with contextlib.suppress(OSError), open(_compiled(catalog), "rb") as stream:
            _translations = gettext.GNUTranslations(stream)
    _language = language


def _compiled(catalog: str) -> str:
    return os.path.join(LOCALE_DIR, catalog, "LC_MESSAGES", f"{DOMAIN}.mo")


def language() -> Language:
    return _language


def _(message: str) -> str:
    """The message in the current language (itself when it has no translation)."""
    return _translations.gettext(message)


def N_(message: str) -> str:  # noqa: N802 (gettext's own name for it)
    """Marks a text for extraction that is translated later, where it is shown."""
    return message


def counted(count: int, singular: str, plural: str) -> str:
    """`ngettext`, with the count put in `{n}` (other fields stay, for the caller to fill)."""
    return _translations.ngettext(singular, plural, count).replace("{n}", str(count))


def from_locale(environ: Mapping[str, str] = os.environ) -> Language:
    """The language of the locale: POSIX's order (the first of LC_ALL, LC_MESSAGES, LANG that
    is set decides); on Windows, where they are seldom set, the user's locale."""
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = environ.get(name)
        if value:
            return "zh" if value.lower().startswith("zh") else "en"
    if sys.platform == "win32":
        import locale

        name = (locale.getlocale()[0] or "").lower()
        return "zh" if name.startswith(("zh", "chinese")) else "en"
    return "en"


def from_arguments(args: Sequence[str]) -> Language | None:
    """The `--lang` of a command line (`--lang zh`, `--lang=zh`), read before click parses it
    so that the help texts are in that language too; None when it is absent or not one."""
    for index, arg in enumerate(args):
        if arg == "--":
            break
        value = None
        if arg == "--lang" and index + 1 < len(args):
            value = args[index + 1]
        elif arg.startswith("--lang="):
            value = arg.partition("=")[2]
        for language in LANGUAGES:
            if value == language:
                return language
    return None

"""The message catalogs, kept with Babel (a dev dependency; preflight.i18n reads the compiled
catalogs with the standard library alone).

    python -m preflight.translations    # extract, merge into the .po, compile the .mo

Extraction reads `_()`, `N_()` and `counted()` in the package's sources, and the rules'
summaries and limits from preflight.rules (texts computed at import, translated where they are
shown). A new message arrives in preflight.po with an empty msgstr: write its Chinese there and
run the command again to compile. A test fails while any message lacks a Chinese text, and
when the .mo is not the .po compiled.
"""

from __future__ import annotations

import io
import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

from preflight.i18n import CATALOGS, DOMAIN, LOCALE_DIR

PACKAGE = Path(__file__).resolve().parent
KEYWORDS = {"_": None, "N_": None, "counted": (2, 3)}
_PROJECT = "preflight"


def template() -> Catalog:
    """Every message of the sources, and every rule's summary and limit."""
    catalog = Catalog(project=_PROJECT, fuzzy=False)
    found = extract_from_dir(PACKAGE, keywords=KEYWORDS, comment_tags=("Translators:",))
    for filename, lineno, message, comments, context in found:
        place = f"preflight/{filename}"
        catalog.add(message, locations=[(place, lineno)], auto_comments=comments, context=context)
    from preflight.rules import FAMILIES

    for family in FAMILIES:
        place = f"preflight/rules/{Path(str(family.__file__)).name}"
        for rule in family.RULES:
            for part, text in (("summary", rule.summary), ("limit", rule.limit)):
                if text:
                    comment = f"the {part} of the rule {rule.id}"
                    catalog.add(text, locations=[(place, 0)], auto_comments=[comment])
    return catalog


def po_path(catalog: str) -> Path:
    return Path(LOCALE_DIR, catalog, "LC_MESSAGES", f"{DOMAIN}.po")


def read(path: Path, locale: str) -> Catalog:
    with path.open("rb") as stream:
        return read_po(stream, locale=locale, domain=DOMAIN)


def missing(catalog: Catalog, wanted: Catalog) -> list[str]:
    """The messages of `wanted` that `catalog` does not translate (absent, empty or fuzzy)."""
    gaps = []
    for message in wanted:
        if not message.id:
            continue  # the header
        have = catalog.get(message.id, message.context)
        strings = have.string if have is not None else ""
        texts = strings if isinstance(strings, tuple) else (strings,)
        if have is None or have.fuzzy or not all(texts):
            gaps.append(message.id if isinstance(message.id, str) else message.id[0])
    return gaps


def compiled(catalog: Catalog) -> bytes:
    stream = io.BytesIO()
    write_mo(stream, catalog)
    return stream.getvalue()


def translated(catalog: Catalog) -> dict[object, object]:
    """Message → translation, of the messages a compiled catalog holds (translated, not
    fuzzy): what the .po and the .mo must agree on (a .mo read back gives plurals as lists)."""

    def key(text: object) -> object:
        return tuple(text) if isinstance(text, list | tuple) else text

    return {key(m.id): key(m.string) for m in catalog if m.id and m.string and not m.fuzzy}


def update() -> list[str]:
    """Merge the sources' messages into each .po (dropping those no source has any more) and
    compile it; the messages still untranslated."""
    wanted = template()
    gaps = []
    for catalog_name in CATALOGS.values():
        path = po_path(catalog_name)
        catalog = read(path, catalog_name)
        wanted.creation_date = catalog.creation_date  # the header changes with the messages only
        catalog.update(wanted, no_fuzzy_matching=True)
        with path.open("wb") as stream:
            write_po(stream, catalog, width=100, ignore_obsolete=True, include_lineno=False)
        path.with_suffix(".mo").write_bytes(compiled(catalog))
        gaps += missing(catalog, wanted)
    return gaps


def main() -> None:
    gaps = update()
    for gap in gaps:
        sys.stdout.write(f"untranslated: {gap!r}\n")
    sys.stdout.write(f"{len(gaps)} messages untranslated in {', '.join(CATALOGS.values())}\n")


if __name__ == "__main__":
    main()

"""PDF head and tail → DocumentFacts: version and whether it is encrypted; a PDF cut short
(no %%EOF at its end) is refused."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from preflight.i18n import N_
from preflight.probe.facts import DocumentFacts, ProbeError

if TYPE_CHECKING:
    from pathlib import Path

HEAD_BYTES = 4096  # the header, and a linearized file's first trailer
TAIL_BYTES = 64 * 1024  # the last trailer, or the dictionary of a cross-reference stream
EOF_WINDOW = 1024  # "%%EOF" must be this close to the end
_VERSION = re.compile(rb"%PDF-(\d+\.\d+)")
_ENCRYPT = re.compile(rb"/Encrypt(?![A-Za-z])")  # the trailer key, not /EncryptMetadata


def probe_pdf(path: Path, size: int) -> DocumentFacts:
    with path.open("rb") as stream:
        head = stream.read(HEAD_BYTES)
        stream.seek(max(0, size - TAIL_BYTES))
        tail = stream.read(TAIL_BYTES)
    # Scanners and mailers pad some PDFs with NULs or blank lines after the marker.
    if b"%%EOF" not in tail.rstrip(b"\0 \t\r\n")[-EOF_WINDOW:]:
        raise ProbeError(N_("the PDF is cut short: no %%EOF marker at its end"))
    version = _VERSION.search(head[:1024])
    return DocumentFacts(
        version=version.group(1).decode("ascii") if version else None,
        encrypted=any(_ENCRYPT.search(part) for part in (head, tail)),
    )

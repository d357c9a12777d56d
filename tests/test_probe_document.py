"""probe_pdf: version and encryption from the head and tail of real PDFs; a cut one refused."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers.media import make_pdf

from preflight.probe import probe_file
from preflight.probe.document import TAIL_BYTES, probe_pdf
from preflight.probe.facts import DocumentFacts, ProbeError


def pdf_facts(path: Path) -> DocumentFacts:
    facts = probe_file(path, path.name)
    assert (facts.format, facts.kind, facts.problem) == ("pdf", "document", None)
    assert isinstance(facts.media, DocumentFacts)
    return facts.media


def test_a_whole_pdf(tmp_path: Path) -> None:
    assert pdf_facts(make_pdf(tmp_path / "letter.pdf")) == DocumentFacts("1.4", False)


def test_version_2(tmp_path: Path) -> None:
    path = make_pdf(tmp_path / "letter.pdf")
    path.write_bytes(path.read_bytes().replace(b"%PDF-1.4", b"%PDF-2.0", 1))
    assert pdf_facts(path).version == "2.0"


CUT_SHORT = "the PDF is cut short: no %%EOF marker at its end"


def test_truncated_pdf_is_refused(tmp_path: Path) -> None:
    path = make_pdf(tmp_path / "letter.pdf")
    data = path.read_bytes()
    path.write_bytes(data[: len(data) - 40])
    with pytest.raises(ProbeError, match=CUT_SHORT):
        probe_pdf(path, path.stat().st_size)
    facts = probe_file(path, path.name)
    assert (facts.format, facts.kind, facts.problem) == ("pdf", "document", CUT_SHORT)


def test_encrypted_pdf(tmp_path: Path) -> None:
    path = make_pdf(tmp_path / "letter.pdf")
    data = path.read_bytes().replace(b"/Root 1 0 R", b"/Root 1 0 R /Encrypt 4 0 R")
    path.write_bytes(data)
    assert pdf_facts(path) == DocumentFacts("1.4", True)


def test_encrypt_metadata_key_alone_is_not_encryption(tmp_path: Path) -> None:
    path = make_pdf(tmp_path / "letter.pdf")
    path.write_bytes(path.read_bytes().replace(b"/Root 1 0 R", b"/Root 1 0 R /EncryptMetadata"))
    assert pdf_facts(path).encrypted is False


def test_end_marker_far_from_the_end_does_not_count(tmp_path: Path) -> None:
    # A PDF cut inside a large object: an old %%EOF (incremental update) is 2 KiB back.
    path = make_pdf(tmp_path / "letter.pdf")
    with path.open("ab") as out:
        out.write(b"5 0 obj\n<< /Length 2048 >>\nstream\n" + b"x" * 2048)
    assert probe_file(path, path.name).problem == CUT_SHORT


def test_trailer_of_a_large_pdf_is_read_from_its_tail(tmp_path: Path) -> None:
    head = make_pdf(tmp_path / "small.pdf").read_bytes()
    path = tmp_path / "big.pdf"
    with path.open("wb") as out:
        out.write(head[: head.index(b"xref")])
        out.seek(3 * TAIL_BYTES, 1)  # a sparse hole that no probe should read
        out.write(head[head.index(b"xref") :].replace(b"/Root", b"/Encrypt 9 0 R /Root"))
    assert pdf_facts(path) == DocumentFacts("1.4", True)

"""Which rules judge what: a manifest's own rules, then for each local file the file rules and,
when its content can be judged, the rules of its material's family (preflight.materials).
Findings come out at their rules' default levels; configuration is applied afterwards."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path

from preflight.discover import FileRef
from preflight.fields import make_type_of
from preflight.limits import MAKE_TYPES, MakeType
from preflight.manifest import Manifest
from preflight.materials import material_for
from preflight.probe.facts import FileFacts
from preflight.probe.sniff import KIND, format_of_extension
from preflight.report import (
    ANY_MAKE_TYPE,
    FileReport,
    Finding,
    Inspection,
    RequestReport,
    Verdict,
)
from preflight.request import build_request
from preflight.rules import file, request
from preflight.rules.base import Subject

Checked = tuple[list[Finding], list[str]]  # the findings, and the IDs of the rules run


def check_file(subject: Subject) -> Checked:
    """The file rules, then, when the content can be judged, its family's rules. Of a Git LFS
    pointer only the size is known: the size rule alone, on the size it records."""
    findings = list(file.check(subject))
    ran = [rule.id for rule in file.RULES]
    material = subject.material
    if material is None:
        return findings, ran
    if not any(f.rule in file.GATES for f in findings):
        findings += material.family.check(subject)
        ran += (rule.id for rule in material.family.RULES)
    elif subject.file.lfs is not None and material.size_rule is not None:
        recorded = replace(subject, file=replace(subject.file, size=subject.file.lfs.size))
        findings += material.family.check_recorded_size(recorded)
        ran.append(material.size_rule.id)
    return findings, ran


def check_manifest(
    source: Manifest,
    refs: Iterable[FileRef],
    facts: dict[Path, FileFacts],
    duplicates: list[Finding],
    cos_prefix: str | None,
) -> RequestReport:
    """One request: the body preflight would submit, the files it names as read, and the
    findings of every rule run on them."""
    if source.readable:
        findings = [*request.check(source), *duplicates]
    else:
        findings = list(file.check_manifest(source))
    ran = [rule.id for rule in request.RULES]
    make_type = make_type_of(source.payload.get("MakeType"))
    files = []
    for ref in refs:
        probed = facts.get(ref.path)  # None: outside the work tree, never opened
        shown = replace(probed, path=ref.shown) if probed else FileFacts(ref.shown, "other")
        subject = Subject(
            ref.field, make_type, shown, ref.outside_root, ref.template, ref.untracked
        )
        found, checked = check_file(subject)
        findings += found
        ran += checked
        read = shown.to_dict() if probed else None
        files.append(FileReport(ref.field, ref.shown, shown.kind, read))
    body = build_request(source.payload, cos_prefix)
    return RequestReport(source.source, body, tuple(files), tuple(findings), checked=tuple(ran))


def inspect_file(facts: FileFacts) -> Inspection:
    """A file on its own: would each make type accept it as its material (or, for audio and
    PDFs, as driver audio or an authorization letter)?"""
    verdicts = []
    for make_type, field in _uses(facts):
        findings, checked = check_file(Subject(field, make_type, facts))
        label = make_type.name if make_type else ANY_MAKE_TYPE
        fits = not any(f.rule == file.TYPE_MISMATCH.id for f in findings)
        verdicts.append(Verdict(label, field, tuple(findings), fits=fits, checked=tuple(checked)))
    return Inspection(facts.path, facts.kind, facts.to_dict(), tuple(verdicts))


def _uses(facts: FileFacts) -> list[tuple[MakeType | None, str]]:
    kind = facts.kind or KIND.get(format_of_extension(facts.extension) or "")
    if kind is None:
        return [(None, "MaterialCosUrl")]
    uses: list[tuple[MakeType | None, str]] = [
        (make_type, "MaterialCosUrl")
        for make_type in MAKE_TYPES.values()
        if material_for("MaterialCosUrl", make_type)
    ]
    if kind == "audio":
        uses.append((None, "VoiceDriverCosFile"))
    elif kind == "document":
        uses.append((None, "IdentityWrittenCosUrl"))
    return uses

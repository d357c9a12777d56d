"""Which rules judge what: a manifest's own rules, then for each local file the file rules and,
when its content can be judged, the rules of its material's family (preflight.materials).
Findings come out at their rules' default levels; configuration is applied afterwards."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path
from typing import Any

from preflight.discover import FileRef
from preflight.fields import endpoint_of, make_type_of
from preflight.i18n import _
from preflight.limits import MAKE_TYPES, MakeType
from preflight.manifest import COMMAND_LINE, Manifest
from preflight.materials import material_for
from preflight.probe.facts import AudioFacts, FileFacts, WavFacts, ZipEntry, ZipFacts
from preflight.probe.sniff import KIND, format_of_extension
from preflight.report import (
    ANY_MAKE_TYPE,
    FileReport,
    Finding,
    Inspection,
    RequestReport,
    Verdict,
)
from preflight.rules import file, request, speech
from preflight.rules.base import Subject

Checked = tuple[list[Finding], list[str]]  # the findings, and the IDs of the rules run


def check_file(subject: Subject) -> Checked:
    """The file rules, then, when the content can be judged, its family's rules and those on
    what it contains (as far as it was analysed). Of a Git LFS pointer only the size is known:
    the size rule alone, on the size it records."""
    findings = list(file.check(subject))
    ran = [rule.id for rule in file.RULES]
    material = subject.material
    if material is None:
        return findings, ran
    if not any(f.rule in file.GATES for f in findings):
        findings += material.family.check(subject)
        ran += (rule.id for rule in material.family.RULES)
        for analysis in material.analyses:
            findings += analysis.check(subject)
            ran += (rule.id for rule in analysis.judged(subject))
    elif subject.file.lfs is not None and material.size_rule is not None:
        recorded = replace(subject, file=replace(subject.file, size=subject.file.lfs.size))
        findings += material.family.check_recorded_size(recorded)
        ran.append(material.size_rule.id)
    return findings, ran


def check_manifest(
    source: Manifest,
    body: dict[str, Any],
    refs: Iterable[FileRef],
    facts: dict[Path, FileFacts],
    duplicates: list[Finding],
) -> RequestReport:
    """One request: the body preflight would submit (request.build_request's), the files it
    names as read, and the findings of every rule run on them."""
    if source.readable:
        findings = [*request.check(source), *duplicates]
    else:
        findings = list(file.check_manifest(source))
    endpoint = endpoint_of(source.payload)
    ran = [rule.id for rule in request.rules_of(endpoint)]
    make_type = make_type_of(source.payload.get("MakeType"))
    files = []
    unread = set()  # the files named that are not there, or outside the work tree
    for ref in refs:
        probed = facts.get(ref.path)  # None: outside the work tree, never opened
        shown = FileFacts(ref.shown, "other") if probed is None else probed
        if shown.path != ref.shown:  # probed under another file's name for it
            shown = replace(shown, path=ref.shown)
        if probed is None or probed.node == "missing":
            unread.add(ref.shown)
        subject = Subject(
            ref.field,
            make_type,
            shown,
            ref.outside_root,
            ref.template,
            ref.untracked,
            in_manifest=source.source != COMMAND_LINE,
            near=ref.near,
        )
        found, checked = check_file(subject)
        findings += _accepted_elsewhere(found, subject)
        ran += checked
        read = shown.to_dict() if probed else None
        files.append(FileReport(ref.field, ref.shown, shown.kind, read))
    placed = tuple(_placed(f, source, unread) for f in findings)
    return RequestReport(
        source.source, body, tuple(files), placed, checked=tuple(ran), endpoint=endpoint.path
    )


def _accepted_elsewhere(found: list[Finding], subject: Subject) -> list[Finding]:
    """A material that fails as its make type: the first failing finding names the make types
    that would accept it (a 1:50 video fails IMAGE, and IMAGE_GENERAL takes it), as inspect
    judges them."""
    failing = [f for f in found if f.fails(strict=False)]
    if subject.make_type is None or not failing or subject.file.node != "file":
        return found
    others = [
        MAKE_TYPES[v.make_type].titled
        for v in inspect_file(subject.file).verdicts
        if v.ok and v.field == subject.field and v.make_type in MAKE_TYPES and not v.zipped
    ]
    if not others:
        return found
    first = failing[0]
    message = _("{message} (it would pass as {make_types}: is that the MakeType you meant?)")
    said = message.format(message=first.message, make_types=", ".join(others))
    return [replace(f, message=said) if f is first else f for f in found]


def _placed(finding: Finding, source: Manifest, unread: set[str]) -> Finding:
    """A finding on the manifest itself, or on a file that is not there to point at, located
    at its field's key in the manifest (or at the syntax error)."""
    if finding.path == source.source and source.problem_at is not None:
        line, column = source.problem_at
    elif finding.field in source.positions and (
        finding.path in (None, source.source) or finding.path in unread
    ):
        line, column = source.positions[finding.field]
    else:
        return finding
    return replace(finding, line=line, column=column)


def inspect_file(facts: FileFacts) -> Inspection:
    """A file on its own: would each make type accept it as its material (or, for audio and
    PDFs, as driver audio, zero-shot reference audio or an authorization letter)?"""
    verdicts = []
    for make_type, field in _uses(facts):
        findings, checked = check_file(Subject(field, make_type, facts))
        label = make_type.name if make_type else ANY_MAKE_TYPE
        fits = not any(f.rule == file.TYPE_MISMATCH.id for f in findings)
        verdicts.append(Verdict(label, field, tuple(findings), fits=fits, checked=tuple(checked)))
    zipped = _as_zip_entry(facts)
    if zipped is not None:
        voice = MAKE_TYPES["VOICE"]
        material = material_for("MaterialCosUrl", voice)
        assert material is not None
        subject = Subject("MaterialCosUrl", voice, zipped)
        # the zip's rules on the file's name and sound, and the speech rules on one take; their
        # fixes name a zip there is not yet
        found = [*material.family.check(subject), *speech.VOICE_TAKE.check(subject)]
        ran = [*material.family.RULES, *speech.VOICE_TAKE.judged(subject)]
        verdict = Verdict(
            voice.name,
            "MaterialCosUrl",
            tuple(replace(f, hint=None) for f in found),
            checked=tuple(rule.id for rule in ran),
            zipped=True,
        )
        verdicts.append(verdict)
    return Inspection(facts.path, facts.kind, facts.to_dict(), tuple(verdicts))


def _as_zip_entry(facts: FileFacts) -> FileFacts | None:
    """A loose WAV as the one entry of a VOICE zip, for the zip rules it would meet once zipped
    (`Take 1.WAV`: its upper-case extension and its space); None for any other file."""
    media = facts.media
    if facts.format != "wav" or not isinstance(media, AudioFacts) or facts.size is None:
        return None
    name = facts.path.replace("\\", "/").rsplit("/", 1)[-1]
    wav = None
    if media.sample_rate:
        wav = WavFacts(media.sample_rate, media.channels or 0, media.codec or "", media.duration_s)
    entry = ZipEntry(name, False, facts.size, facts.size, False, False, "wav", wav, None)
    archive = ZipFacts((entry,), facts.size, None)
    return replace(facts, format="zip", kind="archive", media=archive)


def _uses(facts: FileFacts) -> list[tuple[MakeType | None, str]]:
    kind = facts.kind or KIND.get(format_of_extension(facts.extension) or "")
    if kind is None:
        return [(None, "MaterialCosUrl")]
    uses: list[tuple[MakeType | None, str]] = [  # the make types whose material is this kind
        (make_type, "MaterialCosUrl")
        for make_type in MAKE_TYPES.values()
        if (material := material_for("MaterialCosUrl", make_type)) and material.kind == kind
    ]
    if kind == "audio":
        uses += [(None, "VoiceDriverCosFile"), (None, "AudioUrl")]
    elif kind == "document":
        uses.append((None, "IdentityWrittenCosUrl"))
    return uses

"""`preflight inspect`: what each file is, in plain words, and which uses accept it: the make
types whose material is of its kind (a PDF is no make type's material: it is an authorization
letter), and for a loose WAV, VOICE as it would be once zipped."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from preflight.i18n import N_, _
from preflight.limits import MAKE_TYPES, human_bytes
from preflight.report import JSON, Inspection, Verdict
from preflight.reporters.safe import neutralised
from preflight.reporters.style import ljust, style

_WIDTH = 18  # of a fact's label


def _yes(value: JSON) -> str:
    return _("yes") if value else _("no")


def _seconds(value: JSON) -> str:
    from preflight.rules.video import minutes

    return minutes(float(value)) if isinstance(value, int | float) else str(value)


def _number(unit: str) -> Callable[[JSON], str]:
    return lambda value: f"{value:g} {unit}" if isinstance(value, int | float) else str(value)


# The facts a person reads, in this order, each with its label and how its value is written;
# the others (stored sizes, tracks, EXIF orientation, …) are in `--format json`.
_FACTS: dict[str, tuple[str, Callable[[JSON], str]]] = {
    "format": (N_("Format"), lambda value: str(value).upper()),
    "size": (N_("Size"), lambda value: human_bytes(value) if isinstance(value, int) else "?"),
    "duration_s": (N_("Duration"), _seconds),
    "codec": (N_("Encoding"), str),
    "fps": (N_("Frame rate"), _number("fps")),
    "fps_mode": (
        N_("Frame rate mode"),
        lambda value: _("variable") if value == "VFR" else _("constant"),
    ),
    "sample_rate": (N_("Sample rate"), _number("Hz")),
    "channels": (N_("Channels"), str),
    "bit_rate": (N_("Bit rate"), lambda value: f"{value / 1000:g} kbps"),
    "frames": (N_("Frames"), str),
    "encrypted": (N_("Password-protected"), _yes),
    "entries_total": (N_("Files in the zip"), str),
    "problem": (N_("Problem"), str),
}


def render(inspections: Iterable[Inspection], color: bool = False) -> str:
    lines: list[str] = []
    for inspection in neutralised(list(inspections)):  # names from other people's files
        facts = inspection.facts
        title = f"{inspection.path}  ({_kind(inspection)})"
        lines.append(style(title, bold=True) if color else title)
        lines += [f"  {ljust(label, _WIDTH)} {value}" for label, value in _plain_facts(facts)]
        lines += _entries(facts.get("entries"))
        lines += _speech(facts.get("speech"))
        lines += _faces(facts.get("faces"), facts.get("deep"))
        for verdict in inspection.verdicts:
            lines += _verdict(verdict, color)
        lines.append("")
    return "\n".join(lines) + "\n"


_KINDS = {
    "video": N_("a video"),
    "audio": N_("sound"),
    "archive": N_("a zip archive"),
    "image": N_("a picture"),
    "document": N_("a PDF document"),
}


def _kind(inspection: Inspection) -> str:
    if inspection.facts.get("node") not in (None, "file"):
        return _("not a regular file: {node}").format(node=inspection.facts["node"])
    return _(_KINDS.get(inspection.kind or "", N_("content preflight does not recognise")))


def _plain_facts(facts: dict[str, JSON]) -> list[tuple[str, str]]:
    shown = [
        (_(label), write(facts[key]))
        for key, (label, write) in _FACTS.items()
        if facts.get(key) is not None
    ]
    width, height = facts.get("display_width"), facts.get("display_height")
    if width and height:
        shown.insert(
            2, (_("Picture"), _("{width}×{height} as displayed").format(width=width, height=height))
        )
    low, high = facts.get("fps_min"), facts.get("fps_max")
    if facts.get("fps_mode") == "VFR" and low and high:
        shown.append((_("Frame rate range"), f"{low:g}–{high:g} fps"))
    if facts.get("pixel_aspect") not in (None, 1, 1.0):
        shown.append(
            (_("Pixel shape"), _("not square ({ratio:g})").format(ratio=facts["pixel_aspect"]))
        )
    return shown


def _verdict(verdict: Verdict, color: bool) -> list[str]:
    role = _role(verdict)
    if verdict.ok:
        mark = style(_("accepted"), fg="green") if color else _("accepted")
        return [f"  {role}: {mark}"]
    mark = style(_("rejected"), fg="red") if color else _("rejected")
    lines = [f"  {role}: {mark}"]
    lines += [f"      {f.message}  [{f.rule}]" for f in verdict.failing]
    return lines


def _role(verdict: Verdict) -> str:
    """`as IMAGE_GENERAL (Instant Avatar) material`, `as driver audio (VoiceDriverCosFile)`."""
    from preflight.materials import material_for

    make_type = MAKE_TYPES.get(verdict.make_type)
    if verdict.zipped and make_type is not None:
        return _("As a WAV file in a {make_type} zip").format(make_type=make_type.titled)
    if make_type is not None:
        return _("As {make_type} material").format(make_type=make_type.titled)
    material = material_for(verdict.field, None)
    name = _(material.name) if material else verdict.field
    return _("As {role} ({field})").format(role=name, field=verdict.field)


def _entries(entries: JSON) -> list[str]:
    if not entries:
        return []
    label = _("Files in the zip")
    lines = [f"  {ljust(label, _WIDTH)} {len(entries)}"]
    for entry in entries[:20]:
        wav = entry.get("wav") or {}
        about = f"{wav.get('sample_rate')} Hz" if wav else entry.get("content") or "?"
        size = human_bytes(entry["size"]) if isinstance(entry.get("size"), int) else "?"
        lines.append(f"    {entry.get('name')}  {size}  {about}")
    if len(entries) > 20:
        lines.append(_("    … {count} more").format(count=len(entries) - 20))
    return lines


def _speech(streams: JSON) -> list[str]:
    """The speech measured in each recording (preflight.probe.speech), one line each."""
    if not isinstance(streams, list) or not streams:
        return []
    lines = []
    speech = _("Speech")
    for stream in streams:
        if not isinstance(stream, dict):
            continue
        name = f"{stream['source']}: " if stream.get("source") else ""
        if stream.get("problem"):
            lines.append(f"  {ljust(speech, _WIDTH)} {name}{stream['problem']}")
            continue
        measured = _("{speech} s of speech in {seconds} s").format(
            speech=stream.get("speech_s"), seconds=stream.get("seconds")
        )
        parts = [
            measured,
            _("level {level} dBFS").format(level=_dbfs(stream.get("speech_dbfs"))),
            _("peak {peak} dBFS").format(peak=_dbfs(stream.get("peak_dbfs"))),
            _("{count} clipped runs").format(count=stream.get("clipped")),
            _("SNR ≈ {snr} dB (estimate)").format(snr=stream.get("snr_db")),
            _("sound up to {hz} Hz").format(hz=stream.get("bandwidth_hz")),
            _("silence {leading} s before, {trailing} s after").format(
                leading=stream.get("leading_s"), trailing=stream.get("trailing_s")
            ),
        ]
        said = _("; ").join(parts)
        lines.append(f"  {ljust(speech, _WIDTH)} {name}{said}")
    return lines


def _faces(faces: JSON, deep: JSON) -> list[str]:
    """What the face scan (preflight.probe.faces) and --deep's decode of every frame found."""
    lines = []
    if isinstance(faces, dict):
        if faces.get("skipped"):
            said = _("not looked for: {why}").format(why=faces["skipped"])
        else:
            said = _(
                "a face in {seen} of {frames} frames looked at (more than one in {several}, "
                "turned away in {turned}); the face {height} px high"
            ).format(
                seen=faces.get("with_face"),
                frames=faces.get("frames"),
                several=faces.get("with_several"),
                turned=faces.get("turned"),
                height=faces.get("face_height_px") or "—",
            )
        label = ljust(_("Faces"), _WIDTH)
        lines.append(f"  {label} {said}")
    if isinstance(deep, dict):
        if deep.get("skipped"):
            said = _("not decoded: {why}").format(why=deep["skipped"])
        else:
            said = _("{black} black stretches, {frozen} frozen, {cuts} cuts").format(
                black=deep.get("black"), frozen=deep.get("frozen"), cuts=deep.get("cuts")
            )
        label = ljust(_("Every frame"), _WIDTH)
        lines.append(f"  {label} {said}")
    return lines


def _dbfs(value: JSON) -> str:
    return "−∞" if value is None else str(value)

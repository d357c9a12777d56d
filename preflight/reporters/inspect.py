"""`preflight inspect`: the facts of each file, and each make type's verdict on it."""

from __future__ import annotations

from collections.abc import Iterable

from preflight.report import JSON, Inspection
from preflight.reporters.safe import neutralised
from preflight.reporters.style import style


def render(inspections: Iterable[Inspection], color: bool = False) -> str:
    lines: list[str] = []
    for inspection in neutralised(list(inspections)):  # names from other people's files
        title = f"{inspection.path}  ({inspection.kind or 'unknown content'})"
        lines.append(style(title, bold=True) if color else title)
        lines += [
            f"  {key:<16} {_value(value)}"
            for key, value in inspection.facts.items()
            if value is not None and key != "entries"
        ]
        lines += _entries(inspection.facts.get("entries"))
        for verdict in inspection.verdicts:
            use = verdict.use
            if verdict.ok:
                mark = style("accepted", fg="green") if color else "accepted"
                lines.append(f"  {use:<22} {mark}")
                continue
            mark = style("rejected", fg="red") if color else "rejected"
            failing = verdict.failing
            lines.append(f"  {use:<22} {mark}: {failing[0].rule}: {failing[0].message}")
            lines += [f"  {'':<22}           {f.rule}: {f.message}" for f in failing[1:]]
        lines.append("")
    return "\n".join(lines) + "\n"


def _value(value: JSON) -> str:
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, dict):
        return ", ".join(f"{k}={v}" for k, v in value.items())
    return str(value)


def _entries(entries: JSON) -> list[str]:
    if not entries:
        return []
    lines = [f"  {'entries':<16} {len(entries)}"]
    for entry in entries[:20]:
        wav = entry.get("wav") or {}
        about = f"{wav.get('sample_rate')} Hz" if wav else entry.get("content") or "?"
        lines.append(f"    {entry.get('name')}  {entry.get('size')} bytes  {about}")
    if len(entries) > 20:
        lines.append(f"    … {len(entries) - 20} more")
    return lines

"""`--format html`: one self-contained page a producer opens in a browser. Per request: its
verdict, each file with its preview (a video's frames as displayed, the photo with the accepted
aspect frames drawn over it, each WAV's waveform), the findings with their fixes, and the
request body. The previews are made by the probe (preflight.probe.preview) when this format is
asked for; this module only draws them.

Nothing is fetched: no script, the style inline, every picture a data: URI, and a Content
Security Policy that forbids the page any other source. Every string from a repository is made
printable (reporters.safe: the page may be printed to a terminal) and then HTML-escaped."""

from __future__ import annotations

import html
from collections.abc import Iterable, Iterator, Mapping
from typing import TYPE_CHECKING

from preflight.i18n import _, language
from preflight.limits import ASPECT_TOLERANCE, PHOTO_ASPECTS
from preflight.names import printable
from preflight.report import (
    JSON,
    FileReport,
    Finding,
    Inspection,
    Report,
    RequestReport,
)
from preflight.reporters.json_report import dumps
from preflight.reporters.safe import neutralised
from preflight.reporters.text import (
    changes,
    inspection_about,
    measured_text,
    not_searched,
    place,
    request_about,
    summary,
)

if TYPE_CHECKING:
    from preflight.probe.analysed import FaceFacts
    from preflight.probe.preview import Picture, Preview, Waveform

CSP = "default-src 'none'; img-src data:; style-src 'unsafe-inline'"
_WAVE_HEIGHT = 80
_STYLE = """
:root { color-scheme: light; --ok: #1a7f37; --fail: #cf222e; --warn: #9a6700; --info: #0969da;
  --line: #d0d7de; --muted: #57606a; }
body { font: 15px/1.5 system-ui, -apple-system, "Segoe UI", "PingFang SC", "Microsoft YaHei",
  "Noto Sans CJK SC", sans-serif; margin: 0 auto; max-width: 1100px; padding: 1.5em;
  color: #1f2328; background: #fff; }
h1 { font-size: 1.5em; margin: 0 0 .2em; }
h2 { font-size: 1.2em; margin: 0; word-break: break-all; }
h3 { font-size: 1em; margin: 1em 0 .4em; }
.summary { font-weight: 600; padding: .6em .9em; border-radius: 6px; }
.summary.ok { background: #dafbe1; color: var(--ok); }
.summary.fail { background: #ffebe9; color: var(--fail); }
section.item { border: 1px solid var(--line); border-left: 6px solid var(--ok);
  border-radius: 6px; padding: 1em 1.2em; margin: 1.2em 0; }
section.item.fail { border-left-color: var(--fail); }
.verdict { display: inline-block; font-weight: 700; color: #fff; background: var(--ok);
  border-radius: 4px; padding: 0 .5em; margin-right: .5em; }
.fail .verdict { background: var(--fail); }
.about { color: var(--muted); font-weight: normal; }
.files { display: flex; flex-wrap: wrap; gap: 1em; }
figure.file { margin: 0; padding: .6em; border: 1px solid var(--line); border-radius: 6px;
  max-width: 100%; }
figure.file figcaption { font-size: .9em; color: var(--muted); word-break: break-all; }
figure.file figcaption b { color: #1f2328; }
.frames { display: flex; flex-wrap: wrap; gap: 4px; margin-top: .4em; }
.frames figure { margin: 0; font-size: .8em; color: var(--muted); text-align: center; }
.frames img { display: block; background: #000; max-width: 240px; height: auto; }
svg.photo { display: block; margin-top: .4em; max-width: 100%; height: auto; }
svg.photo rect { fill: none; stroke-width: 2; }
svg.wave { display: block; background: #f6f8fa; margin-top: .2em; max-width: 100%; }
svg.wave path { stroke: #0969da; stroke-width: 1; fill: none; }
svg.wave line { stroke: var(--line); }
.legend { list-style: none; padding: 0; margin: .3em 0 0; font-size: .85em; display: flex;
  gap: .8em; flex-wrap: wrap; }
.swatch { display: inline-block; width: .8em; height: .8em; border: 2px solid;
  margin-right: .3em; vertical-align: -.1em; }
.a0 { stroke: #cf222e; border-color: #cf222e; } .a1 { stroke: #1a7f37; border-color: #1a7f37; }
.a2 { stroke: #0969da; border-color: #0969da; } .a3 { stroke: #bf3989; border-color: #bf3989; }
.face { stroke: #ffd33d; border-color: #ffd33d; stroke-dasharray: 6 3; }
svg.wave rect.silent { fill: #d8dee4; }
svg.wave line.clipped { stroke: #cf222e; stroke-width: 2; }
.note { color: var(--muted); font-size: .85em; margin: .3em 0 0; }
table.findings { border-collapse: collapse; width: 100%; margin-top: .4em; }
table.findings td, table.findings th { border-top: 1px solid var(--line); padding: .4em;
  vertical-align: top; text-align: left; }
.sev { font-weight: 700; text-transform: uppercase; font-size: .8em; }
.sev.error { color: var(--fail); } .sev.warning { color: var(--warn); }
.sev.info { color: var(--info); }
code, pre { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace;
  font-size: .9em; }
td code, .fix code { word-break: break-all; }
.measured { color: var(--muted); font-size: .9em; }
.fix { margin-top: .2em; }
pre { background: #f6f8fa; padding: .8em; border-radius: 6px; overflow-x: auto;
  white-space: pre-wrap; word-break: break-all; }
footer { color: var(--muted); font-size: .85em; margin-top: 2em; }
"""


def render(report: Report, color: bool = False) -> str:
    # By the paths as neutralised shows them (neutralised leaves the pictures: data, not names)
    previews = {printable(path): preview for path, preview in report.previews.items()}
    report = neutralised(report)
    body = [
        _tag("h1", _("preflight report")),
        f'<p class="summary {"ok" if report.ok else "fail"}">{_e(summary(report, _plain))}</p>',
    ]
    for number, request in enumerate(report.requests, 1):
        body += _request(request, number, previews)
    for number, inspection in enumerate(report.files, 1):
        body += _inspection(inspection, number, previews)
    body += _run_notes(report)
    body.append(f"<footer>preflight {_e(report.version)}</footer>")
    title = _("preflight: passed") if report.ok else _("preflight: failed")
    return "\n".join(
        [
            "<!DOCTYPE html>",
            f'<html lang="{"zh-CN" if language() == "zh" else "en"}">',
            "<head>",
            '<meta charset="utf-8">',
            f'<meta http-equiv="Content-Security-Policy" content="{CSP}">',
            '<meta name="viewport" content="width=device-width, initial-scale=1">',
            f"<title>{_e(title)}</title>",
            f"<style>{_STYLE}</style>",
            "</head>",
            "<body>",
            *body,
            "</body>",
            "</html>",
            "",
        ]
    )


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


def _tag(name: str, text: str, kind: str | None = None) -> str:
    """An element of escaped text (Babel finds no message inside an f-string: they are
    written outside one)."""
    attribute = f' class="{kind}"' if kind else ""
    return f"<{name}{attribute}>{_e(text)}</{name}>"


def _plain(text: str, fg: str, bold: bool = False) -> str:
    return text


def _verdict(ok: bool) -> str:
    return _tag("span", _("PASS") if ok else _("FAIL"), "verdict")


def _request(request: RequestReport, number: int, previews: Mapping[str, Preview]) -> list[str]:
    about = request_about(request)
    lines = [
        f'<section class="item {"ok" if request.ok else "fail"}" id="request-{number}">',
        f"<h2>{_verdict(request.ok)}{_e(request.source)}"
        + (f' <span class="about">({_e(about)})</span>' if about else "")
        + "</h2>",
    ]
    if request.files:
        lines.append('<div class="files">')
        for file in request.files:
            lines += _file(file.field, file.path, file, previews.get(file.path))
        lines.append("</div>")
    lines += _findings(request.findings, request.source)
    lines += [
        _tag("h3", _("The request body")),
        f"<pre>{_e(dumps(request.request))}</pre>",
        "</section>",
    ]
    return lines


def _inspection(inspection: Inspection, number: int, previews: Mapping[str, Preview]) -> list[str]:
    about = inspection_about(inspection)
    lines = [
        f'<section class="item {"ok" if inspection.ok else "fail"}" id="file-{number}">',
        f"<h2>{_verdict(inspection.ok)}{_e(inspection.path)}"
        f' <span class="about">({_e(about)})</span></h2>',
        '<div class="files">',
        *_file(None, inspection.path, inspection, previews.get(inspection.path)),
        "</div>",
    ]
    lines += _findings(inspection.findings, None)
    lines.append("</section>")
    return lines


def _file(
    field: str | None, path: str, file: FileReport | Inspection, preview: Preview | None
) -> list[str]:
    facts = file.facts or {}
    caption = " · ".join(
        [*([f"<b>{_e(field)}</b>"] if field else []), _e(path), *map(_e, _described(facts))]
    )
    lines = ['<figure class="file">', f"<figcaption>{caption}</figcaption>"]
    if preview is not None:
        if file.kind == "image" and preview.pictures:
            lines += _photo(preview.pictures[0], facts, preview.faces)
        elif preview.pictures:
            lines += _frames(preview.pictures)
        speech = _speech(facts)
        for waveform in preview.waveforms:
            lines += _waveform(waveform, speech.get(waveform.source))
        if preview.problem:
            note = _e(printable(_(preview.problem)))  # the fixed ones are translated
            lines.append(f'<p class="note">{note}</p>')
    lines.append("</figure>")
    return lines


def _described(facts: Mapping[str, JSON]) -> Iterator[str]:
    """A few facts a producer recognises: the displayed size, the length, the frame rate."""
    width, height = facts.get("display_width"), facts.get("display_height")
    if width and height:
        yield f"{width}×{height}"
    duration = facts.get("duration_s")
    if isinstance(duration, int | float):
        yield _("{seconds} s").format(seconds=_seconds(duration))
    fps = facts.get("fps")
    if isinstance(fps, int | float):
        yield f"{fps:g} fps"


def _frames(pictures: Iterable[Picture]) -> list[str]:
    lines = ['<div class="frames">']
    for picture in pictures:
        at = (
            ""
            if picture.at_s is None
            else _("at {seconds} s").format(seconds=_seconds(picture.at_s))
        )
        lines.append(
            f'<figure><img src="{picture.uri}" width="{picture.width}" '
            f'height="{picture.height}" alt="{_e(at)}"><figcaption>{_e(at)}</figcaption></figure>'
        )
    lines.append("</div>")
    return lines


def _photo(picture: Picture, facts: Mapping[str, JSON], faces: FaceFacts | None) -> list[str]:
    """The photo as displayed, with the largest centred frame of each accepted aspect over it
    (what a crop to that aspect keeps) and the faces found. Drawn in the photo's own pixels."""
    width = _positive(facts.get("display_width")) or picture.width
    height = _positive(facts.get("display_height")) or picture.height
    shapes, legend = [], []
    for number, (w, h) in enumerate(PHOTO_ASPECTS):
        scale = min(width / w, height / h)
        shapes.append(
            _rect(
                f"a{number}",
                (width - w * scale) / 2,
                (height - h * scale) / 2,
                w * scale,
                h * scale,
            )
        )
        fits = abs(width / height * h / w - 1) <= ASPECT_TOLERANCE
        label = _("{aspect} (the photo's own)") if fits else "{aspect}"
        legend.append(
            f'<li><span class="swatch a{number}"></span>{_e(label.format(aspect=f"{w}:{h}"))}</li>'
        )
    boxes = [face for frame in (faces.frames if faces is not None else ()) for face in frame.faces]
    if faces is not None and boxes:
        x_scale, y_scale = width / faces.width, height / faces.height
        shapes += [
            _rect("face", f.x * x_scale, f.y * y_scale, f.width * x_scale, f.height * y_scale)
            for f in boxes
        ]
        found = _("a face found")
        legend.append(f'<li><span class="swatch face"></span>{_e(found)}</li>')
    return [
        f'<svg class="photo" viewBox="0 0 {width} {height}" width="{picture.width}" '
        f'height="{picture.height}" role="img">',
        f'<image href="{picture.uri}" x="0" y="0" width="{width}" height="{height}" '
        'preserveAspectRatio="none"/>',
        *shapes,
        "</svg>",
        _tag("p", _("Frames of the accepted aspects, centred:"), "note"),
        f'<ul class="legend">{"".join(legend)}</ul>',
    ]


def _rect(kind: str, x: float, y: float, width: float, height: float) -> str:
    return (
        f'<rect class="{kind}" x="{x:.1f}" y="{y:.1f}" width="{width:.1f}" '
        f'height="{height:.1f}" vector-effect="non-scaling-stroke"/>'
    )


def _positive(value: JSON) -> int | None:
    return value if isinstance(value, int) and value > 0 else None


def _speech(facts: Mapping[str, JSON]) -> dict[str, Mapping[str, JSON]]:
    """What the speech analysis measured of each audio stream, by its zip entry ("" for the
    file's own audio); nothing where it did not run."""
    streams = facts.get("speech")
    if not isinstance(streams, list | tuple):
        return {}
    return {s["source"]: s for s in streams if isinstance(s, dict) and "source" in s}


def _waveform(waveform: Waveform, speech: Mapping[str, JSON] | None) -> list[str]:
    """Each column a vertical stroke from its lowest to its highest sample; over it, where the
    speech analysis ran, the silent stretches shaded and the clipped spots in red."""
    middle = _WAVE_HEIGHT / 2
    columns = len(waveform.peaks)
    strokes = "".join(
        f"M{x}.5 {middle - high * middle:.1f}V{middle - low * middle + 0.1:.1f}"
        for x, (low, high) in enumerate(waveform.peaks)
    )
    lines = []
    if waveform.source:
        name = printable(waveform.source)
        caption = _("{name}: {seconds} s").format(name=name, seconds=_seconds(waveform.duration_s))
        lines.append(f'<p class="note">{_e(caption)}</p>')
    scale = columns / waveform.duration_s if waveform.duration_s > 0 else 0.0
    lines += [
        f'<svg class="wave" viewBox="0 0 {columns} {_WAVE_HEIGHT}" width="{columns}" '
        f'height="{_WAVE_HEIGHT}" role="img">',
        *(_silences(speech, scale) if speech else []),
        f'<line x1="0" y1="{middle}" x2="{columns}" y2="{middle}"/>',
        f'<path d="{strokes}"/>',
        *(_clips(speech, scale) if speech else []),  # over the wave: it would hide them
        "</svg>",
    ]
    if speech:
        lines.append(f'<p class="note">{_e(_marks_legend(speech))}</p>')
    if waveform.cut:
        drawn = _("the first {drawn} s drawn (the rest took too long to read)")
        lines.append(_tag("p", drawn.format(drawn=_seconds(waveform.drawn_s)), "note"))
    return lines


def _silences(speech: Mapping[str, JSON], scale: float) -> list[str]:
    """The silent stretches the speech analysis found, before the first speech, after the
    last, and the longest pauses, shaded (`scale`: columns per second)."""
    seconds = _number(speech.get("seconds")) or 0.0  # analysed
    trailing = _number(speech.get("trailing_s")) or 0.0
    silent = [(0.0, _number(speech.get("leading_s")) or 0.0), (seconds - trailing, seconds)]
    pauses = speech.get("pauses")
    for pause in pauses if isinstance(pauses, list | tuple) else ():
        if isinstance(pause, list | tuple) and len(pause) == 2:
            start, length = _number(pause[0]) or 0.0, _number(pause[1]) or 0.0
            silent.append((start, start + length))
    return [
        f'<rect class="silent" x="{start * scale:.1f}" y="0" '
        f'width="{(end - start) * scale:.1f}" height="{_WAVE_HEIGHT}"/>'
        for start, end in silent
        if end > start
    ]


def _clips(speech: Mapping[str, JSON], scale: float) -> list[str]:
    """Where the first clipped runs start, as red lines."""
    clipped = speech.get("clipped_at")
    return [
        f'<line class="clipped" x1="{x:.1f}" y1="0" x2="{x:.1f}" y2="{_WAVE_HEIGHT}"/>'
        for at in (clipped if isinstance(clipped, list | tuple) else ())
        for x in [(_number(at) or 0.0) * scale]
    ]


def _seconds(value: float) -> str:
    """`5.5`, `65`: a tenth of a second is as fine as a producer reads a length."""
    return f"{round(value, 1):g}"


def _marks_legend(speech: Mapping[str, JSON]) -> str:
    clipped = speech.get("clipped")
    runs = clipped if isinstance(clipped, int) else 0
    return _("shaded: silence; red: clipping ({runs} clipped runs)").format(runs=runs)


def _number(value: JSON) -> float | None:
    return float(value) if isinstance(value, int | float) else None


def _findings(findings: tuple[Finding, ...], source: str | None) -> list[str]:
    if not findings:
        return [_tag("p", _("No findings."), "note")]
    lines = [_tag("h3", _("Findings")), '<table class="findings">']
    for finding in findings:
        measured = measured_text(finding.actual, finding.limit)
        cell = [f"<div>{_e(finding.message)}</div>"]
        if measured:
            cell.append(f'<div class="measured">{_e(measured)}</div>')
        if finding.hint:
            fix = _("fix:")
            cell.append(f'<div class="fix">{_e(fix)} <code>{_e(finding.hint)}</code></div>')
        lines.append(
            f'<tr><td class="sev {finding.severity}">{_e(finding.severity)}</td>'
            f"<td><code>{_e(finding.rule)}</code><br>{_e(place(finding, source))}</td>"
            f"<td>{''.join(cell)}</td></tr>"
        )
    lines.append("</table>")
    return lines


def _run_notes(report: Report) -> list[str]:
    """What the run skipped and the configuration files that changed what it checked."""
    notes = [f"{skipped.path}: {skipped.reason}" for skipped in report.skipped]
    notes += [f"{c.path}: {'; '.join(changes(c))}" for c in report.configuration]
    if report.searched.any:
        notes.append(not_searched(report.searched))
    return [f'<p class="note">{_e(note)}</p>' for note in notes]

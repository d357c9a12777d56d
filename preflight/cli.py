"""The command line: options → Settings → engine → reporter → exit code. Nothing else."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

import click

from preflight import __version__
from preflight.reporters import REPORTERS

_FORMATS = tuple(REPORTERS)
_FLAG_FIELDS = {  # option name → payload field
    "make_type": "MakeType",
    "anchor_name": "AnchorName",
    "sex": "SexType",
    "material": "MaterialCosUrl",
    "identity": "IdentityCosUrl",
    "identity_written": "IdentityWrittenCosUrl",
    "driver": "VoiceDriverCosFile",
    "text_driver": "TextDriver",
    "notes": "Notes",
    "audio_id": "AudioId",
    "have_background": "IsHaveBackground",
}


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="preflight")
def cli() -> None:
    """Check a Tencent Cloud AI Digital Human customization request before uploading it."""


@cli.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--make-type", help="Request from flags: MakeType.")
@click.option("--anchor-name", help="Request from flags: AnchorName.")
@click.option("--sex", help="Request from flags: SexType (MALE or FEMALE).")
@click.option("--material", help="Request from flags: MaterialCosUrl (local path or URL).")
@click.option("--identity", help="Request from flags: IdentityCosUrl (authorization video).")
@click.option("--identity-written", help="Request from flags: IdentityWrittenCosUrl (PDF).")
@click.option("--driver", help="Request from flags: VoiceDriverCosFile (driver audio).")
@click.option("--text-driver", help="Request from flags: TextDriver.")
@click.option("--notes", help="Request from flags: Notes.")
@click.option("--audio-id", help="Request from flags: AudioId (ZERO_SHOT_VOICE).")
@click.option(
    "--have-background/--no-have-background",
    default=None,
    help="Request from flags: IsHaveBackground.",
)
@click.option(
    "--format",
    "output_format",
    type=click.Choice(_FORMATS),
    default="text",
    show_default=True,
    help="Report format on stdout.",
)
@click.option(
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the report to FILE instead of stdout.",
)
@click.option(
    "--emit-request",
    type=click.Path(file_okay=False, path_type=Path),
    help="Write each request body to DIR, named after its manifest.",
)
@click.option("--cos-prefix", help="The PathPrefix of the upload credentials, for the URLs.")
@click.option(
    "--known-anchors",
    type=click.File("r", encoding="utf-8"),
    help="A file of AnchorNames already taken, one per line.",
)
@click.option("--strict", is_flag=True, help="Warnings fail too.")
@click.option(
    "--jobs",
    type=click.IntRange(min=0),
    default=0,
    show_default=True,
    help="Processes for probing; 0 uses every core on large batches.",
)
@click.option(
    "--allow-outside-root",
    is_flag=True,
    help="Let manifests in a git work tree name files outside it.",
)
def check(
    paths: tuple[Path, ...],
    output_format: str,
    output: Path | None,
    emit_request: Path | None,
    cos_prefix: str | None,
    known_anchors: Any,
    strict: bool,
    jobs: int,
    allow_outside_root: bool,
    **flags: Any,
) -> None:
    """Check manifests, folders of manifests, or media files (as pre-commit passes them)."""
    from preflight.engine import run
    from preflight.settings import Settings

    fields = {_FLAG_FIELDS[k]: v for k, v in flags.items() if v is not None} or None
    settings = Settings(
        paths=paths or (() if fields else (Path("."),)),
        fields=fields,
        cos_prefix=cos_prefix,
        known_anchors=_anchors(known_anchors),
        strict=strict,
        jobs=jobs,
        allow_outside_root=allow_outside_root,
    )
    report = run(settings)
    if emit_request is not None:
        _emit(report, emit_request)
    _write(report, output_format, output)
    sys.exit(report.exit_code)


@cli.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "--format", "output_format", type=click.Choice(_FORMATS), default="text", show_default=True
)
def inspect(files: tuple[Path, ...], output_format: str) -> None:
    """Show the facts preflight reads from each file, and which make types accept it."""
    from preflight.engine import inspect_file, probe_all
    from preflight.reporters import inspect as inspect_reporter

    facts = probe_all((Path(os.path.abspath(f)), str(f)) for f in files)
    inspections = [inspect_file(f) for f in facts.values()]
    if output_format == "json":
        click.echo(json.dumps([i.to_dict() for i in inspections], ensure_ascii=False, indent=2))
    else:
        click.echo(inspect_reporter.render(inspections, _colour(None)), nl=False)


@cli.command()
@click.option(
    "--format", "output_format", type=click.Choice(_FORMATS), default="text", show_default=True
)
def rules(output_format: str) -> None:
    """Print the rule catalogue: id, severity, limit and when each rule fires."""
    from preflight.registry import RULES
    from preflight.reporters import catalogue

    if output_format == "json":
        click.echo(
            json.dumps([catalogue.as_dict(r) for r in RULES.values()], ensure_ascii=False, indent=2)
        )
    else:
        click.echo(catalogue.table(RULES.values()), nl=False)


def _anchors(stream: Any) -> frozenset[str]:
    if stream is None:
        return frozenset()
    lines = (line.strip() for line in stream)
    return frozenset(line for line in lines if line and not line.startswith("#"))


def _write(report: Any, output_format: str, output: Path | None) -> None:
    if output is None:
        click.echo(REPORTERS[output_format](report, _colour(None)), nl=False)
    else:
        output.write_text(REPORTERS[output_format](report, False), encoding="utf-8")


def _emit(report: Any, folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    taken: set[str] = set()
    for request in report.requests:
        name = _body_name(request.source)
        stem, number = name, 2
        while name in taken:
            name, number = f"{stem}-{number}", number + 1
        taken.add(name)
        text = json.dumps(request.request, ensure_ascii=False, indent=2) + "\n"
        (folder / f"{name}.json").write_text(text, encoding="utf-8")


def _body_name(source: str) -> str:
    """`tom/request.toml` → `tom.request`, `tom.request.json` → `tom.request`."""
    from preflight.manifest import COMMAND_LINE

    if source == COMMAND_LINE:
        return "command-line.request"
    base = os.path.basename(source)
    stem = base.rsplit(".", 1)[0]
    if stem == "request":
        folder = os.path.basename(os.path.dirname(os.path.abspath(source)))
        return f"{folder or 'request'}.request"
    return stem


def _colour(stream: Any) -> bool:
    """Colour only for a person at a terminal, and never when NO_COLOR is set."""
    stream = stream or sys.stdout
    return bool(stream.isatty()) and not os.environ.get("NO_COLOR")


def main() -> None:
    try:
        cli.main(standalone_mode=True)
    except SystemExit:
        raise
    except Exception as error:  # an internal error is exit 2, never a bare traceback
        click.echo(f"preflight: internal error: {type(error).__name__}: {error}", err=True)
        sys.exit(2)

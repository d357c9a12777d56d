"""The command line: options → Settings → engine → reporter → exit code. Nothing else."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from preflight import version_line
from preflight.fields import FIELDS, UPLOAD_PREFIX
from preflight.manifest import FLAG_FIELDS
from preflight.names import printable
from preflight.report import Report
from preflight.reporters.formats import CATALOGUE_REPORTERS, INSPECTION_REPORTERS, REPORTERS
from preflight.reporters.json_report import dumps

if TYPE_CHECKING:
    from preflight.config import Config
    from preflight.probe import EarlyProbing
    from preflight.probe.pool import Progress


_PROGRESS_FROM = 8  # files: fewer are probed before a bar could be read


def _request_flags(command: Callable[..., None]) -> Callable[..., None]:
    """One option per payload field, for a request given on the command line."""
    for flag, field in reversed(FLAG_FIELDS.items()):
        if FIELDS[field].type is bool:
            option = click.option(
                f"--{flag}/--no-{flag}",
                default=None,
                help=f"{field} of a request given with flags.",
            )
        else:
            option = click.option(
                f"--{flag}",
                metavar="FILE" if FIELDS[field].is_file else "TEXT",
                help=f"{field} of a request given with flags.",
            )
        command = option(command)
    return command


def _format_option(reporters: dict[str, Any]) -> Callable[[Callable[..., None]], Any]:
    return click.option(
        "--format",
        "output_format",
        type=click.Choice(list(reporters)),
        default="text",
        show_default=True,
        help="Output format on stdout.",
    )


def _version(context: click.Context, param: click.Parameter, value: bool) -> None:
    if value:
        click.echo(version_line(), nl=False)
        context.exit()


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--version",
    is_flag=True,
    expose_value=False,
    is_eager=True,
    callback=_version,
    help="Show the version and exit.",
)
def cli() -> None:
    """Check a Tencent Cloud AI Digital Human customization request before uploading it."""


class ConfigurationError(click.ClickException):
    """A configuration file that cannot be used: exit 2, like a usage error."""

    exit_code = 2


class NothingToCheck(click.ClickException):
    """A run that found no manifest and no media file: exit 2, like a usage error (a typo in a
    path, or a misnamed manifest, must not pass a gate)."""

    exit_code = 2

    def format_message(self) -> str:
        return f"nothing to check: {self.message} (--allow-empty lets such a run pass)"


class Interrupted(BaseException):
    """A signal that ends the run (Ctrl-C, SIGTERM, SIGHUP), raised in the main thread so that
    the workers are stopped on the way out; the exit code is the shell's 128 + the signal."""

    def __init__(self, signal_number: int) -> None:
        super().__init__(signal_number)
        self.signal_number = signal_number


_ENDING_SIGNALS = ("SIGINT", "SIGTERM", "SIGHUP")  # Windows has no SIGHUP


def _existing(
    context: click.Context, param: click.Parameter, paths: tuple[Path, ...]
) -> tuple[Path, ...]:
    """Paths that are something, if only a dangling symlink (a finding): a path that is
    nothing at all is a typo, exit 2 naming it, never a green run."""
    for path in paths:
        if not os.path.lexists(path):
            raise click.BadParameter(f"{printable(str(path))}: no such file or folder")
    return paths


def _reports(
    context: click.Context, param: click.Parameter, values: tuple[str, ...]
) -> list[tuple[str, Path]]:
    """`--report FORMAT:PATH`, any number of times."""
    reports = []
    for value in values:
        name, _, path = value.partition(":")
        if name not in REPORTERS or not path:
            raise click.BadParameter(
                f"{value!r} is not FORMAT:PATH with FORMAT one of {', '.join(REPORTERS)}"
            )
        reports.append((name, Path(path)))
    return reports


_strict_option = click.option("--strict/--no-strict", default=None, help="Warnings fail too.")
_cache_option = click.option(
    "--no-cache",
    is_flag=True,
    help="Probe every file again, without reading or writing the cache (in the user's cache "
    "folder, or PREFLIGHT_CACHE_DIR).",
)
_config_option = click.option(
    "--config",
    "config_file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Use this configuration file for every path, instead of each file's nearest "
    ".preflight.toml or pyproject.toml [tool.preflight].",
)


@cli.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path), callback=_existing)
@_request_flags
@_format_option(REPORTERS)
@click.option(
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the report to FILE instead of stdout.",
)
@click.option(
    "--report",
    "reports",
    multiple=True,
    metavar="FORMAT:PATH",
    callback=_reports,
    help="Also write the report in FORMAT to PATH; repeatable (e.g. sarif:preflight.sarif).",
)
@click.option(
    "--emit-request",
    type=click.Path(file_okay=False, path_type=Path),
    help="Write each request body to DIR, named after its manifest.",
)
@click.option("--cos-prefix", help="The PathPrefix of the upload credentials, for the URLs.")
@click.option(
    "--known-anchors",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="A file of AnchorNames already taken, one per line.",
)
@_strict_option
@click.option("--exit-zero", is_flag=True, help="Exit 0 even when requests fail (advisory runs).")
@click.option(
    "--jobs",
    type=click.IntRange(min=0),
    help="Processes for probing; 0 (the default) uses every core on large batches.",
)
@click.option(
    "--allow-outside-root",
    is_flag=True,
    help="Let manifests in a git work tree name files outside it.",
)
@click.option(
    "--allow-empty",
    is_flag=True,
    help="Pass a run that finds no manifest and no media file (by default: exit 2).",
)
@_cache_option
@_config_option
def check(
    paths: tuple[Path, ...],
    output_format: str,
    output: Path | None,
    reports: list[tuple[str, Path]],
    emit_request: Path | None,
    cos_prefix: str | None,
    known_anchors: Path | None,
    strict: bool | None,
    exit_zero: bool,
    jobs: int | None,
    allow_outside_root: bool,
    allow_empty: bool,
    no_cache: bool,
    config_file: Path | None,
    **flags: Any,
) -> None:
    """Check manifests, folders of manifests, or media files (as pre-commit passes them)."""
    from preflight.engine import run
    from preflight.settings import Settings

    given = {FLAG_FIELDS[k.replace("_", "-")]: v for k, v in flags.items() if v is not None}
    fields = given or None
    paths = paths or (() if fields else (Path("."),))
    configured = _config(config_file, paths)
    settings = Settings(
        paths=paths,
        fields=fields,
        cos_prefix=_prefix(*_given(cos_prefix, "--cos-prefix", configured.cos_prefix)),
        known_anchors=_anchors(*_given(known_anchors, "--known-anchors", configured.known_anchors)),
        strict=_first(strict, configured.strict, False),
        jobs=_first(jobs, configured.jobs, 0),
        allow_outside_root=allow_outside_root,
        cache=not no_cache and configured.cache is not False,
        config=configured,
        pinned=config_file is not None,
        committing=bool(os.environ.get("PRE_COMMIT")),
    )
    with _configuration_errors():  # a configuration found below the first path
        early = click.get_current_context().obj  # entry.py's worker
        report = run(settings, _progress(), early)
    if not (report.requests or report.files or allow_empty):
        raise NothingToCheck(_nothing_found(report))
    anchors = known_anchors or configured.known_anchors
    inputs = (*report.inputs, *([anchors] if anchors else []))
    _check_targets(report, inputs, output, [path for _, path in reports], emit_request)
    if emit_request is not None:
        _emit(report, emit_request)
    _write(report, output_format, output)
    for name, path in reports:
        _write(report, name, path, "--report")
    if "github" in (output_format, *(name for name, _ in reports)):
        _step_summary(report)
    sys.exit(0 if exit_zero else report.exit_code)


@cli.command()
@click.argument(
    "files", nargs=-1, required=True, type=click.Path(path_type=Path), callback=_existing
)
@_format_option(INSPECTION_REPORTERS)
@_strict_option
@_cache_option
@_config_option
def inspect(
    files: tuple[Path, ...],
    output_format: str,
    strict: bool | None,
    no_cache: bool,
    config_file: Path | None,
) -> None:
    """Show the facts preflight reads from each file, and which make types accept it."""
    from preflight.engine import inspect as inspect_files
    from preflight.settings import Settings

    configured = _config(config_file, files)
    settings = Settings(
        paths=files,
        strict=_first(strict, configured.strict, False),
        jobs=_first(None, configured.jobs, 0),
        cache=not no_cache and configured.cache is not False,
        config=configured,
        pinned=config_file is not None,
    )
    with _configuration_errors():
        inspections = inspect_files(settings)
    click.echo(_printable(INSPECTION_REPORTERS[output_format](inspections, _color())), nl=False)


@cli.command()
@_format_option(CATALOGUE_REPORTERS)
def rules(output_format: str) -> None:
    """Print the rule catalogue: id, severity, limit and when each rule fires."""
    from preflight.reporters.catalogue import render

    click.echo(render(output_format), nl=False)


_T = TypeVar("_T")


def _first(option: _T | None, configured: _T | None, default: _T) -> _T:
    """The command line's value, else the configuration's, else the default."""
    return option if option is not None else configured if configured is not None else default


def _given(option: _T | None, flag: str, configured: _T | None) -> tuple[_T | None, str]:
    """The value to use and where it came from, for error messages."""
    return (option, flag) if option is not None else (configured, f"{flag[2:]} (configuration)")


def _config(explicit: Path | None, paths: tuple[Path, ...]) -> Config:
    """The run's configuration, for its run-wide values: the file given, else the nearest one
    above the first input (each file's own nearest governs its rules: see config.Configs)."""
    from preflight import config
    from preflight.rules import RULES

    first = Path(os.path.abspath(paths[0] if paths else "."))
    start = first if first.is_dir() else first.parent
    with _configuration_errors():
        found = explicit or config.find(start)
        return config.Config() if found is None else config.load(found, RULES, explicit is None)


@contextmanager
def _configuration_errors() -> Iterator[None]:
    """A configuration that cannot be used is exit 2, its message safe for a CI log."""
    from preflight.config import ConfigError

    try:
        yield
    except ConfigError as error:
        raise ConfigurationError(printable(str(error))) from None


_ANCHORS_BYTES_MAX = 16 << 20  # a million names and more


def _anchors(path: Path | None, hint: str) -> frozenset[str]:
    """AnchorNames already taken: one a line, `#` comments, any UTF-8 (with or without BOM),
    from a regular file of at most _ANCHORS_BYTES_MAX."""
    from preflight.config import ConfigError, read_bounded

    if path is None:
        return frozenset()
    try:
        text = read_bounded(path, _ANCHORS_BYTES_MAX).decode("utf-8-sig")
    except (ConfigError, UnicodeDecodeError) as error:
        unicode = isinstance(error, UnicodeDecodeError)
        reason = f"cannot read {path}: not UTF-8 text" if unicode else str(error)
        raise click.BadParameter(printable(reason), param_hint=hint) from None
    lines = (line.strip() for line in text.splitlines())
    return frozenset(line for line in lines if line and not line.startswith("#"))


def _prefix(value: str | None, hint: str) -> str | None:
    """The PathPrefix as the upload-credentials API returns it (`{domain}/customer-pipeline/
    {digits}/{uuid}/`), with https:// added when it has no scheme."""
    if value is None:
        return None
    prefix = (value if "://" in value else f"https://{value.lstrip('/')}").rstrip("/") + "/"
    match = UPLOAD_PREFIX.search(prefix)
    if not prefix.startswith(("https://", "http://")) or not match or match.end() != len(prefix):
        raise click.BadParameter(
            printable(f"{value!r} is not an upload PathPrefix ({{domain}}/customer-pipeline/")
            + "{digits}/{uuid}/)",
            param_hint=hint,
        )
    return prefix


def _write(report: Report, name: str, output: Path | None, hint: str = "--output") -> None:
    if output is None:
        click.echo(_printable(REPORTERS[name](report, _color())), nl=False)
        return
    from preflight import outputs

    try:
        output.parent.mkdir(parents=True, exist_ok=True)
        text = _printable(REPORTERS[name](report, False))
        outputs.write_text(output, text, outputs.public_mode())
    except OSError as error:
        raise click.BadParameter(
            f"cannot write {printable(str(output))}: {error.strerror}", param_hint=hint
        ) from None


def _step_summary(report: Report) -> None:
    """On GitHub Actions, the Markdown summary is appended to the job's summary page."""
    summary = os.environ.get("GITHUB_STEP_SUMMARY")
    if not summary:
        return
    try:
        with open(summary, "a", encoding="utf-8") as stream:
            stream.write(_printable(REPORTERS["markdown"](report, False)))
    except OSError as error:
        click.echo(f"preflight: cannot append to {printable(summary)}: {error.strerror}", err=True)


def _progress() -> Progress | None:
    """A progress line on stderr for a person at a terminal; nothing in CI or under pre-commit
    (their logs keep every carriage return)."""
    if not sys.stderr.isatty() or os.environ.get("CI") or os.environ.get("PRE_COMMIT"):
        return None

    def show(done: int, total: int) -> None:
        if total < _PROGRESS_FROM:
            return
        width = 30
        bar = "#" * (width * done // total)
        end = "\r\033[K" if done == total else ""  # cleared once done: stderr stays quiet
        sys.stderr.write(f"\rprobing [{bar:<{width}}] {done}/{total} files{end}")
        sys.stderr.flush()

    return show


def _printable(text: str) -> str:
    """File names that are not UTF-8 reach us as lone surrogates: print them as \\udcXX."""
    return text.encode("utf-8", "backslashreplace").decode("utf-8")


def _nothing_found(report: Report) -> str:
    """Why a run checked nothing: no manifest where it searched, the media files it saw there
    (a folder's media are checked through its manifests), the paths it skipped."""
    from preflight.discover import MANIFEST_NAMES

    reasons = [f"no manifest found (manifests are named {MANIFEST_NAMES})"]
    searched = report.searched
    if searched.media:
        listed = ", ".join(printable(name) for name in searched.media)
        more = searched.media_seen - len(searched.media)
        reasons.append(
            f"media files seen without one: {listed}" + (f" and {more} more" if more > 0 else "")
        )
    for skipped in report.skipped[:_NAMED_MAX]:
        reasons.append(f"{printable(skipped.path)} skipped: {skipped.reason}")
    if searched.excluded:
        reasons.append(f"{searched.excluded} excluded by the configuration")
    return "; ".join(reasons)


_NAMED_MAX = 5  # paths named in a message: the first few say enough


def _check_targets(
    report: Report,
    inputs: tuple[Path, ...],
    output: Path | None,
    reports: list[Path],
    emit_request: Path | None,
) -> None:
    """Before anything is written: no target through a symlink out of a work tree (one the
    checked repository could plant), none onto a file the run read (exit 2, naming it)."""
    from preflight import outputs

    targets: list[tuple[Path, Path | None, str]] = [(p.parent, p, "--report") for p in reports]
    if output is not None:
        targets.append((output.parent, output, "--output"))
    if emit_request is not None:
        bodies = [emit_request / f"{name}.json" for name in _body_names(report)]
        targets += [(emit_request, body, "--emit-request") for body in bodies]
        targets.append((emit_request, None, "--emit-request"))  # written even with no request
    read = outputs.identities(inputs)
    folders: set[Path] = set()
    for folder, file, hint in targets:
        try:
            if folder not in folders:
                outputs.check_folder(folder)
                folders.add(folder)
            if file is not None:
                outputs.check_not_input(file, read)
        except outputs.TargetError as error:
            raise click.BadParameter(printable(str(error)), param_hint=hint) from None


def _emit(report: Report, folder: Path) -> None:
    """One API body per request, `avatars/tom/request.toml` → `DIR/tom.json`."""
    from preflight import outputs

    try:
        folder.mkdir(parents=True, exist_ok=True)
        mode = outputs.public_mode()
        for request, name in zip(report.requests, _body_names(report), strict=True):
            text = _printable(dumps(request.request))
            outputs.write_text(folder / f"{name}.json", text, mode)
    except OSError as error:
        raise click.BadParameter(
            f"cannot write to {printable(str(folder))}: {error.strerror}",
            param_hint="--emit-request",
        ) from None


def _body_names(report: Report) -> list[str]:
    """Each request's body's file name (without `.json`), made unique with -2, -3…"""
    names: list[str] = []
    taken: set[str] = set()
    for request in report.requests:
        name = stem = _body_name(request.source)
        number = 2
        while name in taken:
            name, number = f"{stem}-{number}", number + 1
        taken.add(name)
        names.append(name)
    return names


def _body_name(source: str) -> str:
    """Named after the manifest, never itself a manifest name (so a later run skips it)."""
    from preflight.manifest import COMMAND_LINE

    if source == COMMAND_LINE:
        return "command-line"
    stem = os.path.basename(source).rsplit(".", 1)[0].removesuffix(".request")
    if stem == "request":
        return os.path.basename(os.path.dirname(os.path.abspath(source))) or "request"
    return stem


def _color() -> bool:
    """Color only for a person at a terminal, and never when NO_COLOR is set."""
    return sys.stdout.isatty() and not os.environ.get("NO_COLOR")


def main(early: EarlyProbing | None = None) -> None:
    """`early`: a probing worker started before click loaded, for `check`; stopped here if
    no run adopted it."""
    try:
        with _ended_by_signals():
            cli.main(prog_name="preflight", standalone_mode=True, obj=early)
    except SystemExit:
        raise
    except Interrupted as interrupted:  # the workers are stopped by now: see Interrupted
        import signal

        name = signal.Signals(interrupted.signal_number).name
        click.echo(f"preflight: interrupted ({name}): no report", err=True)
        sys.exit(128 + interrupted.signal_number)
    except Exception as error:  # an internal error is exit 2, never a bare traceback
        message = printable(f"{type(error).__name__}: {error}")
        click.echo(f"preflight: internal error: {message}", err=True)
        sys.exit(2)
    finally:
        if early is not None:
            early.stop()


@contextmanager
def _ended_by_signals() -> Iterator[None]:
    """Ctrl-C, SIGTERM and SIGHUP raise Interrupted for the time of the run (a signal that the
    caller ignores, as nohup or a background job does, stays ignored); the handlers are put
    back after."""
    import signal

    def interrupt(signal_number: int, frame: object) -> None:
        raise Interrupted(signal_number)

    previous = {}
    for name in _ENDING_SIGNALS:
        number = getattr(signal, name, None)
        if number is not None and signal.getsignal(number) is not signal.SIG_IGN:
            previous[number] = signal.signal(number, interrupt)
    try:
        yield
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)

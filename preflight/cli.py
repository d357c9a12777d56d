"""The command line: options → Settings → engine → reporter → exit code. Nothing else."""

from __future__ import annotations

import functools
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, TypeVar

import click

from preflight import version_line
from preflight.fields import FIELDS, UPLOAD_PREFIX
from preflight.i18n import LANGUAGES, N_, _, set_language
from preflight.manifest import FLAG_FIELDS
from preflight.names import printable
from preflight.report import Report
from preflight.reporters.formats import CATALOGUE_REPORTERS, INSPECTION_REPORTERS, REPORTERS
from preflight.reporters.json_report import dumps

if TYPE_CHECKING:
    from preflight.config import Config
    from preflight.probe import EarlyProbing
    from preflight.probe.pool import Progress
    from preflight.settings import Settings


_PROGRESS_FROM = 8  # files: fewer are probed before a bar could be read


def _request_flags(command: Callable[..., None]) -> Callable[..., None]:
    """One option per payload field, for a request given on the command line."""
    for flag, field in reversed(FLAG_FIELDS.items()):
        if FIELDS[field].type is bool:
            option = click.option(
                f"--{flag}/--no-{flag}",
                default=None,
                help=_("{field} of a request given with flags.").format(field=field),
            )
        else:
            option = click.option(
                f"--{flag}",
                metavar="FILE" if FIELDS[field].is_file else "TEXT",
                help=_("{field} of a request given with flags.").format(field=field),
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
        help=_("Output format on stdout."),
    )


_LANG_GIVEN = "preflight.lang-given"  # in the context's meta: --lang outranks the `lang` setting


def _lang(context: click.Context, param: click.Parameter, value: str | None) -> None:
    for language in LANGUAGES:
        if value == language:
            set_language(language)
            context.meta[_LANG_GIVEN] = True


_lang_option = click.option(
    "--lang",
    type=click.Choice(LANGUAGES),
    expose_value=False,
    is_eager=True,
    callback=_lang,
    help=_(
        "Language of messages and help: en or zh (default: the `lang` setting, else the locale)."
    ),
)


def _version(context: click.Context, param: click.Parameter, value: bool) -> None:
    if value:
        click.echo(version_line(), nl=False)
        context.exit()


_HEADINGS = {"Options": N_("Options"), "Commands": N_("Commands"), "Arguments": N_("Arguments")}


class _Formatter(click.HelpFormatter):
    """Click's own words of the help in the run's language (click looks them up in the locale's
    gettext catalogs, not in preflight's)."""

    def write_usage(self, prog: str, args: str = "", prefix: str | None = None) -> None:
        super().write_usage(prog, args, _("Usage:") + " " if prefix is None else prefix)

    def write_heading(self, heading: str) -> None:
        super().write_heading(_(_HEADINGS.get(heading, heading)))


class _Context(click.Context):
    formatter_class = _Formatter


def _help_option(option: click.Option | None) -> click.Option | None:
    if option is not None:
        option.help = _("Show this message and exit.")
    return option


class _Command(click.Command):
    context_class = _Context

    def get_help_option(self, ctx: click.Context) -> click.Option | None:
        return _help_option(super().get_help_option(ctx))


class _Group(click.Group):
    context_class = _Context
    command_class = _Command

    def get_help_option(self, ctx: click.Context) -> click.Option | None:
        return _help_option(super().get_help_option(ctx))


@click.group(
    cls=_Group,
    context_settings={"help_option_names": ["-h", "--help"]},
    help=_("Check a Tencent Cloud AI Digital Human customization request before uploading it."),
)
@click.option(
    "--version",
    is_flag=True,
    expose_value=False,
    is_eager=True,
    callback=_version,
    help=_("Show the version and exit."),
)
@_lang_option
def cli() -> None:
    pass


class ConfigurationError(click.ClickException):
    """A configuration file that cannot be used: exit 2, like a usage error."""

    exit_code = 2


class NothingToCheck(click.ClickException):
    """A run that found no manifest and no media file: exit 2, like a usage error (a typo in a
    path, or a misnamed manifest, must not pass a gate)."""

    exit_code = 2

    def format_message(self) -> str:
        return _("nothing to check: {reasons} (--allow-empty lets such a run pass)").format(
            reasons=self.message
        )


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
            raise click.BadParameter(
                _("{path}: no such file or folder").format(path=printable(str(path)))
            )
    return paths


def _reports(
    context: click.Context, param: click.Parameter, values: tuple[str, ...]
) -> list[tuple[str, Path]]:
    """`--report FORMAT:PATH`, any number of times."""
    reports = []
    for value in values:
        name, _colon, path = value.partition(":")
        if name not in REPORTERS or not path:
            raise click.BadParameter(
                _("{value} is not FORMAT:PATH with FORMAT one of {formats}").format(
                    value=repr(value), formats=", ".join(REPORTERS)
                )
            )
        reports.append((name, Path(path)))
    return reports


_strict_option = click.option("--strict/--no-strict", default=None, help=_("Warnings fail too."))
_cache_option = click.option(
    "--no-cache",
    is_flag=True,
    help=_(
        "Probe every file again, without reading or writing the cache (in the user's cache "
        "folder, or PREFLIGHT_CACHE_DIR)."
    ),
)
_content_option = click.option(
    "--no-content",
    is_flag=True,
    help=_("Read headers only: no analysis of faces or speech (the fastest run)."),
)
_deep_option = click.option(
    "--deep",
    is_flag=True,
    help=_("Decode every frame of each video: black stretches, frozen picture, cuts (slow)."),
)
_config_option = click.option(
    "--config",
    "config_file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help=_(
        "Use this configuration file for every path, instead of each file's nearest "
        ".preflight.toml or pyproject.toml [tool.preflight]."
    ),
)


@cli.command(
    help=_("Check manifests, folders of manifests, or media files (as pre-commit passes them).")
)
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path), callback=_existing)
@_request_flags
@_format_option(REPORTERS)
@click.option(
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help=_("Write the report to FILE instead of stdout."),
)
@click.option(
    "--report",
    "reports",
    multiple=True,
    metavar="FORMAT:PATH",
    callback=_reports,
    help=_("Also write the report in FORMAT to PATH; repeatable (e.g. sarif:preflight.sarif)."),
)
@click.option(
    "--emit-request",
    type=click.Path(file_okay=False, path_type=Path),
    help=_("Write each request body to DIR, named after its manifest."),
)
@click.option("--cos-prefix", help=_("The PathPrefix of the upload credentials, for the URLs."))
@click.option(
    "--known-anchors",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help=_("A file of AnchorNames already taken, one per line."),
)
@_strict_option
@click.option(
    "--exit-zero", is_flag=True, help=_("Exit 0 even when requests fail (advisory runs).")
)
@click.option(
    "--quiet",
    "-q",
    is_flag=True,
    help=_("Text format: print only what fails, and the summary line."),
)
@click.option(
    "--jobs",
    type=click.IntRange(min=0),
    help=_("Processes for probing; 0 (the default) uses every core on large batches."),
)
@click.option(
    "--allow-outside-root",
    is_flag=True,
    help=_("Let manifests in a git work tree name files outside it."),
)
@click.option(
    "--allow-empty",
    is_flag=True,
    help=_("Pass a run that finds no manifest and no media file (by default: exit 2)."),
)
@_cache_option
@_content_option
@_deep_option
@_config_option
@_lang_option
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
    quiet: bool,
    jobs: int | None,
    allow_outside_root: bool,
    allow_empty: bool,
    no_cache: bool,
    no_content: bool,
    deep: bool,
    config_file: Path | None,
    **flags: Any,
) -> None:
    from preflight.engine import run
    from preflight.settings import Settings

    given = {FLAG_FIELDS[k.replace("_", "-")]: v for k, v in flags.items() if v is not None}
    fields = given or None
    paths = paths or (() if fields else (Path("."),))
    configured = _config(config_file, paths)
    _configured_lang(configured)
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
        content=not no_content,
        deep=deep,
        previews="html" in (output_format, *(name for name, _path in reports)),
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
    _write(report, output_format, output, quiet=quiet)
    for name, path in reports:
        _write(report, name, path, "--report")
    if "github" in (output_format, *(name for name, _ in reports)):
        _step_summary(report)
    sys.exit(0 if exit_zero else report.exit_code)


@cli.command(
    help=_("Show the facts preflight reads from each file, and which make types accept it.")
)
@click.argument(
    "files", nargs=-1, required=True, type=click.Path(path_type=Path), callback=_existing
)
@_format_option(INSPECTION_REPORTERS)
@_strict_option
@_cache_option
@_content_option
@_deep_option
@_config_option
@_lang_option
def inspect(
    files: tuple[Path, ...],
    output_format: str,
    strict: bool | None,
    no_cache: bool,
    no_content: bool,
    deep: bool,
    config_file: Path | None,
) -> None:
    from preflight.engine import inspect as inspect_files

    settings = _settings(files, config_file, strict, no_cache, no_content, deep)
    with _configuration_errors():
        inspections = inspect_files(settings)
    click.echo(_printable(INSPECTION_REPORTERS[output_format](inspections, _color())), nl=False)


@cli.command(
    help=_(
        "Write conforming copies of failing files and a rewritten manifest (the inputs are "
        "never touched), then check them again: before → after, and what needs a person."
    )
)
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path), callback=_existing)
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    help=_(
        "Write the copies to DIR, mirroring the manifests' folders (default: a "
        "preflight-fixed/ folder beside each manifest)."
    ),
)
@click.option("--dry-run", is_flag=True, help=_("Print the plan and the exact commands only."))
@click.option(
    "--fit",
    type=click.Choice(["pad", "crop"]),
    default="pad",
    show_default=True,
    help=_("How a video reaches 16:9 or 9:16: pad with black bars, or crop."),
)
@click.option(
    "--jobs",
    type=click.IntRange(min=0),
    default=0,
    help=_("Files fixed at once; 0 (the default): one per core."),
)
@click.option(
    "--ffmpeg",
    "ffmpeg_exe",
    type=click.Path(exists=True, dir_okay=False),
    help=_("The ffmpeg to run (default: the one in the imageio-ffmpeg wheel)."),
)
@_format_option(REPORTERS)
@_strict_option
@_cache_option
@_content_option
@_config_option
@_lang_option
def fix(
    paths: tuple[Path, ...],
    out: Path | None,
    dry_run: bool,
    fit: Literal["pad", "crop"],
    jobs: int,
    ffmpeg_exe: str | None,
    output_format: str,
    strict: bool | None,
    no_cache: bool,
    no_content: bool,
    config_file: Path | None,
) -> None:
    from preflight import outputs
    from preflight.fix import report as fix_report
    from preflight.fix.run import Options
    from preflight.fix.run import fix as fix_requests

    settings = _settings(paths or (Path("."),), config_file, strict, no_cache, no_content)
    options = Options(out, dry_run, fit, jobs, ffmpeg_exe)
    try:
        with _configuration_errors():
            result = fix_requests(settings, options, _fix_progress())
    except outputs.TargetError as error:
        raise click.BadParameter(printable(str(error)), param_hint="--out") from None
    except OSError as error:
        where = printable(str(error.filename or out or _("the output folder")))
        raise click.BadParameter(
            _("cannot write {path}: {reason}").format(path=where, reason=error.strerror),
            param_hint="--out",
        ) from None
    if not result.requests:
        raise NothingToCheck(_nothing_found(result.before))
    rendered = fix_report.render(result, output_format, _color())
    click.echo(_printable(rendered), nl=False)
    sys.exit(result.exit_code)


def _settings(
    paths: tuple[Path, ...],
    config_file: Path | None,
    strict: bool | None,
    no_cache: bool,
    no_content: bool,
    deep: bool = False,
) -> Settings:
    """The settings of a run over files and manifests given (`inspect`, `fix`): the options
    over the configuration of the first path, or the one given."""
    from preflight.settings import Settings

    configured = _config(config_file, paths)
    _configured_lang(configured)
    return Settings(
        paths=paths,
        strict=_first(strict, configured.strict, False),
        jobs=_first(None, configured.jobs, 0),
        cache=not no_cache and configured.cache is not False,
        config=configured,
        pinned=config_file is not None,
        content=not no_content,
        deep=deep,
    )


def _at_terminal() -> bool:
    """A person at a terminal is watching stderr: not CI, nor pre-commit (their logs keep every
    carriage return)."""
    return sys.stderr.isatty() and not os.environ.get("CI") and not os.environ.get("PRE_COMMIT")


def _fix_progress() -> Callable[[str, float], None] | None:
    """Per file, how far its ffmpeg run is, on one line of stderr for a person at a terminal."""
    if not _at_terminal():
        return None
    import threading

    lock = threading.Lock()
    done: dict[str, float] = {}

    def show(name: str, fraction: float) -> None:
        with lock:
            done[name] = fraction
            running = [f"{printable(n)} {f:.0%}" for n, f in done.items() if f < 1]
            said = _("fixing {files}").format(files=" · ".join(running))
            line = said[:100] if running else ""
            sys.stderr.write(f"\r\033[K{line}")
            sys.stderr.flush()

    return show


@cli.command(help=_("Print the rule catalogue: id, severity, limit and when each rule fires."))
@_format_option(CATALOGUE_REPORTERS)
@_lang_option
def rules(output_format: str) -> None:
    from preflight.reporters.catalogue import render

    click.echo(render(output_format), nl=False)


_T = TypeVar("_T")


def _first(option: _T | None, configured: _T | None, default: _T) -> _T:
    """The command line's value, else the configuration's, else the default."""
    return option if option is not None else configured if configured is not None else default


def _configured_lang(configured: Config) -> None:
    """The configuration's `lang`, unless --lang was given."""
    if configured.lang is not None and not click.get_current_context().meta.get(_LANG_GIVEN):
        set_language(configured.lang)


def _given(option: _T | None, flag: str, configured: _T | None) -> tuple[_T | None, str]:
    """The value to use and where it came from, for error messages."""
    if option is not None:
        return option, flag
    return configured, _("{setting} (configuration)").format(setting=flag[2:])


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
        reason = (
            _("cannot read {path}: not UTF-8 text").format(path=path) if unicode else str(error)
        )
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
            printable(repr(value))
            + _(" is not an upload PathPrefix ({domain}/customer-pipeline/{digits}/{uuid}/)"),
            param_hint=hint,
        )
    return prefix


def _write(
    report: Report, name: str, output: Path | None, hint: str = "--output", quiet: bool = False
) -> None:
    render = REPORTERS[name]
    if quiet and name == "text":
        from preflight.reporters import text as text_format

        render = functools.partial(text_format.render, quiet=True)
    if output is None:
        click.echo(_printable(render(report, _color())), nl=False)
        return
    from preflight import outputs

    try:
        output.parent.mkdir(parents=True, exist_ok=True)
        text = _printable(render(report, False))
        outputs.write_text(output, text, outputs.public_mode())
    except OSError as error:
        raise click.BadParameter(
            _("cannot write {path}: {reason}").format(
                path=printable(str(output)), reason=error.strerror
            ),
            param_hint=hint,
        ) from None


def _step_summary(report: Report) -> None:
    """On GitHub Actions, the Markdown summary, with every finding, is appended to the job's
    summary page."""
    summary = os.environ.get("GITHUB_STEP_SUMMARY")
    if not summary:
        return
    try:
        with open(summary, "a", encoding="utf-8") as stream:
            from preflight.reporters.markdown import job_summary

            stream.write(_printable(job_summary(report)))
    except OSError as error:
        said = _("cannot append to {path}: {reason}")
        click.echo(
            "preflight: " + said.format(path=printable(summary), reason=error.strerror), err=True
        )


def _progress() -> Progress | None:
    """A progress line on stderr for a person at a terminal; nothing in CI or under pre-commit
    (their logs keep every carriage return)."""
    if not _at_terminal():
        return None

    def show(done: int, total: int) -> None:
        if total < _PROGRESS_FROM:
            return
        width = 30
        bar = "#" * (width * done // total)
        end = "\r\033[K" if done == total else ""  # cleared once done: stderr stays quiet
        line = _("probing [{bar}] {done}/{total} files").format(
            bar=f"{bar:<{width}}", done=done, total=total
        )
        sys.stderr.write(f"\r{line}{end}")
        sys.stderr.flush()

    return show


def _printable(text: str) -> str:
    """File names that are not UTF-8 reach us as lone surrogates: print them as \\udcXX."""
    return text.encode("utf-8", "backslashreplace").decode("utf-8")


def _nothing_found(report: Report) -> str:
    """Why a run checked nothing: no manifest where it searched, the media files it saw there
    (a folder's media are checked through its manifests), the paths it skipped."""
    from preflight.discover import MANIFEST_NAMES

    reasons = [_("no manifest found (manifests are named {names})").format(names=MANIFEST_NAMES)]
    searched = report.searched
    if searched.media:
        listed = ", ".join(printable(name) for name in searched.media)
        more = searched.media_seen - len(searched.media)
        if more > 0:
            listed = _("{listed} and {count} more").format(listed=listed, count=more)
        reasons.append(_("media files seen without one: {listed}").format(listed=listed))
    for skipped in report.skipped[:_NAMED_MAX]:
        said = _("{path} skipped: {reason}")
        reasons.append(said.format(path=printable(skipped.path), reason=skipped.reason))
    if searched.excluded:
        reasons.append(_("{count} excluded by the configuration").format(count=searched.excluded))
    return _("; ").join(reasons)


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
    if not targets:
        return  # a report to the terminal alone: no file read needs to be told apart
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
            if name != _body_name(request.source):  # another request's body has that name
                said = _(
                    "preflight: the body of {source} is written as {name}.json ({usual}.json "
                    "is another request's)"
                )
                click.echo(
                    said.format(
                        source=printable(request.source),
                        name=printable(name),
                        usual=printable(_body_name(request.source)),
                    ),
                    err=True,
                )
    except OSError as error:
        raise click.BadParameter(
            _("cannot write to {path}: {reason}").format(
                path=printable(str(folder)), reason=error.strerror
            ),
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
        click.echo(
            "preflight: " + _("interrupted ({signal}): no report").format(signal=name), err=True
        )
        sys.exit(128 + interrupted.signal_number)
    except Exception as error:  # an internal error is exit 2, never a bare traceback
        message = printable(f"{type(error).__name__}: {error}")
        click.echo("preflight: " + _("internal error: {error}").format(error=message), err=True)
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

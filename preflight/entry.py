"""The `preflight` command. `--version` and `rules` are answered before click and the rule
machinery's other modules load: they run in editors and hooks, where start-up is the cost.
`check` starts its first probing worker before click loads, for the same reason, and hands it
to the command line."""

from __future__ import annotations

import os
import sys
from typing import NoReturn


def run() -> NoReturn:
    """The `preflight` command (its console script, `python -m preflight`): `main`, then the
    process ends as soon as its output is flushed. Its workers are reaped and its files written
    and closed by then; what is left is the interpreter taking apart every object of the run,
    a tenth of a large run's time that nobody waits for usefully. (`main` alone is for calls in
    a process that goes on, the tests'.)"""
    try:
        main()
        code = 0
    except SystemExit as ended:
        code = _exit_code(ended.code)
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a closed pipe (`| head`), a closed stream
            code = code or 1
    os._exit(code)


def _exit_code(code: object) -> int:
    """The status that sys.exit(code) would end the process with."""
    if code is None:
        return 0
    if isinstance(code, int):
        return code
    print(code, file=sys.stderr)  # sys.exit("message"): printed, status 1
    return 1


def main() -> None:
    args = sys.argv[1:]
    if args == ["--version"]:
        from preflight import version_line

        sys.stdout.write(version_line())
        return
    from preflight import i18n

    i18n.set_language(i18n.from_arguments(args) or i18n.from_locale())  # once, before any text
    if args[:1] == ["rules"]:
        from preflight.reporters.catalogue import FORMATS, render

        chosen = _catalogue_format(args[1:], tuple(FORMATS))
        if chosen is not None:
            sys.stdout.write(render(chosen))
            return
    early = None
    if args[:1] == ["check"]:
        from preflight.probe import start_early

        early = start_early(args[1:])  # loads the parsers on the other core while click loads
    from preflight.cli import main as cli_main  # everything else, errors and help included

    cli_main(early)


def _catalogue_format(options: list[str], formats: tuple[str, ...]) -> str | None:
    """The format `rules` was asked for, when the options are only that; None otherwise."""
    if not options:
        return "text"
    for name in formats:
        if options in (["--format", name], [f"--format={name}"]):
            return name
    return None

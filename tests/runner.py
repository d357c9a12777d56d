"""Running the command line in-process, as the tests do."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from click.testing import CliRunner

from preflight.cli import cli


def invoke(*args: str, cwd: Path | None = None) -> tuple[int, str]:
    runner = CliRunner()
    if cwd is None:
        result = runner.invoke(cli, list(args), catch_exceptions=False)
    else:
        old = Path.cwd()
        os.chdir(cwd)
        try:
            result = runner.invoke(cli, list(args), catch_exceptions=False)
        finally:
            os.chdir(old)
    return result.exit_code, result.stdout


def report_of(*args: str, cwd: Path | None = None) -> tuple[int, dict[str, Any]]:
    code, out = invoke("check", "--format", "json", *args, cwd=cwd)
    return code, json.loads(out)


def rules_of(report: dict[str, Any]) -> set[str]:
    return {f["rule"] for r in report["requests"] for f in r["findings"]} | {
        f["rule"] for i in report["files"] for v in i["verdicts"] for f in v["findings"]
    }

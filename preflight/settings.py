"""What one run was asked to do: the CLI fills it (options over configuration), the engine
reads it."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from preflight.config import Config


@dataclass(frozen=True)
class Settings:
    paths: tuple[Path, ...] = ()
    fields: dict[str, Any] | None = None  # a request given with command-line flags
    cos_prefix: str | None = None
    known_anchors: frozenset[str] = frozenset()
    strict: bool = False
    jobs: int = 0  # 0: one process per core when the batch is large enough to pay for it
    allow_outside_root: bool = False
    cache: bool = False  # reuse facts of unchanged files from the user cache folder (cache.py)
    # The run's configuration, whose run-wide values are above (the nearest to the first path,
    # or --config); it governs every file only when `pinned`, else each file's nearest does.
    config: Config = field(default_factory=Config)
    pinned: bool = False
    committing: bool = False  # run by pre-commit (PRE_COMMIT set): a commit is being made
    content: bool = True  # analyse what files contain (faces, speech); --no-content: headers only
    deep: bool = False  # decode every frame of a video (black, frozen, cuts): --deep
    previews: bool = False  # make pictures of the files for the html format (probe.preview)
    cwd: Path = field(default_factory=Path.cwd)

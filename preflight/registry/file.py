"""Any local file, whatever field holds it: can it be read, and is it what it says."""

from __future__ import annotations

from preflight.registry.rule import Rule

MISSING = Rule("file.missing", "error", "the path does not exist", "", "SPEC §4")
NOT_REGULAR = Rule(
    "file.not-regular",
    "error",
    "a directory, FIFO, device or socket (never opened for reading)",
    "",
    "SPEC §4",
)
LFS_POINTER = Rule(
    "file.lfs-pointer", "error", "the file is a Git LFS pointer, not the content", "", "SPEC §4"
)
UNREADABLE = Rule(
    "file.unreadable", "error", "truncated, corrupt, empty or unparsable", "", "SPEC §4"
)
TYPE_MISMATCH = Rule(
    "file.type-mismatch",
    "error",
    "the content is not the kind the field needs (a zip as video material, …)",
    "",
    "SPEC §4",
)
EXTENSION_MISMATCH = Rule(
    "file.extension-mismatch",
    "warning",
    "the content's real format disagrees with the file extension",
    "",
    "SPEC §4",
)
OUTSIDE_ROOT = Rule(
    "file.outside-root",
    "error",
    "a manifest inside a git work tree points (after symlinks) outside it",
    "",
    "SPEC §4",
)
RULES = (
    MISSING,
    NOT_REGULAR,
    LFS_POINTER,
    UNREADABLE,
    TYPE_MISMATCH,
    EXTENSION_MISMATCH,
    OUTSIDE_ROOT,
)

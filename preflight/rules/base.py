"""What a file rule family looks at (a Subject) and what it offers (the Family protocol)."""

from __future__ import annotations

import functools
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from preflight.limits import MakeType
from preflight.probe.facts import FileFacts
from preflight.report import JSON, Finding, Severity
from preflight.rule import Rule

if TYPE_CHECKING:
    from preflight.materials import Material


class Family(Protocol):
    """A module of rules on one kind of material: its rules, and the checks that produce
    them. A Git LFS pointer records only its content's size: `check_recorded_size` judges
    that alone (a family with no size limit yields nothing)."""

    RULES: tuple[Rule, ...]

    def check(self, subject: Subject) -> Iterator[Finding]: ...

    def check_recorded_size(self, subject: Subject) -> Iterator[Finding]: ...


class Analysis(Protocol):
    """A module of rules on what a file contains (faces, every frame): they judge the facts
    that a content analysis added, and none when there are none (--no-content)."""

    RULES: tuple[Rule, ...]

    def check(self, subject: Subject) -> Iterator[Finding]: ...

    def judged(self, subject: Subject) -> tuple[Rule, ...]:
        """The rules that judged the file: its facts' analyses'."""
        ...


@dataclass(frozen=True)
class Subject:
    """One local file as one field of one request uses it."""

    field: str
    make_type: MakeType | None
    file: FileFacts
    outside_root: str | None = None  # the work tree the path escapes, when it does
    template: str | None = None  # the ${COS_PATH_PREFIX} value that names the file, if one does
    untracked: Severity | None = None  # file.untracked's level: git's index does not have it
    # For a file that does not exist: whether a manifest names it (its paths are relative to
    # its folder; a request given with flags names paths from the working folder), and the
    # existing file in that folder it most likely meant
    in_manifest: bool = False
    near: str | None = None

    @functools.cached_property
    def material(self) -> Material | None:
        """The role the file plays: None where the make type, and so the role, is unknown."""
        from preflight.materials import material_for  # the table imports the families

        return material_for(self.field, self.make_type)

    def finding(
        self,
        rule: Rule,
        message: str,
        *,
        actual: JSON = None,
        limit: str | None = None,
        hint: str | None = None,
    ) -> Finding:
        return rule.finding(
            message, field=self.field, path=self.file.path, actual=actual, limit=limit, hint=hint
        )

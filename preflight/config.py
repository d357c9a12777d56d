"""Configuration: `.preflight.toml`, or `[tool.preflight]` in `pyproject.toml`. Each file is
governed by the nearest one above it (ruff's per-file model), or by one pinned for the run
(`--config`). Validated strictly and bounded: an unknown key, rule or level, a file that is not
a regular file of sane size, or too many globs is an error that names it (the CLI exits 2)."""

from __future__ import annotations

import json
import os
import stat
import tomllib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from fnmatch import fnmatchcase as fnmatch
from pathlib import Path
from typing import Any, Literal

from preflight.i18n import LANGUAGES, N_, Language, _
from preflight.names import did_you_mean
from preflight.report import Configured

Level = Literal["error", "warning", "off"]
LEVELS: tuple[Level, ...] = ("error", "warning", "off")
FILE_NAME = ".preflight.toml"
_TABLE = "[tool.preflight]"
CONFIG_BYTES_MAX = 1 << 20  # a configuration is a few hundred bytes; a pyproject.toml a few KB
GLOBS_MAX = 1000  # `exclude` globs, or `per-path-ignores` entries, in one file
GLOB_CHARS_MAX = 1000


class ConfigError(Exception):
    """The configuration cannot be used; the message names the file and the key."""


@dataclass(frozen=True)
class Config:
    path: Path | None = None  # None: no configuration file was found
    levels: Mapping[str, Level] = field(default_factory=dict)  # rule ID → level
    per_path_ignores: tuple[tuple[str, frozenset[str]], ...] = ()  # glob → rule IDs
    exclude: tuple[str, ...] = ()  # globs of paths never checked
    known_anchors: Path | None = None
    cos_prefix: str | None = None
    strict: bool | None = None
    jobs: int | None = None
    cache: bool | None = None
    lang: Language | None = None

    def excludes(self, path: Path) -> bool:
        """Whether an absolute path, or a folder it is in, matches an `exclude` glob."""
        relative = self._relative(path) if self.exclude else None
        if relative is None:
            return False
        parts = relative.split("/")
        prefixes = ["/".join(parts[: n + 1]) for n in range(len(parts))]
        return any(fnmatch(p, glob) for glob in self.exclude for p in prefixes)

    def ignores(self, path: Path, rule_id: str) -> bool:
        """Whether `per-path-ignores` silences a rule on an absolute path."""
        relative = self._relative(path) if self.per_path_ignores else None
        return relative is not None and any(
            rule_id in rules and fnmatch(relative, glob) for glob, rules in self.per_path_ignores
        )

    def _relative(self, path: Path) -> str | None:
        """The path relative to the configuration's folder, `/`-separated; None outside it."""
        if self.path is None:
            return None
        relative = os.path.relpath(path, self.path.parent)
        outside = relative == os.pardir or relative.startswith(os.pardir + os.sep)
        return None if outside else Path(relative).as_posix()

    def described(self, shown: str, run_wide: bool) -> Configured:
        """What the file changes, for the report; its run-wide values only when they applied."""
        values = {
            "strict": self.strict,
            "jobs": self.jobs,
            "cache": self.cache,
            "cos-prefix": self.cos_prefix,
            "known-anchors": None if self.known_anchors is None else str(self.known_anchors),
            "lang": self.lang,
        }
        return Configured(
            shown,
            dict(self.levels),
            {glob: sorted(rule_ids) for glob, rule_ids in self.per_path_ignores},
            list(self.exclude),
            {k: v for k, v in values.items() if v is not None} if run_wide else {},
        )


@dataclass
class Configs:
    """The configuration that governs each path: the one pinned for the run, else the nearest
    in its folder or above. Each folder's is found, and each file loaded, once (the files of
    one run share a few folders); `used` lists those that governed something, in order. One
    instance serves one run."""

    rule_ids: frozenset[str]
    pinned: Config | None = None
    folders: dict[Path, Config] = field(default_factory=dict)
    loaded: dict[Path, Config] = field(default_factory=dict)  # by file
    used: dict[Path, Config] = field(default_factory=dict)  # by file, in order of first use

    def seed(self, config: Config) -> None:
        """A configuration loaded already (the run's own, for its run-wide values)."""
        if config.path is not None:
            self.loaded[config.path] = self.used[config.path] = config

    def governing(self, path: Path) -> Config:
        """The configuration of an absolute path: that of its folder."""
        return self.of_folder(path.parent)

    def excludes(self, path: Path) -> bool:
        """Whether the configuration that governs an absolute path excludes it."""
        return self.governing(path).excludes(path)

    def of_folder(self, folder: Path) -> Config:
        config = self.pinned or self._nearest(folder)
        if config.path is not None:
            self.used.setdefault(config.path, config)
        return config

    def _nearest(self, folder: Path) -> Config:
        known = self.folders.get(folder)
        if known is not None:  # nearly every call: the files of a run share a few folders
            return known
        walked = []  # the folders between `folder` and the nearest one known or configured
        config, each = None, folder
        while True:
            if each in self.folders:
                config = self.folders[each]
                break
            walked.append(each)
            found = in_folder(each)
            if found is not None:
                if found not in self.loaded:
                    self.loaded[found] = load(found, self.rule_ids)
                config = self.loaded[found]
                break
            if each.parent == each:
                break
            each = each.parent
        config = config or Config()
        for each in walked:
            self.folders[each] = config
        return config


def find(start: Path) -> Path | None:
    """The nearest configuration file in `start` or a folder above it."""
    for folder in (start, *start.parents):
        found = in_folder(folder)
        if found is not None:
            return found
    return None


def in_folder(folder: Path) -> Path | None:
    """The folder's configuration file: `.preflight.toml` whatever it is (a FIFO or a dangling
    symlink is refused when it is read, never passed over), else a `pyproject.toml` with the
    table."""
    candidate = os.path.join(folder, FILE_NAME)  # strings: asked of every folder of a run
    if os.path.lexists(candidate):
        return Path(candidate)
    pyproject = os.path.join(folder, "pyproject.toml")
    if os.path.lexists(pyproject) and _has_table(Path(pyproject)):
        return Path(pyproject)
    return None


def read_bounded(path: Path, limit: int) -> bytes:
    """The bytes of a regular file of at most `limit` bytes. Anything else (a FIFO, whose open
    would block for ever; a device such as /dev/zero; a folder; a symlink loop; a larger file)
    is refused, naming the path, before a byte of it is read."""
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
    try:
        fd = os.open(path, flags)
    except OSError as error:
        said = _("cannot read {path}: {reason}").format(path=path, reason=error.strerror)
        raise ConfigError(said) from None
    info = os.fstat(fd)
    if not stat.S_ISREG(info.st_mode):
        os.close(fd)
        raise ConfigError(_("cannot read {path}: it is not a regular file").format(path=path))
    with os.fdopen(fd, "rb") as stream:
        data = stream.read(limit + 1) if info.st_size <= limit else b""
        if info.st_size > limit or len(data) > limit:
            said = _("cannot read {path}: it is larger than {size} KiB")
            raise ConfigError(said.format(path=path, size=limit // 1024))
    return data


def load(path: Path, rule_ids: Iterable[str], found: bool = True) -> Config:
    """Read and validate one configuration file against the known rule IDs. One `found` in a
    checked tree (not given with --config) belongs to that tree: in a git work tree, neither it
    nor the files it names may lie, after symlinks, outside the work tree (a pull request's
    configuration must not read the CI machine's files, nor tell of them in the report)."""
    root = _work_tree(path.parent) if found else None
    if root is not None:
        _inside(path, root, str(path))
    document = _read(path)
    table = document.get("tool", {}).get("preflight", {}) if _is_pyproject(path) else document
    where = f"{path} {_TABLE}" if _is_pyproject(path) else str(path)
    return _Parser(path, where, frozenset(rule_ids), root).parse(table)


def _work_tree(folder: Path) -> Path | None:
    from preflight.paths import WorkTrees

    root = WorkTrees().root(folder)
    return Path(os.path.realpath(root)) if root is not None else None


def _inside(path: Path, root: Path, where: str) -> None:
    from preflight.paths import inside

    if not inside(os.path.realpath(path), str(root)):
        raise ConfigError(
            _(
                "{where} resolves outside the git work tree {root}: a configuration found in the "
                "checked tree may not read files outside it (give one with --config)"
            ).format(where=where, root=root)
        )


def _has_table(pyproject: Path) -> bool:
    tool = _read(pyproject).get("tool")
    return isinstance(tool, dict) and "preflight" in tool


def _is_pyproject(path: Path) -> bool:
    return path.name == "pyproject.toml"


def _read(path: Path) -> dict[str, Any]:
    data = read_bounded(path, CONFIG_BYTES_MAX)
    try:
        return tomllib.loads(data.decode("utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        said = _("{path} is not valid TOML: {error}").format(path=path, error=error)
        raise ConfigError(said) from None
    except RecursionError:  # arrays or inline tables nested thousands deep
        said = _("{path} is not valid TOML: it is nested too deep").format(path=path)
        raise ConfigError(said) from None


@dataclass(frozen=True)
class _Parser:
    path: Path
    where: str
    rule_ids: frozenset[str]
    root: Path | None  # the work tree the files the configuration names must lie in

    def parse(self, table: Mapping[str, Any]) -> Config:
        readers: dict[str, Callable[[str, Any], Any]] = {
            "rules": self._levels,
            "per-path-ignores": self._ignores,
            "exclude": self._globs,
            "known-anchors": self._file,
            "cos-prefix": self._text,
            "strict": self._bool,
            "cache": self._bool,
            "jobs": self._jobs,
            "lang": self._lang,
        }
        values: dict[str, Any] = {}
        for key, value in table.items():
            if key not in readers:
                misplaced = self._misplaced_rule(key, value)
                if misplaced is not None:
                    raise misplaced
                raise self._error(key, _("is not a setting"), did_you_mean(key, readers))
            values[key.replace("-", "_")] = readers[key](key, value)
        levels = values.pop("rules", {})
        ignores = values.pop("per_path_ignores", ())
        return Config(self.path, levels, ignores, **values)

    def _levels(self, key: str, value: Any) -> dict[str, Level]:
        table = self._table(key, value)
        levels: dict[str, Level] = {}
        for rule_id, level in table.items():
            self._rule(f'{key}."{rule_id}"', rule_id)
            if level not in LEVELS:
                raise self._error(
                    f'{key}."{rule_id}"',
                    _("has the level {level}; levels are {levels}").format(
                        level=repr(level), levels=", ".join(LEVELS)
                    ),
                    did_you_mean(str(level), LEVELS),
                )
            levels[rule_id] = level
        return levels

    def _ignores(self, key: str, value: Any) -> tuple[tuple[str, frozenset[str]], ...]:
        table = self._table(key, value)
        self._bounded(key, table)
        ignores = []
        for glob, rule_ids in table.items():
            listed = self._strings(f"{key}.{glob!r}", rule_ids)
            for rule_id in listed:
                self._rule(f"{key}.{glob!r}", rule_id)
            ignores.append((glob, frozenset(listed)))
        return tuple(ignores)

    def _globs(self, key: str, value: Any) -> tuple[str, ...]:
        globs = self._strings(key, value)
        self._bounded(key, globs)
        return tuple(globs)

    def _bounded(self, key: str, globs: Iterable[str]) -> None:
        """Globs are matched against every path a run sees: their number and length are
        bounded, so that a configuration cannot make the run slow."""
        listed = list(globs)
        if len(listed) > GLOBS_MAX:
            said = _("has {count} globs; at most {max} are allowed")
            raise self._error(key, said.format(count=len(listed), max=GLOBS_MAX))
        if any(len(glob) > GLOB_CHARS_MAX for glob in listed):
            said = _("has a glob longer than {max} characters").format(max=GLOB_CHARS_MAX)
            raise self._error(key, said)

    def _file(self, key: str, value: Any) -> Path:
        file = self.path.parent / self._text(key, value)
        if self.root is not None:
            _inside(file, self.root, f"{self.where}: {key} {file}")
        return file

    def _text(self, key: str, value: Any) -> str:
        if not isinstance(value, str):
            said = _("must be a string, not {type}").format(type=_toml_type(value))
            raise self._error(key, said)
        return value

    def _bool(self, key: str, value: Any) -> bool:
        if not isinstance(value, bool):
            said = _("must be true or false, not {type}").format(type=_toml_type(value))
            raise self._error(key, said)
        return value

    def _jobs(self, key: str, value: Any) -> int:
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise self._error(key, _("must be a whole number ≥ 0 (0: every core)"))
        return value

    def _lang(self, key: str, value: Any) -> Language:
        for language in LANGUAGES:
            if value == language:
                return language
        said = _("must be one of {values}, not {value}")
        raise self._error(key, said.format(values=", ".join(LANGUAGES), value=repr(value)))

    def _table(self, key: str, value: Any) -> dict[str, Any]:
        if not isinstance(value, dict):
            said = _("must be a table, not {type}").format(type=_toml_type(value))
            raise self._error(key, said)
        return value

    def _strings(self, key: str, value: Any) -> list[str]:
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise self._error(key, _("must be a list of strings"))
        return value

    def _rule(self, key: str, rule_id: str) -> None:
        if rule_id not in self.rule_ids:
            raise self._error(
                key,
                _("names the rule {rule}, which does not exist").format(rule=repr(rule_id)),
                did_you_mean(rule_id, self.rule_ids),
            )

    def _misplaced_rule(self, key: str, value: Any) -> ConfigError | None:
        """A rule's level at the top level instead of in [rules]: `"video.fps" = "off"`, or
        `video.fps = "off"`, which TOML reads as a table `video` holding `fps`."""
        levels = {key: value} if key in self.rule_ids else {}
        if isinstance(value, dict):
            levels = {
                f"{key}.{sub}": v for sub, v in value.items() if f"{key}.{sub}" in self.rule_ids
            }
        if not levels:
            return None
        rule_id, level = next(iter(levels.items()))
        shown = json.dumps(level) if isinstance(level, str) else '"off"'
        return ConfigError(
            _(
                "{where}: {rule!r} is a rule, not a setting: a rule's level goes in the [rules] "
                'table; did you mean [rules] "{rule}" = {level}?'
            ).format(where=self.where, rule=rule_id, level=shown)
        )

    def _error(self, key: str, problem: str, guess: str | None = None) -> ConfigError:
        if guess:
            said = _("{where}: {key} {problem}; did you mean {guess}?")
        else:
            said = _("{where}: {key} {problem}")
        return ConfigError(
            said.format(where=self.where, key=repr(key), problem=problem, guess=repr(guess))
        )


def _toml_type(value: Any) -> str:
    names = {bool: N_("a boolean"), int: N_("a number"), float: N_("a number")}
    names.update({str: N_("a string"), list: N_("an array"), dict: N_("a table")})
    kind = type(value)
    return _(names[kind]) if kind in names else kind.__name__

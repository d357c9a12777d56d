"""Messages in English and Simplified Chinese: every message has a Chinese text, the compiled
catalog is the .po compiled, and the language is chosen by --lang, the `lang` setting, then the
locale. The reports are real runs of the command line on the fixture requests."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from babel.messages.mofile import read_mo

from preflight import i18n, translations
from preflight.i18n import CATALOGS
from tests.runner import invoke

ROOT = Path(__file__).resolve().parent.parent
_FIELD = re.compile(r"\{[^{}]*\}")


def _catalog(name: str) -> Any:
    return translations.read(translations.po_path(name), name)


@pytest.mark.parametrize("name", CATALOGS.values())
def test_every_message_has_a_chinese_text(name: str) -> None:
    """Run `python -m preflight.translations`, then fill the empty msgstr it lists."""
    gaps = translations.missing(_catalog(name), translations.template())
    assert not gaps, f"{len(gaps)} messages untranslated in {name}:\n" + "\n".join(gaps)


@pytest.mark.parametrize("name", CATALOGS.values())
def test_the_mo_is_the_po_compiled(name: str) -> None:
    path = translations.po_path(name)
    with path.with_suffix(".mo").open("rb") as stream:
        shipped = translations.translated(read_mo(stream))
    assert shipped == translations.translated(_catalog(name)), (
        "run `python -m preflight.translations` to compile the .po"
    )


@pytest.mark.parametrize("name", CATALOGS.values())
def test_translations_keep_every_placeholder(name: str) -> None:
    wrong = []
    for message in _catalog(name):
        if not message.id or not message.string:
            continue
        source = message.id[-1] if isinstance(message.id, tuple) else message.id
        texts = message.string if isinstance(message.string, tuple) else (message.string,)
        wrong += [
            source for text in texts if set(_FIELD.findall(text)) != set(_FIELD.findall(source))
        ]
    assert not wrong


def test_no_message_is_marked_inside_an_f_string() -> None:
    """Babel does not look inside f-strings: `f"{_('fix:')}"` would never be extracted."""
    marked = re.compile(r"""\bf(["']).*\{_\(["']""")
    found = [
        f"{path.relative_to(ROOT)}:{number}"
        for path in sorted((ROOT / "preflight").rglob("*.py"))
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if marked.search(line)
    ]
    assert not found


def _run(*args: str, locale: str = "C.UTF-8", cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("LC_ALL", "LC_MESSAGES", "LANGUAGE")}
    env["LANG"] = locale
    return subprocess.run(
        [sys.executable, "-m", "preflight", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        encoding="utf-8",
        check=False,
    )


# What may stay English on a Chinese line: quoted names, a request's title (its MakeType and
# AnchorName), the actual value (the user's data), a fix command, and words with digits, dots,
# slashes or underscores (paths, IDs, units).
_DATA = re.compile(
    r"'[^']*'|\"[^\"]*\"|  \([^()]* · .*\)$|实际 .*?(?= · |$)|修复：.*$|\S*[\d./_\\-]\S*"
)
_WORDS = re.compile(r"\b[A-Za-z]{2,}(?:[ ,]+[A-Za-z]{2,}){2,}\b")  # three words in a row


def _english(line: str) -> str | None:
    """An English phrase left on a line: three words in a row, one of them longer than an
    enum's three letters (`chi, eng, can` are values, not a sentence)."""
    for found in _WORDS.finditer(_DATA.sub(" ", line)):
        if any(len(word) > 3 for word in re.findall(r"[A-Za-z]+", found[0])):
            return found[0]
    return None


def test_the_whole_text_report_is_in_chinese_under_a_chinese_locale() -> None:
    english = _run("check", "--no-cache", "fixtures/requests")
    chinese = _run("check", "--no-cache", "fixtures/requests", locale="zh_CN.UTF-8")
    assert (chinese.returncode, chinese.stderr) == (english.returncode, english.stderr)
    pairs = list(zip(english.stdout.splitlines(), chinese.stdout.splitlines(), strict=True))
    assert len(pairs) > 50
    same = [zh for en, zh in pairs if zh.strip() and zh == en]
    assert not same, "lines left in English:\n" + "\n".join(same)
    left = [f"{zh}  ← {_english(zh)!r}" for _, zh in pairs if _english(zh)]
    assert not left, "English phrases in the Chinese report:\n" + "\n".join(left)
    assert chinese.stdout.splitlines()[-1].startswith("检查了 ")


def test_lang_en_overrides_a_chinese_locale() -> None:
    english = _run("check", "--no-cache", "fixtures/requests")
    overridden = _run(
        "check", "--no-cache", "--lang", "en", "fixtures/requests", locale="zh_CN.UTF-8"
    )
    assert overridden.stdout == english.stdout


def test_json_keys_and_rule_ids_stay_english() -> None:
    english = json.loads(
        _run("check", "--no-cache", "--format", "json", "fixtures/requests").stdout
    )
    chinese = json.loads(
        _run("check", "--no-cache", "--format=json", "--lang=zh", "fixtures/requests").stdout
    )

    def shape(value: Any) -> Any:
        if isinstance(value, dict):
            return {key: shape(item) for key, item in value.items()}
        return [shape(item) for item in value] if isinstance(value, list) else None

    assert shape(chinese) == shape(english)
    pairs = [
        (en, zh)
        for old, new in zip(english["requests"], chinese["requests"], strict=True)
        for en, zh in zip(old["findings"], new["findings"], strict=True)
    ]
    assert [zh["rule"] for _, zh in pairs] == [en["rule"] for en, _ in pairs]
    assert [zh["severity"] for _, zh in pairs] == [en["severity"] for en, _ in pairs]
    assert all(zh["message"] != en["message"] for en, zh in pairs)


def test_help_is_in_chinese_under_a_chinese_locale() -> None:
    top = _run("--help", locale="zh_CN.UTF-8")
    assert "在上传之前检查腾讯云智能数字人定制请求的素材。" in top.stdout
    check = _run("check", "--help", locale="zh_CN.UTF-8")
    assert "把报告写入 FILE，而不是输出到标准输出。" in check.stdout
    assert "Write the report to FILE" not in check.stdout
    english = _run("check", "--help", "--lang", "en", locale="zh_CN.UTF-8")
    assert "Write the report to FILE instead of stdout." in english.stdout


def test_the_rule_catalogue_in_chinese() -> None:
    catalogue = _run("rules", locale="zh_CN.UTF-8").stdout  # the fast path, without click
    assert "触发条件 [限制]" in catalogue
    assert re.search(r"\nvideo\.fps +error +平均帧率不在 25–60 fps 之间 \[25–60 fps\]\n", catalogue)
    assert _run("rules", "--lang", "zh").stdout == catalogue  # through click


def test_the_lang_setting_chooses_and_lang_outranks_it(tmp_path: Path) -> None:
    folder = tmp_path / "avatar"
    folder.mkdir()
    (folder / "request.toml").write_text('MakeType = "IMAGE"\n', encoding="utf-8")
    (tmp_path / ".preflight.toml").write_text('lang = "zh"\n', encoding="utf-8")
    code, chinese = invoke("check", str(folder))
    assert code == 1
    assert "缺少必填字段 AnchorName" in chinese
    i18n.set_language("en")
    code, english = invoke("check", "--lang", "en", str(folder))
    assert "AnchorName is required" in english
    assert '设置 lang = "zh"' not in english


def test_an_unknown_lang_setting_is_a_configuration_error(tmp_path: Path) -> None:
    (tmp_path / "request.toml").write_text('MakeType = "IMAGE"\n', encoding="utf-8")
    (tmp_path / ".preflight.toml").write_text('lang = "fr"\n', encoding="utf-8")
    code, _ = invoke("check", str(tmp_path))
    assert code == 2


@pytest.mark.parametrize(
    ("environment", "language"),
    [
        ({"LANG": "zh_CN.UTF-8"}, "zh"),
        ({"LANG": "zh_TW.UTF-8"}, "zh"),
        ({"LC_MESSAGES": "zh_CN.UTF-8", "LANG": "en_US.UTF-8"}, "zh"),
        ({"LC_ALL": "C.UTF-8", "LC_MESSAGES": "zh_CN.UTF-8"}, "en"),  # LC_ALL decides first
        ({"LC_ALL": "zh_CN.GB18030", "LANG": "en_US.UTF-8"}, "zh"),
        ({"LANG": "de_DE.UTF-8"}, "en"),
    ],
)
def test_the_locale_is_read_in_posix_order(environment: dict[str, str], language: str) -> None:
    assert i18n.from_locale(environment) == language


def test_lang_on_the_command_line_is_read_before_click() -> None:
    assert i18n.from_arguments(["check", "--lang", "zh", "a.toml"]) == "zh"
    assert i18n.from_arguments(["--lang=en", "check"]) == "en"
    assert i18n.from_arguments(["check", "--", "--lang", "zh"]) is None
    assert i18n.from_arguments(["check", "--lang", "fr"]) is None


def test_a_catalog_never_compiled_leaves_english(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(i18n, "LOCALE_DIR", str(tmp_path))
    i18n.set_language("zh")
    assert i18n._("no such file") == "no such file"
    assert i18n.language() == "zh"


def test_chinese_then_english_in_one_process() -> None:
    i18n.set_language("zh")
    assert i18n._("no such file") == "文件不存在"
    assert i18n.counted(3, "{n} error", "{n} errors") == "3 个错误"
    i18n.set_language("en")
    assert i18n.counted(3, "{n} error", "{n} errors") == "3 errors"

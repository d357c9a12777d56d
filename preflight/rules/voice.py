"""Rules for the voice-clone zip (MaterialCosUrl of VOICE): a flat zip of 1–10 WAV files.

Everything is judged from the central directory and the head of each member (see
preflight.probe.archive); nothing is extracted.

Which findings stop which:
- The content is another archive (7z, rar, …), or the zip as a whole cannot be read:
  zip.corrupt alone, since no entry can be trusted.
- An entry that cannot be read (damaged header, CRC failure, unparsable WAV header) gets
  zip.corrupt, and an encrypted entry zip.encrypted; their content is unknown, so the
  content rules (non-wav, extension-case, filename, sample-rate, total-size) skip them,
  and zip.count does not claim "no WAV" while any content is unknown.
- An entry with an unsafe path gets zip.unsafe-path and is not listed again in zip.folders.
- The name rules (extension-case, filename) judge WAV entries only: any other entry is
  already zip.non-wav, and must leave the zip or be converted first.
- Entries past the probe's read budget are not judged by content: file.unjudged says so
  (and so many entries mean zip.count or zip.non-wav fires on the ones that were read).
"""

from __future__ import annotations

import functools
import re
import shlex
from collections.abc import Callable, Iterator, Sequence
from pathlib import PurePosixPath

from preflight.hints import ffmpeg_command, sibling
from preflight.i18n import N_, _, counted
from preflight.limits import (
    NAME_CHARSET_TEXT,
    WAV_MIN_SAMPLE_RATE,
    ZIP_MAX_AUDIO_BYTES,
    ZIP_MAX_WAVS,
    ZIP_MIN_WAVS,
    human_bytes,
)
from preflight.names import clean_name, outside_charset, shown, split_name
from preflight.probe.facts import ZipEntry, ZipFacts
from preflight.probe.sniff import KIND
from preflight.report import Finding
from preflight.rule import Rule
from preflight.rules.base import Subject
from preflight.rules.file import unjudged

_PAGE = "API page: MaterialCosUrl (voice zip) item"

CORRUPT = Rule(
    "zip.corrupt",
    "error",
    "not a readable zip, bad central directory, CRC failure on what was read",
    "a readable .zip archive",
    f"{_PAGE} 2",
)
ENCRYPTED = Rule(
    "zip.encrypted",
    "error",
    "any encrypted (password-protected) entry",
    "no password",
    "SPEC §4",
)
UNSAFE_PATH = Rule(
    "zip.unsafe-path",
    "error",
    "an entry with an absolute path or a '..' component",
    "names relative to the zip, without '..'",
    "SPEC §4",
)
FOLDERS = Rule(
    "zip.folders",
    "error",
    "any directory entry or entry in a folder (incl. __MACOSX/), i.e. not flat",
    "no folders: zip the WAV files themselves",
    f"{_PAGE} 2",
)
COUNT = Rule(
    "zip.count",
    "error",
    "not 1–10 WAV files",
    f"{ZIP_MIN_WAVS}–{ZIP_MAX_WAVS} WAV files",
    f"{_PAGE} 3①",
)
NON_WAV = Rule(
    "zip.non-wav",
    "error",
    "an entry that is not a WAV by content (RIFF/WAVE), whatever its name",
    "WAV files only",
    f"{_PAGE} 3③",
)
EXTENSION_CASE = Rule(
    "zip.extension-case",
    "error",
    "a WAV whose extension is not lowercase .wav",
    "lowercase .wav",
    f"{_PAGE} 3⑤",
)
FILENAME = Rule(
    "zip.filename",
    "error",
    "a WAV whose name stem is outside the name charset",
    f"name: {NAME_CHARSET_TEXT}",
    f"{_PAGE} 3⑤",
)
TOTAL_SIZE = Rule(
    "zip.total-size",
    "error",
    "the audio files declare more than 1 GB in total",
    f"≤ {human_bytes(ZIP_MAX_AUDIO_BYTES)} of audio in total",
    f"{_PAGE} 3②",
)
SAMPLE_RATE = Rule(
    "zip.sample-rate",
    "error",
    "a WAV sampled below 24 kHz",
    f"≥ {WAV_MIN_SAMPLE_RATE} Hz",
    f"{_PAGE} 3④",
)
RULES: tuple[Rule, ...] = (
    CORRUPT,
    ENCRYPTED,
    UNSAFE_PATH,
    FOLDERS,
    COUNT,
    NON_WAV,
    EXTENSION_CASE,
    FILENAME,
    TOTAL_SIZE,
    SAMPLE_RATE,
)

_KINDS = {"audio": N_("audio"), "video": N_("video"), "image": N_("image")}  # and archive, document
_KINDS.update(archive=N_("archive"), document=N_("document"))
_LISTED_MAX = 5  # names quoted in one message before "and N more"
Recipe = Callable[[], str | None]  # the command that rebuilds the zip, if one can


_DRIVE = re.compile(r"^[A-Za-z]:")
_SEPARATORS = re.compile(r"[/\\]")
_NAME_MAX = 255  # bytes in a file name on common file systems
_RESAMPLED_TAG = f"{WAV_MIN_SAMPLE_RATE // 1000}k"  # a.wav resampled → a-24k.wav


def check(subject: Subject) -> Iterator[Finding]:
    file = subject.file
    if file.format != "zip":
        yield subject.finding(
            CORRUPT,
            _("the content is a {format} archive, not a zip").format(
                format=file.format or "unknown"
            ),
            actual=file.format,
            hint=f"python3 -m zipfile -c {shlex.quote(sibling(file.path, extension='zip'))} *.wav",
        )
        return
    facts = file.media
    if not isinstance(facts, ZipFacts):
        return
    if facts.problem is not None:
        yield subject.finding(CORRUPT, _(facts.problem), actual=file.format)
        return
    files = [e for e in facts.entries if not e.is_dir]
    wavs = [e for e in files if e.content == "wav" and e.problem is None]
    by_problem: dict[str, list[str]] = {}
    for entry in files:
        if entry.problem is not None:
            by_problem.setdefault(entry.problem, []).append(entry.name)
    for problem, names in by_problem.items():  # one finding per cause, naming its entries
        said = counted(len(names), "entry {names}: {problem}", "entries {names}: {problem}")
        message = said.format(names=_listed(names), problem=_(problem))
        yield subject.finding(CORRUPT, message, actual=len(names))
    yield from _encrypted(subject, files)
    # One fix for every finding below, written when the first of them needs it.
    recipe: Recipe = functools.cache(lambda: _rezip(subject.file.path, wavs))
    yield from _paths(subject, facts, recipe)
    yield from _count(subject, files, wavs)
    yield from _non_wav(subject, files, recipe)
    for entry in wavs:
        yield from _wav_name(subject, entry, recipe)
        yield from _sample_rate(subject, entry, recipe)
    yield from _total_size(subject, files)
    if facts.entries_not_read:
        yield _not_read(subject, facts.entries_not_read)


def _not_read(subject: Subject, count: int) -> Finding:
    return unjudged(
        subject,
        NON_WAV,
        counted(
            count,
            "the content of {n} entry was not read (a zip of so many entries is read only in "
            "part), so whether it is a WAV file, and its sample rate, is unknown",
            "the content of {n} entries was not read (a zip of so many entries is read only in "
            "part), so whether they are WAV files, and their sample rates, is unknown",
        ),
    )


def _encrypted(subject: Subject, files: Sequence[ZipEntry]) -> Iterator[Finding]:
    locked = [e.name for e in files if e.encrypted]
    if locked:
        yield subject.finding(
            ENCRYPTED,
            counted(
                len(locked),
                "{names} is password-protected; zip the WAV files again without a password",
                "{names} are password-protected; zip the WAV files again without a password",
            ).format(names=_listed(locked)),
            actual=len(locked),
        )


def _paths(subject: Subject, facts: ZipFacts, recipe: Recipe) -> Iterator[Finding]:
    unsafe = [e for e in facts.entries if _unsafe(e.name)]
    unsafe_names = {e.name for e in unsafe}
    for entry in unsafe:
        yield subject.finding(
            UNSAFE_PATH,
            _(
                "entry {name} has an absolute path or a '..' component, which points outside "
                "the zip"
            ).format(name=f"'{shown(entry.name)}'"),
            actual=shown(entry.name),
            hint=recipe(),
        )
    nested = [
        e.name
        for e in facts.entries
        if e.name not in unsafe_names and (e.is_dir or _folder(e.name))
    ]
    if nested:
        advice = _("select the WAV files themselves and zip them, without a folder")
        if all(is_mac_metadata(name) for name in nested):
            advice = _(
                "these are macOS Finder metadata (__MACOSX/); zip the WAV files with a tool "
                "that leaves it out, e.g. zip -j -X"
            )
        flat = counted(
            len(nested),
            "the zip is not flat: {names} is a folder or in one; {advice}",
            "the zip is not flat: {names} are folders or in one; {advice}",
        )
        yield subject.finding(
            FOLDERS,
            flat.format(names=_listed(nested), advice=advice),
            actual=len(nested),
            hint=recipe(),
        )


def _count(
    subject: Subject, files: Sequence[ZipEntry], wavs: Sequence[ZipEntry]
) -> Iterator[Finding]:
    unknown = any((e.content is None and not e.symlink) or e.problem for e in files)
    if len(wavs) > ZIP_MAX_WAVS:
        yield subject.finding(
            COUNT,
            _(
                "the zip holds {count} WAV files; at most {max} are allowed (split them over "
                "several voices, or keep the best ones)"
            ).format(count=len(wavs), max=ZIP_MAX_WAVS),
            actual=len(wavs),
        )
    elif len(wavs) < ZIP_MIN_WAVS and not unknown:
        yield subject.finding(
            COUNT,
            _("the zip holds no WAV file; it needs {min}–{max} WAV files").format(
                min=ZIP_MIN_WAVS, max=ZIP_MAX_WAVS
            ),
            actual=0,
        )


def _non_wav(subject: Subject, files: Sequence[ZipEntry], recipe: Recipe) -> Iterator[Finding]:
    metadata = [e.name for e in files if is_mac_metadata(e.name) and not e.symlink]
    if metadata:  # one finding for the Finder's leftovers, however many files it zipped
        yield subject.finding(
            NON_WAV,
            counted(
                len(metadata),
                "{names} is macOS metadata, not a WAV file; leave it out of the zip",
                "{names} are macOS metadata, not WAV files; leave them out of the zip",
            ).format(names=_listed(metadata)),
            actual=len(metadata),
            hint=recipe(),
        )
    for entry in files:
        if is_mac_metadata(entry.name) and not entry.symlink:
            continue
        if entry.symlink:
            what = _("a symbolic link")
        elif entry.content is None or entry.content == "wav" or entry.problem is not None:
            continue  # not read, or a WAV: nothing to say here
        else:
            what = _describe(entry)
        hint: str | None
        if KIND.get(entry.content or "") in ("audio", "video"):
            base = basename(entry.name)
            target = wav_named(base)
            hint = ffmpeg_command(base, target)
            advice = _("convert it to WAV ({name}) and put that in the zip in its place").format(
                name=shown(target)
            )
        else:
            hint, advice = recipe(), _("leave it out of the zip")
        yield subject.finding(
            NON_WAV,
            _("entry {name} is {what}, not a WAV file; {advice}").format(
                name=f"'{shown(entry.name)}'", what=what, advice=advice
            ),
            actual="symlink" if entry.symlink else entry.content,
            hint=hint,
        )


def _wav_name(subject: Subject, entry: ZipEntry, recipe: Recipe) -> Iterator[Finding]:
    base = basename(entry.name)
    stem, extension = split_name(base)
    if extension != "wav":
        if extension is not None:
            said = _(
                "WAV entry {name} ends in {extension}; the extension must be lowercase '.wav' "
                "(rename it {new}, then zip it again)"
            )
        else:
            said = _(
                "WAV entry {name} has no extension; the extension must be lowercase '.wav' "
                "(rename it {new}, then zip it again)"
            )
        yield subject.finding(
            EXTENSION_CASE,
            said.format(
                name=f"'{shown(entry.name)}'",
                extension=f"'.{extension}'",
                new=shown(wav_named(base)),
            ),
            actual=f".{extension}" if extension is not None else "",
            hint=recipe(),
        )
    if outside_charset(stem):
        yield subject.finding(
            FILENAME,
            _(
                "WAV entry {name}: the name {stem} may only contain {charset} (no spaces, dots "
                "or other characters; rename it {new}, then zip it again)"
            ).format(
                name=f"'{shown(entry.name)}'",
                stem=f"'{shown(stem)}'",
                charset=_(NAME_CHARSET_TEXT),
                new=shown(wav_named(base)),
            ),
            actual=shown(stem),
            hint=recipe(),
        )


def _sample_rate(subject: Subject, entry: ZipEntry, recipe: Recipe) -> Iterator[Finding]:
    if not low_rate(entry):
        return
    target = wav_named(basename(entry.name), _RESAMPLED_TAG)
    yield subject.finding(
        SAMPLE_RATE,
        _(
            "WAV entry {name} is sampled at {rate} Hz, below {min} Hz; resample it to {new} "
            "(better still, export it again from the original recording at {min} Hz or more) "
            "and put the new file in the zip in its place"
        ).format(
            name=f"'{shown(entry.name)}'",
            rate=entry.wav.sample_rate if entry.wav else "?",
            min=WAV_MIN_SAMPLE_RATE,
            new=shown(target),
        ),
        actual=entry.wav.sample_rate if entry.wav else None,
        hint=recipe(),
    )


def low_rate(entry: ZipEntry) -> bool:
    return entry.wav is not None and entry.wav.sample_rate < WAV_MIN_SAMPLE_RATE


def check_recorded_size(subject: Subject) -> Iterator[Finding]:
    """For a Git LFS pointer: WAV audio barely compresses, so a zip recorded above the cap
    holds more audio than the cap allows."""
    size = subject.file.size
    if size is not None and size > ZIP_MAX_AUDIO_BYTES:
        yield subject.finding(
            TOTAL_SIZE,
            _("the zip is {size}, so the audio in it is above {max}").format(
                size=human_bytes(size), max=human_bytes(ZIP_MAX_AUDIO_BYTES)
            ),
            actual=size,
        )


def _total_size(subject: Subject, files: Sequence[ZipEntry]) -> Iterator[Finding]:
    audio = [e for e in files if KIND.get(e.content or "") == "audio"]
    total = sum(e.size for e in audio)
    if total > ZIP_MAX_AUDIO_BYTES:
        yield subject.finding(
            TOTAL_SIZE,
            counted(
                len(audio),
                "the {n} audio file declares {size} in total, above {max}",
                "the {n} audio files declare {size} in total, above {max}",
            ).format(size=human_bytes(total), max=human_bytes(ZIP_MAX_AUDIO_BYTES)),
            actual=total,
        )


def wav_named(base: str, tag: str = "") -> str:
    """A name the zip accepts for a WAV made from `base`, never `base` itself:
    'My Voice.WAV' → 'My_Voice.wav', or with the tag '24k' 'My_Voice-24k.wav'."""
    stem, _ = split_name(base)
    name = f"{clean_name(stem, 'voice')}{'-' + tag if tag else ''}.wav"
    return name if name != base else sibling(name, "fixed")


def _unsafe(name: str) -> bool:
    return name.startswith(("/", "\\")) or bool(_DRIVE.match(name)) or ".." in _parts(name)


def _folder(name: str) -> bool:
    return len([part for part in _parts(name) if part]) > 1


def _parts(name: str) -> list[str]:
    return _SEPARATORS.split(name)


def basename(name: str) -> str:
    return _parts(name)[-1]


def _rezip(path: str, wavs: Sequence[ZipEntry]) -> str | None:
    """Unpack with Python's zipfile, resample every WAV below the minimum rate, give every
    badly named WAV a name the zip accepts, and zip the WAVs again flat (zipfile's -c stores
    base names): one recipe that fixes all of it."""
    if not ZIP_MIN_WAVS <= len(wavs) <= ZIP_MAX_WAVS:  # none, or more than may go back in
        return None
    if any(len(e.name) > _NAME_MAX or not e.name.isprintable() for e in wavs):
        return None  # no file system takes such a name: no command can be written for it
    pure = PurePosixPath(path)
    folder = str(pure.with_name(f"{pure.stem}-unzipped"))
    steps = [shlex.join(["python3", "-m", "zipfile", "-e", path, folder])]
    members = []
    for entry in wavs:
        # Where zipfile's extraction puts the member: empty, '.' and '..' parts dropped.
        member = "/".join([folder, *(p for p in entry.name.split("/") if p not in ("", ".", ".."))])
        base = basename(entry.name)
        if low_rate(entry):
            resampled = str(PurePosixPath(member).with_name(wav_named(base, _RESAMPLED_TAG)))
            steps.append(ffmpeg_command(member, resampled, ar=WAV_MIN_SAMPLE_RATE))
            member = resampled
        elif badly_named(base):
            renamed = str(PurePosixPath(member).with_name(wav_named(base)))
            steps.append(shlex.join(["mv", member, renamed]))
            member = renamed
        members.append(member)
    steps.append(shlex.join(["python3", "-m", "zipfile", "-c", sibling(path, "flat"), *members]))
    return " && ".join(steps)


def badly_named(base: str) -> bool:
    stem, extension = split_name(base)
    return extension != "wav" or bool(outside_charset(stem))


def is_mac_metadata(name: str) -> bool:
    """What the macOS Finder adds to a zip: AppleDouble `._` files, `__MACOSX/`, .DS_Store."""
    base = basename(name) or name.rstrip("/")
    return name.startswith("__MACOSX/") or base.startswith("._") or base == ".DS_Store"


def _describe(entry: ZipEntry) -> str:
    if entry.size == 0:
        return _("empty")
    if entry.content == "unknown":
        return _("in no format preflight recognises")
    kind = KIND.get(entry.content or "")
    fmt = (entry.content or "").upper()
    if kind:
        return _("{format} {kind} data").format(format=fmt, kind=_(_KINDS[kind]))
    return _("{format} data").format(format=fmt)


def _listed(names: Sequence[str]) -> str:
    listed = ", ".join(f"'{shown(n)}'" for n in names[:_LISTED_MAX])
    more = len(names) - _LISTED_MAX
    return _("{listed} and {count} more").format(listed=listed, count=more) if more > 0 else listed

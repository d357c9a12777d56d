"""The voice-clone zip (MaterialCosUrl of VOICE): a flat zip of 1–10 WAV files."""

from __future__ import annotations

from preflight.limits import (
    NAME_CHARSET_TEXT,
    WAV_MIN_SAMPLE_RATE,
    ZIP_MAX_AUDIO_BYTES,
    ZIP_MAX_WAVS,
    ZIP_MIN_WAVS,
    human_bytes,
)
from preflight.registry.rule import Rule

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
RULES = (
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

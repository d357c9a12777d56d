"""Real speech and the ways producers spoil it. tests/data/speech.wav is espeak-ng reading one
sentence (made once: `espeak-ng -v en-us -s 160 -w raw.wav "Please check the voice before
you upload it, so that the review does not take days."`, then ffmpeg `-af
aresample=24000,adelay=250,apad=pad_dur=0.25 -ac 1 -c:a pcm_s16le`): 5.5 s, 24 kHz, 16-bit
mono, with a quarter second of silence at each end. The variants are made from it here."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import soundfile

from helpers.media import run_ffmpeg

SPEECH = Path(__file__).resolve().parent.parent / "data" / "speech.wav"
RATE = 24000


def samples() -> np.ndarray:
    data, rate = soundfile.read(SPEECH, dtype="float64")
    assert rate == RATE
    return np.asarray(data)


def wav(data: np.ndarray, rate: int = RATE) -> bytes:
    """16-bit PCM WAV of float samples (values beyond full scale are clipped, as a recorder's
    converter clips them)."""
    out = io.BytesIO()
    soundfile.write(out, np.clip(data, -1.0, 1.0), rate, "PCM_16", format="WAV")
    return out.getvalue()


def repeated(times: int) -> np.ndarray:
    return np.tile(samples(), times)


def clipped() -> np.ndarray:
    """The speech 20 dB too loud: its waves flattened at full scale."""
    return samples() * 10


def quiet() -> np.ndarray:
    """The speech 20 dB down (−41 dBFS RMS): a microphone too far away."""
    return samples() / 10


def noisy() -> np.ndarray:
    """The speech buried in white noise at about 10 dB SNR (a fixed seed)."""
    speech = samples()
    noise = np.random.default_rng(7).standard_normal(len(speech))
    return speech + noise * np.sqrt(np.mean(speech**2) / 10)


def padded(seconds: float = 4.0) -> np.ndarray:
    """The speech with long silence before and after it."""
    silence = np.zeros(int(seconds * RATE))
    return np.concatenate((silence, samples(), silence))


def upsampled(folder: Path, rate: int = 48000) -> Path:
    """The speech resampled down to 16 kHz and back up to `rate` by ffmpeg: nothing above 8 kHz."""
    low = folder / "speech-16k.wav"
    run_ffmpeg("-i", str(SPEECH), "-ar", "16000", str(low))
    path = folder / f"speech-16k-as-{rate // 1000}k.wav"
    run_ffmpeg("-i", str(low), "-ar", str(rate), "-c:a", "pcm_s16le", str(path))
    return path


def video_with(folder: Path, name: str, audio: str | None, seconds: float = 6.0) -> Path:
    """A small MP4 of `seconds` whose sound is `audio` (an ffmpeg input: a file, or lavfi's
    `anullsrc`), cut or padded to `seconds` unless it is shorter; None: no audio track."""
    path = folder / name
    args = ["-f", "lavfi", "-i", f"color=c=gray:size=320x180:rate=25:duration={seconds}"]
    if audio is not None:
        args += ["-f", "lavfi", "-i", audio] if audio.startswith("anullsrc") else ["-i", audio]
    args += ["-t", str(seconds), "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p"]
    if audio is not None:
        args += ["-c:a", "aac", "-b:a", "32k"]
    run_ffmpeg(*args, str(path))
    return path

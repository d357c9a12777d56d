"""What the samples of speech measure: each WAV of a voice zip, an audio file, a video's first
audio track. preflight.rules.speech judges the facts.

Read as a stream, BLOCK_S seconds at a time, so memory is one block's whatever the length:
a zip member through zipfile (never extracted to disk), a WAV through libsndfile, anything
else through the imageio-ffmpeg binary's decode to 16-bit mono PCM on a pipe. At most
ANALYSED_S_MAX seconds of a file are analysed (a zip's WAVs share them); the facts say when
the rest was not.

Per block, vectorised with numpy:
- clipping: runs of CLIP_RUN_MIN or more consecutive samples at full scale in any channel (one
  such sample is a peak normalised to 0 dBFS; a run is a flattened wave);
- peak, and the RMS level over the frames the VAD takes for speech;
- voice activity: webrtcvad (the WebRTC GMM VAD, no model file) on 30 ms frames at 8 kHz (the
  rate it works at inside), its most aggressive mode, gated at GATE_DBFS; silence at the edges
  and the longest pauses come from the same frames;
- bandwidth: the highest frequency whose mean power spectrum, over frames louder than
  GATE_DBFS, is within BANDWIDTH_DB of its maximum (a file resampled from 16 kHz stops at 8);
- SNR: WADA-SNR (Kim & Stern, Interspeech 2008), which fits the amplitude distribution to
  gamma-distributed speech in Gaussian noise: an estimate, not Tencent's measure.
"""

from __future__ import annotations

import itertools
import math
import subprocess
import zipfile
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import IO, TYPE_CHECKING

from preflight.probe.analysed import SpeechFacts
from preflight.probe.decode import ANALYSED_S_MAX, local_input
from preflight.probe.facts import AudioFacts, FileFacts, VideoFacts, ZipEntry, ZipFacts

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

    from preflight.probe.archive import Member

    Samples = npt.NDArray[np.float32]

SECONDS_PER_S = 0.05  # the time limit of an analysis, a second of audio (it takes ~0.002)
BLOCK_S = 10  # seconds of audio read at once: 1.9 MB of 48 kHz stereo as float32
BLOCK_SAMPLES_MAX = 4_000_000  # and never more samples than this (a header may claim anything)
RATES = range(8000, 384_001)  # sample rates analysed: what speech is recorded at
DECODE_RATE = 16000  # what ffmpeg decodes a video's track to: all that speech needs
CLIP_LEVEL = 0.999  # full scale, as float samples: 16-bit −32768 and 32767 both reach it
CLIP_RUN_MIN = 3  # consecutive samples
CLIPS_LISTED = 5  # places kept of the first runs, each half a second or more after the last
PAUSES_LISTED = 10  # the longest pauses kept
PAUSE_MIN_S = 0.5  # a gap in speech shorter than this is not a pause
GATE_DBFS = -60.0  # quieter frames are silence, whatever the VAD says
BANDWIDTH_DB = 60.0  # below the spectrum's maximum: the floor of "carries sound"
_VAD_RATE = 8000  # the rate the WebRTC VAD works at inside, whatever it is given
_VAD_FRAME = 240  # 30 ms
_VAD_MODE = 3  # most aggressive: the least noise counted as speech
_FFT = 512
_SPECTRUM_STEP = 4  # every fourth frame is spectrum enough, at a quarter of the cost
_EPS = 1e-10  # WADA's floor on |x|: digital silence reads as a very high SNR, as in the paper
# WADA-SNR's table: G = ln E|x| − E ln|x| of gamma(0.4) speech plus Gaussian noise at each SNR
# from −10 to 80 dB in 2 dB steps, simulated once (4 million samples a point, numpy's default
# generator, seed 1); the paper's own table is computed the same way.
_WADA_DB_FIRST, _WADA_DB_STEP = -10.0, 2.0
_WADA_G = (
    *(0.412, 0.415, 0.42, 0.428, 0.442, 0.462, 0.489, 0.523, 0.566, 0.614, 0.667, 0.724),
    *(0.783, 0.842, 0.899, 0.955, 1.009, 1.06, 1.108, 1.152, 1.194, 1.232, 1.267, 1.3),
    *(1.33, 1.357, 1.383, 1.406, 1.427, 1.446, 1.463, 1.479, 1.494, 1.507, 1.519, 1.53),
    *(1.54, 1.55, 1.558, 1.566, 1.573, 1.579, 1.585, 1.59, 1.595, 1.6),
)


def applies(facts: FileFacts) -> bool:
    """Whether the file may hold speech to analyse: a readable zip, an audio file, a video
    (whose lack of an audio track the analysis finds)."""
    media = facts.media
    if facts.problem is not None or media is None:
        return False
    if isinstance(media, ZipFacts):
        return media.problem is None
    return isinstance(media, AudioFacts | VideoFacts)


def duration(facts: FileFacts) -> float:
    """The seconds of audio that `analyse` will read, as the headers tell (0 when they do not):
    what its time limit is planned from."""
    media = facts.media
    if isinstance(media, ZipFacts):
        total = sum(e.wav.duration_s or 0.0 for e in media.entries if e.wav is not None)
    elif isinstance(media, AudioFacts | VideoFacts):
        total = media.duration_s or 0.0
    else:
        total = 0.0
    return min(total, ANALYSED_S_MAX)


def unheard(facts: FileFacts) -> tuple[SpeechFacts, ...] | None:
    """The speech facts of a file that `applies` holds for but has no sound to decode: none
    (a zip without a readable WAV, a video without an audio track), or why not (a zip of
    more entries than the probe reads: not a voice zip, and its directory alone is costly);
    None when it has sound to decode."""
    media = facts.media
    if isinstance(media, ZipFacts) and media.entries_not_read:
        why = f"the zip lists {len(media.entries):,} entries, too many to analyse their sound"
        return (SpeechFacts("", problem=why),)
    if isinstance(media, ZipFacts) and not any(_readable(entry) for entry in media.entries):
        return ()
    if isinstance(media, VideoFacts) and not media.audio_tracks:
        return ()
    return None


def _readable(entry: ZipEntry) -> bool:
    return entry.wav is not None and entry.problem is None


def analyse(path: Path, facts: FileFacts) -> tuple[SpeechFacts, ...]:
    """The speech facts of each stream of the file (`applies` must hold): one a WAV of a zip,
    else one for the file."""
    if isinstance(facts.media, ZipFacts):
        return tuple(_zip(path, facts.media))
    silent = unheard(facts)
    if silent is not None:
        return silent
    rate = facts.media.sample_rate if isinstance(facts.media, AudioFacts) else None
    if facts.format == "wav":
        found = _measured("", lambda: _wav(path.open("rb"), ANALYSED_S_MAX))
        if found.problem is None:
            return (found,)  # else an encoding libsndfile does not read: ffmpeg may
    return (_measured("", lambda: _decoded(path, rate if rate and rate in RATES else DECODE_RATE)),)


def _zip(path: Path, facts: ZipFacts) -> list[SpeechFacts]:
    """Each WAV the probe could read, in the zip's order, within one budget of seconds."""
    from preflight.probe.archive import Member, members

    found: list[SpeechFacts] = []
    left = ANALYSED_S_MAX
    try:
        with members(path) as member:
            for entry in facts.entries:
                if not _readable(entry):
                    continue
                if left <= 0:
                    found.append(SpeechFacts(entry.name, complete=False))
                    continue

                def opened(
                    name: str = entry.name, size: int = entry.size, budget: float = left
                ) -> _Meter:
                    stream = Member(member(name), size)
                    measured = _wav(stream, budget)
                    if stream.failure is not None:  # libsndfile took it for the audio's end
                        raise stream.failure
                    return measured

                found.append(_measured(entry.name, opened))
                left -= found[-1].seconds
    except (OSError, zipfile.BadZipFile) as error:  # changed since its headers were read
        found.append(SpeechFacts("", problem=f"the zip cannot be read ({type(error).__name__})"))
    return found


def _measured(source: str, measure: _Measure) -> SpeechFacts:
    """The facts of one stream; what stops the reading is the stream's problem, not raised."""
    try:
        return measure().facts(source)
    except (OSError, EOFError, ValueError, RuntimeError, zipfile.BadZipFile, zlib.error) as error:
        # libsndfile's errors are RuntimeErrors that carry its own words
        reason = getattr(error, "error_string", None) or str(error) or type(error).__name__
        return SpeechFacts(source, problem=f"its samples cannot be read ({reason})")


def _wav(stream: IO[bytes] | Member, budget: float) -> _Meter:
    """Measure a WAV (a file or a zip member) at its own rate, at most `budget` seconds."""
    import numpy as np
    import soundfile

    with stream, soundfile.SoundFile(stream) as sound:
        meter = _Meter(sound.samplerate, sound.channels)
        block = max(min(BLOCK_S * sound.samplerate, BLOCK_SAMPLES_MAX // sound.channels), 1)
        wanted = int(budget * sound.samplerate)
        while meter.frames < wanted:
            samples = sound.read(min(block, wanted - meter.frames), "float32", always_2d=True)
            if not len(samples):
                break
            meter.add(np.asarray(samples))
        meter.complete = meter.frames < wanted or not len(sound.read(1))
    return meter


def _decoded(path: Path, rate: int) -> _Meter:
    """Measure the first audio track as the ffmpeg binary decodes it: mono 16-bit PCM at
    `rate` on a pipe, at most ANALYSED_S_MAX seconds."""
    import imageio_ffmpeg
    import numpy as np

    command = [imageio_ffmpeg.get_ffmpeg_exe(), "-nostdin", "-v", "error", *local_input(path)]
    command += ["-map", "0:a:0", "-vn", "-ac", "1", "-ar", str(rate)]
    command += ["-t", f"{ANALYSED_S_MAX + 1:g}", "-f", "s16le", "-"]
    meter = _Meter(rate, 1)
    wanted = int(ANALYSED_S_MAX * rate)
    with subprocess.Popen(
        command, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL
    ) as decoder:
        assert decoder.stdout is not None
        try:
            while meter.frames < wanted:
                data = decoder.stdout.read(2 * min(BLOCK_S * rate, wanted - meter.frames))
                if len(data) < 2:
                    break
                pcm = np.frombuffer(data[: len(data) // 2 * 2], "<i2")
                meter.add((pcm.astype(np.float32) / np.float32(32768)).reshape(-1, 1))
            meter.complete = meter.frames < wanted or not decoder.stdout.read(2)
        finally:
            decoder.kill()
    if not meter.frames:
        raise ValueError("the audio track decodes to no samples")
    return meter


class _Meter:
    """Running measures of one stream, fed a block of samples (frames × channels) at a time."""

    def __init__(self, rate: int, channels: int) -> None:
        import numpy as np
        import webrtcvad

        if rate not in RATES:
            raise ValueError(f"a sample rate of {rate} Hz is not one speech is recorded at")

        self.rate, self.channels = rate, channels
        self.frames = 0
        self.complete = True
        self.peak = 0.0
        self.clips: list[float] = []  # starts of the first runs
        self.clipped = 0
        self.run_start, self.run_length = 0, 0  # a run of full-scale samples still open
        self.abs_sum = self.log_sum = 0.0
        self.vad = webrtcvad.Vad(_VAD_MODE)
        self.vad_rest = np.zeros(0, np.int16)
        self.flags = bytearray()  # one a VAD frame: 1 speech
        self.speech_energy = 0.0
        self.spectrum = np.zeros(_FFT // 2 + 1)
        self.tail = np.zeros(0, np.float32)  # samples short of a whole spectrum frame

    def add(self, block: Samples) -> None:
        import numpy as np

        mono = block.mean(axis=1, dtype=np.float32) if self.channels > 1 else block[:, 0]
        magnitude = np.abs(mono)
        loudest = np.abs(block).max(axis=1) if self.channels > 1 else magnitude
        self._clipping(loudest >= CLIP_LEVEL)
        self.peak = max(self.peak, float(loudest.max(initial=0.0)))
        np.maximum(magnitude, _EPS, out=magnitude)
        self.abs_sum += float(magnitude.sum(dtype=np.float64))
        self.log_sum += float(np.log(magnitude).sum(dtype=np.float64))
        self._spectrum(mono)
        self._vad(mono)
        self.frames += len(block)

    def _clipping(self, full: npt.NDArray[np.bool_]) -> None:
        import numpy as np

        if not full.any():  # the common block: nothing at full scale
            self._close_run()
            return
        edges = np.diff(full.astype(np.int8), prepend=0, append=0)
        starts, ends = np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)
        for start, end in zip(starts.tolist(), ends.tolist(), strict=True):
            if start == 0 and self.run_length:  # the run open at the end of the last block
                self.run_length += end
            else:
                self._close_run()
                self.run_start, self.run_length = self.frames + start, end - start
            if end < len(full):
                self._close_run()
        if not len(starts):
            self._close_run()

    def _close_run(self) -> None:
        if self.run_length >= CLIP_RUN_MIN:
            self.clipped += 1
            at = self.run_start / self.rate
            if len(self.clips) < CLIPS_LISTED and (not self.clips or at >= self.clips[-1] + 0.5):
                self.clips.append(round(at, 3))
        self.run_start = self.run_length = 0

    def _spectrum(self, mono: Samples) -> None:
        import numpy as np

        data = np.concatenate((self.tail, mono))
        whole = len(data) // _FFT * _FFT
        frames, self.tail = data[:whole].reshape(-1, _FFT), data[whole:]
        frames = frames[::_SPECTRUM_STEP]
        loud = frames[(frames**2).mean(axis=1) > 10 ** (GATE_DBFS / 10)]
        if len(loud):
            power = np.abs(np.fft.rfft(loud * np.hanning(_FFT), axis=1)) ** 2
            self.spectrum += power.sum(axis=0)

    def _vad(self, mono: Samples) -> None:
        import numpy as np

        width = self.rate // _VAD_RATE
        if self.rate % _VAD_RATE == 0:  # the mean of each `width` samples: box filter and step
            whole = len(mono) // width * width
            mono = mono[:whole].reshape(-1, width).mean(axis=1, dtype=np.float32)
        else:  # 44.1 kHz and its kin: the box filter, then interpolated
            if width > 1:
                mono = np.convolve(mono, np.full(width, 1 / width, np.float32), "same")
            at = np.arange(0, len(mono), self.rate / _VAD_RATE)
            mono = np.interp(at, np.arange(len(mono)), mono).astype(np.float32)
        pcm = np.concatenate((self.vad_rest, np.clip(mono * 32768, -32768, 32767).astype("<i2")))
        whole = len(pcm) // _VAD_FRAME * _VAD_FRAME
        frames, self.vad_rest = pcm[:whole].reshape(-1, _VAD_FRAME), pcm[whole:]
        energy = (frames.astype(np.float32) / 32768) ** 2
        energy = energy.mean(axis=1)
        speech = np.zeros(len(frames), np.uint8)
        data, size = frames.tobytes(), 2 * _VAD_FRAME
        for index in np.flatnonzero(energy > 10 ** (GATE_DBFS / 10)).tolist():
            if self.vad.is_speech(data[index * size : (index + 1) * size], _VAD_RATE):
                speech[index] = 1
                self.speech_energy += float(energy[index])
        self.flags += speech.tobytes()

    def facts(self, source: str) -> SpeechFacts:
        self._close_run()
        frame_s = _VAD_FRAME / _VAD_RATE
        spoken = [index for index, flag in enumerate(self.flags) if flag]
        seconds = self.frames / self.rate
        gaps = []
        for before, after in itertools.pairwise(spoken):
            length = (after - before - 1) * frame_s
            if length >= PAUSE_MIN_S:
                gaps.append((round((before + 1) * frame_s, 2), round(length, 2)))
        longest = sorted(sorted(gaps, key=lambda gap: -gap[1])[:PAUSES_LISTED])
        leading = spoken[0] * frame_s if spoken else seconds
        trailing = seconds - (spoken[-1] + 1) * frame_s if spoken else seconds
        return SpeechFacts(
            source,
            sample_rate=self.rate,
            seconds=round(seconds, 3),
            complete=self.complete,
            peak_dbfs=_db(self.peak, 20),
            speech_dbfs=_db(self.speech_energy / len(spoken), 10) if spoken else None,
            clipped=self.clipped,
            clipped_at=tuple(self.clips),
            speech_s=round(len(spoken) * frame_s, 2),
            leading_s=round(leading, 2),
            trailing_s=round(max(trailing, 0.0), 2),
            pauses=tuple(longest),
            bandwidth_hz=self._bandwidth(),
            snr_db=self._snr(),
        )

    def _bandwidth(self) -> float | None:
        import numpy as np

        top = float(self.spectrum.max())
        if top <= 0:
            return None
        carried = np.flatnonzero(self.spectrum >= top * 10 ** (-BANDWIDTH_DB / 10))
        return round(float(carried[-1]) * self.rate / _FFT, 1)

    def _snr(self) -> float | None:
        """WADA-SNR: the table's SNR for the stream's G, interpolated, within its range."""
        if not self.peak:  # digital silence: no signal to speak of
            return None
        g = math.log(self.abs_sum / self.frames) - self.log_sum / self.frames
        table = _WADA_G
        if g <= table[0]:
            return _WADA_DB_FIRST
        for index in range(1, len(table)):
            if g <= table[index]:
                part = (g - table[index - 1]) / (table[index] - table[index - 1])
                return round(_WADA_DB_FIRST + _WADA_DB_STEP * (index - 1 + part), 1)
        return _WADA_DB_FIRST + _WADA_DB_STEP * (len(table) - 1)


_Measure = Callable[[], _Meter]


def _db(value: float, factor: int) -> float | None:
    return round(factor * math.log10(value), 1) if value > 0 else None

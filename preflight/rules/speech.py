"""Rules on what recordings sound like (the speech facts of preflight.probe.speech): clipping,
level, effective speech, silence, bandwidth, estimated SNR, and a video's audio track.

Each material that carries speech names its Profile in preflight.materials: which of these
rules judge it and against which numbers. Tencent publishes numbers for voice-clone material
(the audio evaluation API: 1240/102623, Chinese page; 1211/62065, English page) and for the
zero-shot reference audio (the audio quality inspection: 1240/104986); the rules that apply them
are errors, but the SNR rule, whose estimator is not Tencent's, warns. Where only comparable
services publish a number (ElevenLabs, Azure, Alibaba, Baidu, broadcast QC), the rule warns and
its message says whose rule it is.

Content analysis off (`--no-content`): the file has no speech facts and nothing here runs.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, NamedTuple

from preflight.i18n import _
from preflight.names import shown
from preflight.probe.facts import VideoFacts
from preflight.report import Finding
from preflight.rule import Rule
from preflight.rules.base import Subject
from preflight.rules.file import unjudged

if TYPE_CHECKING:
    from preflight.probe.analysed import SpeechFacts

_CLONE_ZH = "1240/102623"  # voice-clone audio evaluation, Chinese page (the newer)
_CLONE_EN = "1211/62065"  # the same, English page
_ZERO_SHOT = "1240/104986"  # zero-shot audio quality inspection, Chinese page
_LISTED_MAX = 3  # places quoted in one message
_RATES = (8000, 11025, 16000, 22050, 24000, 32000, 44100, 48000)


class Profile(NamedTuple):
    """What the speech of one kind of material is held to. None: that rule does not judge it."""

    clipped_max: int | None  # runs of full-scale samples a recording
    speech_min_s: float | None  # effective speech, summed over the material's recordings
    snr_min_db: float | None  # the published threshold the WADA estimate is compared with
    rate_min: int | None  # the material's minimum sample rate: the bandwidth it should carry
    level: bool  # ElevenLabs' RMS range
    silence: bool  # Azure's clean edges and Alibaba's longest pause
    track: bool  # an avatar video's track: present, not silent, as long as the video
    pages: str  # the Tencent pages of the numbers, for messages


LEVEL_MIN_DBFS, LEVEL_MAX_DBFS = -23.0, -18.0  # ElevenLabs instant voice clone: RMS
EDGE_MIN_S = 0.1  # Azure custom neural voice: the first and last 100 ms are silence
PAUSE_MAX_S = 2.0  # Alibaba voice cloning: pauses of at most 2 s
BANDWIDTH_SHARE = 0.8  # of the minimum rate's Nyquist frequency that real sound reaches
SILENT_DBFS = -50.0  # a track whose peak stays below this is silent
TRACK_FRAMES_MAX = 2  # Qualify FC-108: audio more than 2 frames shorter than the video

CLIPPING = Rule(
    "speech.clipping",
    "error",
    "a recording has more runs of full-scale samples (clipping) than Tencent's audio "
    "evaluation allows",
    "≤ 10 clipped runs a recording (the English voice-clone page: none)",
    f"Tencent audio evaluation: voice clone {_CLONE_ZH} (≤ 10; {_CLONE_EN}: 0), zero-shot "
    f"{_ZERO_SHOT} (≤ 10)",
)
LEVEL = Rule(
    "speech.level",
    "warning",
    "the speech level (RMS over the frames with speech) is outside ElevenLabs' range",
    f"RMS {LEVEL_MIN_DBFS:g} to {LEVEL_MAX_DBFS:g} dBFS (ElevenLabs' rule)",
    "ElevenLabs instant voice cloning guidelines (no Tencent number)",
)
DURATION = Rule(
    "speech.duration",
    "error",
    "less effective speech (voice activity) than Tencent's audio evaluation asks",
    "≥ 5 min of speech over a voice zip (the English page: 10 min); ≥ 5 s of zero-shot "
    "reference audio",
    f"Tencent audio evaluation: voice clone {_CLONE_ZH} (5 min; {_CLONE_EN}: 10 min), "
    f"zero-shot {_ZERO_SHOT} (5 s)",
)
SILENCE = Rule(
    "speech.silence",
    "warning",
    "speech within the first or last 100 ms (Azure's rule), or silence of more than 2 s at an "
    "edge or in a pause (Alibaba's rule)",
    f"{EDGE_MIN_S * 1000:g} ms of silence at each end; pauses ≤ {PAUSE_MAX_S:g} s",
    "Azure custom neural voice (clean first and last 100 ms); Alibaba voice cloning "
    "(pauses ≤ 2 s); no Tencent number",
)
BANDWIDTH = Rule(
    "speech.bandwidth",
    "warning",
    "a recording carries no sound near the top of the minimum rate's band: it was upsampled "
    "(a 48 kHz WAV with nothing above 8 kHz was recorded at 16 kHz)",
    f"sound up to {BANDWIDTH_SHARE:.0%} of half the minimum sample rate (9.6 kHz for a voice "
    "zip's 24 kHz)",
    "preflight's own, in the spirit of the API page's minimum rate (MaterialCosUrl item 3④; "
    f"zero-shot {_ZERO_SHOT}: 16 kHz)",
)
SNR = Rule(
    "speech.snr",
    "warning",
    "the estimated signal-to-noise ratio (WADA-SNR, not Tencent's estimator) is below Tencent's "
    "threshold",
    "≥ 25 dB voice clone (the English page: 30 dB); ≥ 20 dB zero-shot",
    f"Tencent audio evaluation: voice clone {_CLONE_ZH} (25 dB; {_CLONE_EN}: 30 dB), "
    f"zero-shot {_ZERO_SHOT} (20 dB); estimate: WADA-SNR (Kim & Stern 2008)",
)
TRACK = Rule(
    "speech.track",
    "warning",
    "an avatar video without an audio track, with a silent one, or with one that is not as "
    "long as the video",
    f"an audible audio track as long as the video (± {TRACK_FRAMES_MAX} frames)",
    "Baidu 2D avatar material rules; Qualify FC-108 broadcast QC (no Tencent number)",
)
RULES: tuple[Rule, ...] = (CLIPPING, LEVEL, DURATION, SILENCE, BANDWIDTH, SNR, TRACK)


class Speech:
    """The speech rules as one material's analysis (its record in preflight.materials names
    it): the rules its profile uses, on the speech facts of the file."""

    def __init__(self, profile: Profile) -> None:
        self.profile = profile
        self.RULES = rules_of(profile)

    def check(self, subject: Subject) -> Iterator[Finding]:
        return check(subject, self.profile)

    def judged(self, subject: Subject) -> tuple[Rule, ...]:
        """Its rules, once the content was analysed (none under --no-content)."""
        return self.RULES if subject.file.speech is not None else ()


def rules_of(profile: Profile) -> tuple[Rule, ...]:
    """The rules that judge a material of this profile."""
    used = {
        CLIPPING: profile.clipped_max is not None,
        LEVEL: profile.level,
        DURATION: profile.speech_min_s is not None,
        SILENCE: profile.silence,
        BANDWIDTH: profile.rate_min is not None,
        SNR: profile.snr_min_db is not None,
        TRACK: profile.track,
    }
    return tuple(rule for rule in RULES if used[rule])


VOICE_CLONE = Speech(
    Profile(10, 300.0, 25.0, 24000, True, True, False, f"{_CLONE_ZH}, {_CLONE_EN}")
)
# A loose WAV judged as one take of a voice zip (`inspect`): all but the zip's total.
VOICE_TAKE = Speech(VOICE_CLONE.profile._replace(speech_min_s=None))
ZERO_SHOT = Speech(Profile(10, 5.0, 20.0, 16000, True, True, False, _ZERO_SHOT))
DRIVER = Speech(Profile(None, None, None, None, True, False, False, ""))
AVATAR_TRACK = Speech(Profile(None, None, None, None, False, False, True, ""))


def check(subject: Subject, profile: Profile) -> Iterator[Finding]:
    """The findings on the file's speech; none when it was not analysed (--no-content)."""
    if subject.file.speech is None:
        return
    streams = subject.file.speech
    for stream in streams:
        if stream.problem is not None:
            yield unjudged(subject, rules_of(profile)[0], _speech_of(stream, stream.problem))
    heard = [s for s in streams if s.problem is None and s.sample_rate is not None]
    if profile.track:
        yield from _track(subject, heard)
    for stream in heard:
        yield from _clipping(subject, profile, stream)
        yield from _level(subject, profile, stream)
        yield from _silence(subject, profile, stream)
        yield from _bandwidth(subject, profile, stream)
        yield from _snr(subject, profile, stream)
    yield from _duration(subject, profile, streams)


def _clipping(subject: Subject, profile: Profile, stream: SpeechFacts) -> Iterator[Finding]:
    if profile.clipped_max is None or stream.clipped <= profile.clipped_max:
        return
    message = _(
        "{where}{count} runs of full-scale samples (clipping; peak {peak} dBFS), the first at "
        "{times}; Tencent's audio evaluation ({pages}) allows at most {limit}: record again "
        "with less gain (turning it down afterwards does not restore the clipped waves)"
    )
    yield subject.finding(
        CLIPPING,
        message.format(
            where=_where(stream),
            count=stream.clipped,
            peak=_db(stream.peak_dbfs),
            times=_times(stream.clipped_at),
            pages=profile.pages,
            limit=profile.clipped_max,
        ),
        actual=stream.clipped,
        limit=f"≤ {profile.clipped_max}",
    )


def _level(subject: Subject, profile: Profile, stream: SpeechFacts) -> Iterator[Finding]:
    level = stream.speech_dbfs
    if not profile.level or level is None or LEVEL_MIN_DBFS <= level <= LEVEL_MAX_DBFS:
        return
    if level < LEVEL_MIN_DBFS:
        message = _(
            "{where}the speech is quiet: RMS {level} dBFS over the speech, below ElevenLabs' "
            "{min} dBFS (their rule; Tencent publishes none): record closer to the microphone "
            "or with more gain"
        )
    else:
        message = _(
            "{where}the speech is hot: RMS {level} dBFS over the speech, above ElevenLabs' "
            "{max} dBFS (their rule; Tencent publishes none): record with less gain"
        )
    yield subject.finding(
        LEVEL,
        message.format(
            where=_where(stream), level=_db(level), min=_db(LEVEL_MIN_DBFS), max=_db(LEVEL_MAX_DBFS)
        ),
        actual=level,
    )


def _silence(subject: Subject, profile: Profile, stream: SpeechFacts) -> Iterator[Finding]:
    if not profile.silence or not stream.speech_s:
        return
    said = []
    if min(stream.leading_s, stream.trailing_s) < EDGE_MIN_S:
        message = _("speech within {ms} ms of an edge (Azure asks for silence there)")
        said.append(message.format(ms=f"{EDGE_MIN_S * 1000:g}"))
    long = [pause for pause in stream.pauses if pause[1] > PAUSE_MAX_S]
    edges = [(stream.leading_s, _("at the start")), (stream.trailing_s, _("at the end"))]
    for seconds, edge in edges:
        if seconds > PAUSE_MAX_S:
            message = _("{seconds} s of silence {edge} (Alibaba allows pauses of {max} s)")
            said.append(message.format(seconds=f"{seconds:g}", edge=edge, max=f"{PAUSE_MAX_S:g}"))
    if long:
        places = ", ".join(
            _("{length} s at {time}").format(length=f"{length:g}", time=_time(start))
            for start, length in long[:_LISTED_MAX]
        )
        message = _("pauses longer than Alibaba's {max} s: {places}")
        said.append(message.format(max=f"{PAUSE_MAX_S:g}", places=places))
    if said:
        message = _("{where}{problems}; Tencent publishes no number: trim the silence")
        longest = max([p[1] for p in long] + [stream.leading_s, stream.trailing_s])
        yield subject.finding(
            SILENCE,
            message.format(where=_where(stream), problems="; ".join(said)),
            actual=longest if longest > PAUSE_MAX_S else min(stream.leading_s, stream.trailing_s),
        )


def _bandwidth(subject: Subject, profile: Profile, stream: SpeechFacts) -> Iterator[Finding]:
    if profile.rate_min is None or stream.bandwidth_hz is None or stream.sample_rate is None:
        return
    floor = BANDWIDTH_SHARE * profile.rate_min / 2
    if stream.sample_rate < profile.rate_min or stream.bandwidth_hz >= floor:
        return  # a rate below the minimum is the sample-rate rule's
    message = _(
        "{where}sampled at {rate} Hz but carries nothing above {top} kHz, as a recording made "
        "at {origin} Hz would: it was upsampled, which the {minimum} Hz minimum is meant to "
        "exclude; export it again from the original recording"
    )
    yield subject.finding(
        BANDWIDTH,
        message.format(
            where=_where(stream),
            rate=stream.sample_rate,
            top=f"{stream.bandwidth_hz / 1000:.1f}",
            origin=_origin(stream.bandwidth_hz),
            minimum=profile.rate_min,
        ),
        actual=stream.bandwidth_hz,
        limit=f"≥ {floor / 1000:g} kHz",
    )


def _snr(subject: Subject, profile: Profile, stream: SpeechFacts) -> Iterator[Finding]:
    minimum = profile.snr_min_db
    if minimum is None or stream.snr_db is None or stream.snr_db >= minimum:
        return
    message = _(
        "{where}estimated SNR {snr} dB (WADA-SNR, an estimate: Tencent's own measure may "
        "differ) is below the {min} dB that Tencent's audio evaluation ({pages}) asks: record "
        "in a quieter room, away from fans and traffic"
    )
    yield subject.finding(
        SNR,
        message.format(
            where=_where(stream), snr=_db(stream.snr_db), min=_db(minimum), pages=profile.pages
        ),
        actual=stream.snr_db,
        limit=f"≥ {minimum:g} dB",
    )


def _duration(
    subject: Subject, profile: Profile, streams: Sequence[SpeechFacts]
) -> Iterator[Finding]:
    minimum = profile.speech_min_s
    if minimum is None or not streams:
        return
    spoken = sum(s.speech_s for s in streams)
    if spoken >= minimum:
        return
    partial = [s for s in streams if s.problem is not None or not s.complete]
    if partial:  # a lower bound only: what was not analysed may hold the rest
        return
    recordings = len(streams)
    message = _(
        "{speech} of speech (voice activity) in {seconds} of audio over {count} recording(s); "
        "Tencent's audio evaluation ({pages}) asks for at least {min}"
    )
    yield subject.finding(
        DURATION,
        message.format(
            speech=_span(spoken),
            seconds=_span(sum(s.seconds for s in streams)),
            count=recordings,
            pages=profile.pages,
            min=_span(minimum),
        ),
        actual=round(spoken, 1),
        limit=f"≥ {_span(minimum)}",
    )


def _track(subject: Subject, heard: Sequence[SpeechFacts]) -> Iterator[Finding]:
    video = subject.file.media
    if not isinstance(video, VideoFacts):
        return
    rule_of = _("(Baidu's rule for avatar video, and broadcast QC's; Tencent publishes none)")
    if video.audio_tracks == 0:
        message = _("the video has no audio track {whose}: record the presenter's voice with it")
        yield subject.finding(TRACK, message.format(whose=rule_of), actual=0)
        return
    if not heard:
        return
    track = heard[0]
    if track.peak_dbfs is None or track.peak_dbfs < SILENT_DBFS:
        message = _("the audio track is silent (peak {peak} dBFS) {whose}")
        peak = _db(track.peak_dbfs) if track.peak_dbfs is not None else "−∞"
        yield subject.finding(TRACK, message.format(peak=peak, whose=rule_of), actual=peak)
        return
    if video.duration_s is None or not video.fps or not track.complete:
        return
    gap = video.duration_s - track.seconds
    if abs(gap) > TRACK_FRAMES_MAX / video.fps:
        message = _(
            "the audio track lasts {audio} s and the video {video} s: {gap} s {side} {whose}"
        )
        side = _("shorter") if gap > 0 else _("longer")
        yield subject.finding(
            TRACK,
            message.format(
                audio=f"{track.seconds:.2f}",
                video=f"{video.duration_s:.2f}",
                gap=f"{abs(gap):.2f}",
                side=side,
                whose=rule_of,
            ),
            actual=round(track.seconds, 3),
        )


def _origin(bandwidth_hz: float) -> int:
    """The lowest common sample rate whose band (less a resampler's overshoot) holds it."""
    return next((r for r in _RATES if r / 2 >= 0.85 * bandwidth_hz), _RATES[-1])


def _speech_of(stream: SpeechFacts, why: str) -> str:
    return _("the speech {where}could not be analysed: {why}").format(
        where=_("of entry '{name}' ").format(name=shown(stream.source)) if stream.source else "",
        why=why,
    )


def _where(stream: SpeechFacts) -> str:
    """The entry of a zip that a message is about, as its prefix."""
    return _("WAV entry '{name}': ").format(name=shown(stream.source)) if stream.source else ""


def _times(times: Sequence[float]) -> str:
    return ", ".join(_time(t) for t in times[:_LISTED_MAX])


def _time(seconds: float) -> str:
    minutes, rest = divmod(seconds, 60)
    return f"{int(minutes)}:{rest:05.2f}"


def _span(seconds: float) -> str:
    if seconds >= 60:
        return f"{seconds / 60:.1f} min"
    return f"{seconds:.1f} s"


def _db(value: float | None) -> str:
    return "−∞" if value is None else f"{value:g}".replace("-", "−")

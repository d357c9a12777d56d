"""Rules on every frame of an avatar video (`--deep`: preflight.probe.frames decodes it through
ffmpeg's blackdetect, freezedetect and scdet). No service publishes a number for these: the
thresholds are preflight's (in preflight.probe.frames), so each rule is a warning and names
the comparable services whose guidance it follows. Findings give the times in the video."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING

from preflight.i18n import _
from preflight.probe.frames import BLACK_SECONDS, CUT_SCORE, FROZEN_SECONDS
from preflight.report import Finding
from preflight.rule import Rule
from preflight.rules.base import Subject

if TYPE_CHECKING:
    from preflight.probe.analysed import FrameFacts, Segment

LISTED = 5  # times a message names

UNDECODED = Rule(
    "video.undecoded",
    "info",
    "--deep could not decode every frame of the video (the frame checks were not made)",
    "",
    "SPEC §8 (content analysis)",
)
BLACK = Rule(
    "video.black",
    "warning",
    "black frames (--deep)",
    f"no black stretch of {BLACK_SECONDS:g} s or more",
    "HeyGen (no noticeable cuts), Azure custom avatar (continuous footage); the length is "
    "preflight's",
)
FROZEN = Rule(
    "video.freeze",
    "warning",
    "the picture freezes (--deep)",
    f"no still picture of {FROZEN_SECONDS:g} s or more",
    "Azure custom avatar (continuous footage of the speaker); the length is preflight's",
)
CUTS = Rule(
    "video.cuts",
    "warning",
    "cuts or scene changes (--deep)",
    f"no scene change (ffmpeg scdet score ≥ {CUT_SCORE:g})",
    "HeyGen (no noticeable cuts), Azure custom avatar (fixed camera and zoom)",
)
RULES: tuple[Rule, ...] = (UNDECODED, BLACK, FROZEN, CUTS)


def judged(subject: Subject) -> tuple[Rule, ...]:
    """The rules that judged the file: none without --deep."""
    frames = subject.file.deep
    if frames is None:
        return ()
    return (UNDECODED,) if frames.skipped is not None else RULES[1:]


def check(subject: Subject) -> Iterator[Finding]:
    frames = subject.file.deep
    if frames is None:
        return
    if frames.skipped is not None:
        yield subject.finding(
            UNDECODED, _("the frames were not checked: {why}").format(why=frames.skipped)
        )
        return
    if frames.black:
        yield subject.finding(
            BLACK,
            _("black frames at {at}").format(at=_segments(frames.black)),
            actual=len(frames.black),
        )
    frozen = _not_black(frames)
    if frozen:
        yield subject.finding(
            FROZEN,
            _("the picture is still at {at}").format(at=_segments(frozen)),
            actual=len(frozen),
        )
    if frames.cuts:
        shown = ", ".join(f"{cut:g} s" for cut in frames.cuts[:LISTED])
        yield subject.finding(
            CUTS,
            _("{count} cuts or scene changes, at {at}").format(count=len(frames.cuts), at=shown),
            actual=len(frames.cuts),
        )


def _not_black(frames: FrameFacts) -> list[Segment]:
    """Frozen stretches that are not black ones (a black picture is still too)."""
    return [
        still
        for still in frames.frozen
        if not any(dark.start_s <= still.start_s < (dark.end_s or 1e12) for dark in frames.black)
    ]


def _segments(segments: Sequence[Segment]) -> str:
    parts = [
        f"{s.start_s:g}–{s.end_s:g} s"
        if s.end_s is not None
        else _("{start:g} s to the end").format(start=s.start_s)
        for s in segments[:LISTED]
    ]
    if len(segments) > LISTED:
        parts.append(_("and {more} more").format(more=len(segments) - LISTED))
    return ", ".join(parts)

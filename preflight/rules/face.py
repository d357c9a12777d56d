"""Rules on the faces in a photo (MaterialCosUrl of IMAGE_PHOTO) and in the keyframes sampled
from a video (the avatar video, the authorization video), as preflight.probe.faces finds them.

The detector is OpenCV's Haar cascade: it finds frontal faces (and, with its profile cascade,
faces turned about 30° or more) but measures no angle, and it can miss a face or see one in a
pattern. Where Tencent publishes what a reviewer rejects (no face in a photo, one person, a
face turned away) the rule cites it; where the number is a comparable service's (Huawei
MetaStudio's face size) or our own (how centred, how many frames), the rule is a warning and
says whose. A video is judged over its sampled keyframes; findings name the frames' times.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING

from preflight.i18n import _
from preflight.probe.facts import ImageFacts
from preflight.report import Finding
from preflight.rule import Rule
from preflight.rules.base import Subject

if TYPE_CHECKING:
    from preflight.probe.analysed import Face, FaceFacts, FaceFrame

FACE_PX_MIN = 68  # face box side, displayed pixels: Tencent face fusion's smallest
FACE_SHARE_MIN = 1 / 5  # of the frame's shorter side: Huawei MetaStudio's video rule
CENTRE_X_MAX = 1 / 6  # of the width from the middle: the face's centre in the middle third
CENTRE_Y_MAX = 1 / 4  # of the height from the middle: no face at the top or bottom edge
PRESENCE_MIN = 0.9  # of a video's sampled frames show the face
OTHERS_MAX = 0.1  # of a video's sampled frames may show more than one face (the detector errs)
TURNED_MAX = 0.1  # of a video's frames with a face may show it turned away
TIMES_LISTED = 5  # frame times a message names

_PHOTO = "API page: MaterialCosUrl (photo) item 3"

SKIPPED = Rule(
    "face.skipped",
    "info",
    "faces were not looked for: OpenCV is not installed (pip install 'preflight[faces]'), or "
    "the frames could not be decoded",
    "",
    "SPEC §8 (content analysis)",
)
COUNT = Rule(
    "face.count",
    "error",
    "a photo with no face, or with more than one",
    "exactly one face",
    f"{_PHOTO} ('a clear front view of the person'); 1211/73473 (no photo without a face)",
)
PRESENCE = Rule(
    "face.presence",
    "warning",
    "a video whose sampled frames show no face too often (the presenter leaves the frame, "
    "turns away, is covered)",
    f"a face in ≥ {PRESENCE_MIN:.0%} of the sampled keyframes",
    "Tencent 1211/73472 (the face not covered); Huawei MetaStudio (only the performer, "
    "throughout); the share is preflight's",
)
OTHERS = Rule(
    "face.others",
    "warning",
    "a video whose sampled frames show more than one face",
    f"more than one face in ≤ {OTHERS_MAX:.0%} of the sampled keyframes",
    "Huawei MetaStudio (only the performer seen); the share is preflight's",
)
SIZE = Rule(
    "face.size",
    "warning",
    "the face is small in the frame",
    f"face box ≥ {FACE_PX_MIN} px and ≥ 1/{round(1 / FACE_SHARE_MIN)} of the frame's shorter side",
    "Tencent face fusion (SubmitVideoFaceFusionJob: face box ≥ 68 px); Huawei MetaStudio "
    "(face > 1/5 of the frame)",
)
CENTRED = Rule(
    "face.centred",
    "warning",
    "the face is not centred",
    f"face centre in the middle third of the width, within 1/{round(1 / CENTRE_Y_MAX)} of "
    "the height from the middle",
    f"{_PHOTO} ('the face centered'); Azure custom avatar (face centred); the band is preflight's",
)
TURNED = Rule(
    "face.turned",
    "warning",
    "the face is turned away from the camera (found only by the profile detector)",
    f"facing the camera (a video: turned in ≤ {TURNED_MAX:.0%} of the frames with a face)",
    "Tencent 1211/73473 (no strongly turned face), 1211/73472 (yaw ≤ 45°), face fusion FAQ "
    "1007/31028 (yaw over 30°: upload again); the detector tells turned from frontal, not "
    "the angle",
)
RULES: tuple[Rule, ...] = (SKIPPED, COUNT, PRESENCE, OTHERS, SIZE, CENTRED, TURNED)
_PHOTO_RULES = (SKIPPED, COUNT, SIZE, CENTRED, TURNED)
_VIDEO_RULES = (SKIPPED, PRESENCE, OTHERS, SIZE, CENTRED, TURNED)


def judged(subject: Subject) -> tuple[Rule, ...]:
    """The rules that judged the file: none when its faces were not looked for."""
    faces = subject.file.faces
    if faces is None:
        return ()
    if faces.skipped is not None:
        return (SKIPPED,)
    return _PHOTO_RULES if isinstance(subject.file.media, ImageFacts) else _VIDEO_RULES


def check(subject: Subject) -> Iterator[Finding]:
    faces = subject.file.faces
    if faces is None:
        return
    if faces.skipped is not None:
        yield subject.finding(
            SKIPPED, _("faces were not looked for: {why}").format(why=faces.skipped)
        )
        return
    if isinstance(subject.file.media, ImageFacts):
        yield from _photo(subject, faces)
    else:
        yield from _video(subject, faces)


def _photo(subject: Subject, faces: FaceFacts) -> Iterator[Finding]:
    found = faces.frames[0].faces if faces.frames else ()
    if len(found) != 1:
        message = (
            _("no face was found in the photo; it must show the person's face, from the front")
            if not found
            else _("{count} faces were found in the photo; it must show one person").format(
                count=len(found)
            )
        )
        yield subject.finding(COUNT, message, actual=len(found))
        return
    face = found[0]
    yield from _size(subject, faces, face.height, "")
    yield from _centred(subject, faces, _centre(face), "")
    if face.turned:
        yield subject.finding(
            TURNED, _("the face is turned away: only the profile detector found it"), actual=True
        )


def _video(subject: Subject, faces: FaceFacts) -> Iterator[Finding]:
    from statistics import median  # here: a run without face analysis need not load it

    frames = faces.frames
    seen = [frame for frame in frames if frame.faces]
    share = len(seen) / len(frames)
    if share < PRESENCE_MIN:
        missing = [frame for frame in frames if not frame.faces]
        message = _(
            "no face in {missing} of {total} sampled frames ({share:.0%} with a face), at {at}"
        )
        yield subject.finding(
            PRESENCE,
            message.format(
                missing=len(missing), total=len(frames), share=share, at=_times(missing)
            ),
            actual=round(share, 3),
        )
    several = [frame for frame in frames if len(frame.faces) > 1]
    message = _("more than one face in {count} of {total} sampled frames, at {at}")
    yield from _too_many(subject, OTHERS, message, several, len(frames), OTHERS_MAX)
    if not seen:
        return
    main = [_main(frame) for frame in seen]
    over = _(" (the median over {count} frames with a face)").format(count=len(seen))
    yield from _size(subject, faces, median(face.height for face in main), over)
    centres = [_centre(face) for face in main]
    middle = median(x for x, _y in centres), median(y for _x, y in centres)
    yield from _centred(subject, faces, middle, over)
    turned = [frame for frame in seen if _main(frame).turned]
    message = _("the face is turned away in {count} of {total} frames with a face, at {at}")
    yield from _too_many(subject, TURNED, message, turned, len(seen), TURNED_MAX)


def _too_many(
    subject: Subject,
    rule: Rule,
    message: str,
    frames: Sequence[FaceFrame],
    total: int,
    share: float,
) -> Iterator[Finding]:
    """`rule` when `frames` are more than `share` of `total`, naming where they are."""
    if len(frames) > share * total:
        at = _times(frames)
        found = message.format(count=len(frames), total=total, at=at)
        yield subject.finding(rule, found, actual=len(frames))


def _size(subject: Subject, faces: FaceFacts, height: float, over: str) -> Iterator[Finding]:
    shorter = min(faces.width, faces.height)
    least = max(FACE_PX_MIN, FACE_SHARE_MIN * shorter)
    if height >= least:
        return
    message = _(
        "the face is {height:.0f} px high{over}, {share:.0%} of the frame's shorter side "
        "({shorter} px); it should be at least {least:.0f} px"
    )
    yield subject.finding(
        SIZE,
        message.format(
            height=height, over=over, share=height / shorter, shorter=shorter, least=least
        ),
        actual=round(height),
    )


def _centred(
    subject: Subject, faces: FaceFacts, centre: tuple[float, float], over: str
) -> Iterator[Finding]:
    x = centre[0] / faces.width - 0.5
    y = centre[1] / faces.height - 0.5
    if abs(x) <= CENTRE_X_MAX and abs(y) <= CENTRE_Y_MAX:
        return
    message = _(
        "the face's centre{over} is {x:+.0%} of the width and {y:+.0%} of the height away from "
        "the middle of the frame"
    )
    yield subject.finding(
        CENTRED, message.format(over=over, x=x, y=y), actual=f"{x:+.0%}, {y:+.0%}"
    )


def _centre(face: Face) -> tuple[float, float]:
    return face.x + face.width / 2, face.y + face.height / 2


def _main(frame: FaceFrame) -> Face:
    """The largest face of a frame: the presenter's, when others are in the background."""
    return max(frame.faces, key=lambda face: face.width * face.height)


def _times(frames: Sequence[FaceFrame]) -> str:
    """Where the frames are, in seconds: the first few."""
    shown = ", ".join(f"{frame.time_s:g} s" for frame in frames[:TIMES_LISTED])
    if len(frames) <= TIMES_LISTED:
        return shown
    return shown + _(" and {more} more").format(more=len(frames) - TIMES_LISTED)

"""Every frame of a video, decoded once by the imageio-ffmpeg binary (`--deep` only: a full
decode of 1080p runs at a fraction of real time here) through ffmpeg's own detectors:
blackdetect (black stretches), freezedetect (frozen picture) and scdet (scene changes, i.e.
cuts). ffmpeg logs what they find; nothing is kept but those lines."""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

from preflight.probe.decode import ANALYSED_S_MAX, local_input

if TYPE_CHECKING:  # the rules import this module's thresholds on every run: not these
    from preflight.probe.analysed import FrameFacts

BLACK_SECONDS = 0.5  # black shorter than this is a fade, not a black stretch
BLACK_PIXEL = 0.10  # blackdetect's pix_th: luminance under 10 % counts as black
FROZEN_SECONDS = 2.0  # a still picture this long, with sound going on, is a frozen video
FROZEN_NOISE = 0.003  # freezedetect's n: the difference that a still camera's noise makes
CUT_SCORE = 10.0  # scdet's threshold (0–100): its documented default for a scene change
_ANALYSED_WIDTH = 480  # px: the detectors need no more, and the filters cost less

_BLACK = re.compile(r"black_start:\s*(-?[\d.]+)\s+black_end:\s*(-?[\d.]+)")
_FREEZE = re.compile(r"freezedetect\.freeze_(start|end):\s*(-?[\d.]+)")
_CUT = re.compile(r"lavfi\.scd\.time:\s*(-?[\d.]+)")


def frame_facts(path: Path, ffmpeg: str) -> FrameFacts:
    import subprocess  # here: the rules import this module's thresholds on every run

    from preflight.probe.analysed import FrameFacts

    detectors = ",".join(
        (
            f"scale={_ANALYSED_WIDTH}:-2",
            f"blackdetect=d={BLACK_SECONDS}:pix_th={BLACK_PIXEL}",
            f"freezedetect=n={FROZEN_NOISE}:d={FROZEN_SECONDS}",
            f"scdet=threshold={CUT_SCORE}",
        )
    )
    command = [
        ffmpeg,
        "-nostdin",
        "-hide_banner",
        "-nostats",
        "-loglevel",
        "info",
        "-t",  # the first hour: content.seconds plans the time limit from no more
        f"{ANALYSED_S_MAX:g}",
        *local_input(path),
        "-map",
        "0:v:0",
        "-vf",
        detectors,
        "-f",
        "null",
        "-",
    ]
    done = subprocess.run(command, stdin=subprocess.DEVNULL, capture_output=True, check=False)
    log = done.stderr.decode("utf-8", "replace")
    if done.returncode != 0:
        last = log.strip().rsplit("\n", 1)[-1][:200]
        return FrameFacts((), (), (), f"ffmpeg could not decode the video: {last}")
    return parse_log(log)


def parse_log(log: str) -> FrameFacts:
    """The detectors' findings in ffmpeg's log."""
    from preflight.probe.analysed import FrameFacts, Segment

    black = tuple(Segment(float(a), float(b)) for a, b in _BLACK.findall(log))
    frozen: list[Segment] = []
    for which, at in _FREEZE.findall(log):
        if which == "start":
            frozen.append(Segment(float(at), None))
        elif frozen and frozen[-1].end_s is None:
            frozen[-1] = Segment(frozen[-1].start_s, float(at))
    cuts = tuple(float(at) for at in _CUT.findall(log))
    return FrameFacts(black, tuple(frozen), cuts)

"""MPEG-TS timing from the video stream's own timestamps.

A transport stream has no index: libmediainfo estimates its duration from the bitrate and
the clock references, up to a few hundredths of a second long, and gives no frame rate for
H.264 whose headers do not promise a fixed one (what x264 writes). The presentation times
(PTS) of the video frames are exact: those of the first frames (in the file's head) and of
the last (in its tail) give the frame duration and the span from the first frame to the end
of the last. Two windows of WINDOW bytes are read, whatever the file's size. Where the rate
varies (the windows step at different rates, or skip frames), the average frame rate is the
frames counted over the duration when the file fits in one window, else unknown.
"""

from __future__ import annotations

import io
import itertools
import statistics
from typing import BinaryIO, NamedTuple

from preflight.limits import MB

WINDOW = 2 * MB  # bytes read at each end: a few frames even of a high-bitrate 4K stream
_CLOCK = 90_000  # PTS ticks a second
_WRAP = 1 << 33  # PTS are 33-bit and wrap around
_TS = 188  # a TS packet; M2TS puts a 4-byte timecode before each, some tools 16 bytes after
_PACKETS = ((_TS, 0), (192, 4), (204, 0))  # packet size, sync byte's offset in it
_SYNC = 0x47
_PES_START = b"\0\0\1"


SAME_RATE = 1.01  # rates within 1 % are one rate (a rate read from millisecond times too)
# A window's frames are whole but for those that decoding order (B-frames) puts outside it,
# at most a decoded-picture buffer's worth.
_REORDER = 16


class Timing(NamedTuple):
    duration_s: float  # from the first frame's start to the last frame's end
    fps: float | None  # the average: the codec's rate, else the timestamps'; None: unknown
    steady: bool  # the windows show one rate (else it varies: a variable frame rate)


def video_timing(stream: BinaryIO, pid: int, fps: float | None = None) -> Timing | None:
    """The timing of the video stream on `pid`, or None when its timestamps cannot be read
    (scrambled, damaged, no packet layout). When the rates of the codec's headers (`fps`,
    exact when present), of the first frames and of the last frames agree, that is the rate
    and the last frame lasts one step of it; else the rate varies (frames missing inside a
    window are variation too), and the last frame lasts the last frames' step."""
    stream.seek(0)
    head = stream.read(WINDOW)
    layout = _layout(head)
    if layout is None:
        return None
    first = _timestamps(head, layout, pid)
    size = stream.seek(0, io.SEEK_END)
    stream.seek(max(0, size - WINDOW))
    tail = stream.read(WINDOW)
    tail_layout = _layout(tail, layout[0])
    last = _timestamps(tail, tail_layout, pid) if tail_layout is not None else []
    if not first or not last:
        return None
    base = first[0]
    starts = sorted({_since(base, pts) for pts in first})
    ends = sorted({_since(base, pts) for pts in last})
    opening, closing = _stepping(starts), _stepping(ends)
    span = ends[-1] - starts[0]
    if opening is None or span <= 0:
        return None
    closing = closing or opening  # a tail window with one frame tells nothing
    declared = fps if fps and fps > 0 else None
    rates = [opening[0], closing[0], *([declared] if declared else [])]
    steady = max(rates) <= min(rates) * SAME_RATE and max(opening[1], closing[1]) <= _REORDER
    rate = (declared or opening[0]) if steady else closing[0]
    duration = (span + _CLOCK / rate) / _CLOCK  # the last frame lasts a step
    if steady:
        return Timing(duration, rate, steady)
    # The rate varies: its average is frames / duration, counted when the head window holds
    # the whole file, and not known from two windows of a larger one.
    return Timing(duration, len(starts) / duration if size <= WINDOW else None, steady)


def _stepping(starts: list[int]) -> tuple[float, int] | None:
    """The frame rate a window's frame starts step at (their median step), and how many
    frames that rate implies are missing between the first and the last."""
    if len(starts) < 2:
        return None
    step = round(statistics.median(b - a for a, b in itertools.pairwise(starts)))
    window = starts[-1] - starts[0]
    if step <= 0 or window <= 0:
        return None
    steps = round(window / step)
    return steps * _CLOCK / window, steps + 1 - len(starts)  # 23.976: steps of 3753 and 3754


def _since(base: int, pts: int) -> int:
    """Ticks from `base` to `pts` across a wrap of the 33-bit clock; negative just before."""
    ticks = (pts - base) % _WRAP
    return ticks - _WRAP if ticks > _WRAP // 2 else ticks


def _layout(data: bytes, size: int | None = None) -> tuple[int, int] | None:
    """(packet size, offset of the first sync byte): where three packets in a row start."""
    for packet, sync in _PACKETS:
        if size is not None and packet != size:
            continue
        for at in range(sync, min(len(data), sync + packet)):
            if all(
                at + n * packet < len(data) and data[at + n * packet] == _SYNC for n in range(3)
            ):
                return packet, at
    return None


def _timestamps(data: bytes, layout: tuple[int, int], pid: int) -> list[int]:
    """The PTS of each PES that starts on `pid` in `data`, in file order."""
    packet, at = layout
    unit_start = 0x40 | pid >> 8  # the second byte: a PES starts here, and the PID's top bits
    found = []
    for start in range(at, len(data) - _TS + 1, packet):
        # A damaged packet (no sync byte) is skipped: the next may be whole.
        if data[start + 2] != pid & 0xFF or data[start + 1] & 0x5F != unit_start:
            continue
        flags = data[start + 3]
        if data[start] != _SYNC or flags & 0xC0 or not flags & 0x10:
            continue  # scrambled, or no payload
        offset = start + 4 + (1 + data[start + 4] if flags & 0x20 else 0)
        pts = _pes_pts(data[offset : start + _TS])
        if pts is not None:
            found.append(pts)
    return found


def _pes_pts(pes: bytes) -> int | None:
    """The PTS of a PES header, when it carries one."""
    if len(pes) < 14 or not pes.startswith(_PES_START) or not pes[7] & 0x80:
        return None
    b = pes[9:14]
    return (b[0] >> 1 & 0b111) << 30 | b[1] << 22 | (b[2] >> 1) << 15 | b[3] << 7 | b[4] >> 1

"""The video track header of a Matroska (or WebM) file, for what libmediainfo does not give.

libmediainfo reads neither the track's Projection, where ffmpeg writes a rotation (its pose
roll), nor, at the parse speed used, a frame rate whose first frames' times vary (HEVC's
reordered frames, 120 fps in millisecond timestamps): the track's DefaultDuration is the
rate the file declares. Only the EBML header and the Segment's top-level elements up to
Tracks are read (seeking over the others), and Tracks when it is at most TRACKS_MAX bytes.
"""

from __future__ import annotations

import io
import struct
from typing import BinaryIO, NamedTuple

from preflight.limits import MB

TRACKS_MAX = 1 * MB  # a Tracks element larger than this is not read
_TOP_MAX = 64  # top-level elements walked before Tracks, at most
_EBML, _SEGMENT, _TRACKS, _CLUSTER = 0x1A45DFA3, 0x18538067, 0x1654AE6B, 0x1F43B675
_TRACK_ENTRY, _TRACK_TYPE, _DEFAULT_DURATION, _VIDEO = 0xAE, 0x83, 0x23E383, 0xE0
_PROJECTION, _PROJECTION_TYPE = 0x7670, 0x7671
_YAW, _PITCH, _ROLL = 0x7673, 0x7674, 0x7675
_VIDEO_TRACK = 1  # TrackType
_RECTANGULAR = 0  # ProjectionType: a flat picture, which a pose turns in its plane


class VideoHeader(NamedTuple):
    fps: float | None  # 1 / DefaultDuration
    rotation: float | None  # clockwise degrees, from a flat picture's projection pose


def video_header(stream: BinaryIO) -> VideoHeader | None:
    """The first video track's header, or None when Tracks cannot be reached in bounds."""
    stream.seek(0)
    header = _element(stream)
    if header is None or header[0] != _EBML or header[1] is None:
        return None
    stream.seek(header[1], 1)
    segment = _element(stream)
    if segment is None or segment[0] != _SEGMENT:
        return None
    for _ in range(_TOP_MAX):
        element = _element(stream)
        if element is None or element[0] == _CLUSTER:
            return None  # Tracks comes before the first Cluster
        kind, size = element
        if kind == _TRACKS:
            if size is None or size > TRACKS_MAX:
                return None
            data = stream.read(size)
            return next(
                (_track(entry) for entry in _children(data, _TRACK_ENTRY) if _is_video(entry)),
                None,
            )
        if size is None:
            return None
        stream.seek(size, 1)
    return None


def _is_video(entry: bytes) -> bool:
    return _uint(_child(entry, _TRACK_TYPE)) == _VIDEO_TRACK


def _track(entry: bytes) -> VideoHeader:
    frame_ns = _uint(_child(entry, _DEFAULT_DURATION))
    video = _child(entry, _VIDEO)
    projection = _child(video, _PROJECTION) if video is not None else None
    return VideoHeader(1e9 / frame_ns if frame_ns else None, _turn(projection))


def _turn(projection: bytes | None) -> float | None:
    """The clockwise turn of a flat picture's pose, as ffmpeg reads it (matroskadec): the
    roll is counter-clockwise, and mirrored by a yaw of 180°; a pitch or another yaw is no
    turn in the picture's plane."""
    if projection is None or (_uint(_child(projection, _PROJECTION_TYPE)) or 0) != _RECTANGULAR:
        return None
    yaw, pitch, roll = (_float(_child(projection, key)) for key in (_YAW, _PITCH, _ROLL))
    if pitch or yaw not in (0.0, 180.0, -180.0) or roll != roll:  # roll != roll: NaN
        return None
    return roll if yaw else -roll


def _element(stream: BinaryIO) -> tuple[int, int | None] | None:
    """(ID, data size) of the element at the stream's position; size None when unknown."""
    kind = _vint(stream, keep_marker=True)
    size = _vint(stream, keep_marker=False) if kind is not None else None
    if kind is None or size is None:
        return None
    return kind, None if size < 0 else size


def _vint(stream: BinaryIO, *, keep_marker: bool) -> int | None:
    """An EBML variable-length integer; -1 for a size of all ones (unknown)."""
    first = stream.read(1)
    if not first or not first[0]:
        return None
    length = 9 - first[0].bit_length()
    rest = stream.read(length - 1)
    if len(rest) < length - 1:
        return None
    value = int.from_bytes(first + rest, "big")
    if keep_marker:
        return value
    value &= (1 << (7 * length)) - 1
    return -1 if value == (1 << (7 * length)) - 1 else value


def _children(data: bytes | None, kind: int) -> list[bytes]:
    """The data of each child of `kind` in an element's data."""
    found: list[bytes] = []
    stream = io.BytesIO(data or b"")
    while (element := _element(stream)) is not None and element[1] is not None:
        body = stream.read(element[1])
        if len(body) < element[1]:
            break
        if element[0] == kind:
            found.append(body)
    return found


def _child(data: bytes | None, kind: int) -> bytes | None:
    return next(iter(_children(data, kind)), None)


def _uint(data: bytes | None) -> int | None:
    return int.from_bytes(data, "big") if data is not None and len(data) <= 8 else None


def _float(data: bytes | None) -> float:
    """An EBML float (4 or 8 bytes; empty or absent: 0)."""
    if data is not None and len(data) in (4, 8):
        value: float = struct.unpack(">f" if len(data) == 4 else ">d", data)[0]
        return value
    return 0.0

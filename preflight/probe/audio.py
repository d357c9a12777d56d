"""Exact durations of audio files without an index, read from their own headers.

At the parse speed that keeps a probe bounded, libmediainfo reads these wrong or not at all:
MPEG audio without a Xing or VBRI tag gets the length of the few frames it read (a tenth of a
Layer II file), MP3 counts the encoder's priming and padding its LAME tag records (two frames
long at 8 kHz), ADTS AAC gets none, Sun AU counts 16-bit samples as bytes (twice the length)
and CAF misreads its data chunk. The duration here is what a decoder plays (ffmpeg's decoded
output, and a gapless player's):

- MPEG audio: the frame count of its Xing/Info or VBRI tag less the priming and padding of
  its LAME tag; without a tag (or with one that counts more bytes than the file has), its
  frames counted header by header.
- ADTS AAC: its frames counted header by header, 1024 samples a raw data block.
- Sun AU: its data size over the size of a sample; CAF: the valid frames of its packet table,
  else its data size over its constant packet size.

Cost: a tag, an AU header or CAF's chunk headers are a few reads of a few KB. A header walk
reads the stream through, so only one of at most WALK_MAX bytes is walked (a fraction of a
second): every driver audio the API takes (10 MB) and one somewhat over it; a longer one
without a tag gets no duration rather than an estimate.
"""

from __future__ import annotations

import io
import math
import struct
from collections.abc import Callable
from typing import BinaryIO, NamedTuple

from preflight.limits import MB

WALK_MAX = 16 * MB  # stream bytes counted frame by frame: ~50 ms of Python, read at once
TAGS_MAX = 4  # ID3v2 tags skipped before the audio: a second one happens, more is damage
TIMED_FORMATS = frozenset({"mp1", "mp2", "mp3", "aac", "au", "caf"})
_HEAD = 4096  # the first frame (2881 bytes at most) with its tag, or CAF's chunk headers
_HEADERS_KEPT = 256  # distinct frame headers remembered in a walk: real streams have few
_CHUNKS_MAX = 256  # CAF chunks looked at: real files have under ten
# What may follow the last frame: ID3v1, APEv2, Lyrics3, an ID3v2 tag at the end.
_TRAILERS = (b"TAG", b"APETAGEX", b"LYRICSBEGIN", b"ID3", b"3DI")
# Encoders whose LAME tag ffmpeg trusts for the priming and padding (libavformat/mp3dec.c).
_LAME_ENCODERS = (b"LAME", b"Lavf", b"Lavc")
_DECODER_DELAY = 529  # samples an MP3 decoder's filter bank delays the sound by

# MPEG audio: kbit/s by (MPEG-1?, layer), for bitrate indexes 1 to 14.
_BITRATES = {
    (True, 1): (32, 64, 96, 128, 160, 192, 224, 256, 288, 320, 352, 384, 416, 448),
    (True, 2): (32, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 384),
    (True, 3): (32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320),
    (False, 1): (32, 48, 56, 64, 80, 96, 112, 128, 144, 160, 176, 192, 224, 256),
    (False, 2): (8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160),
    (False, 3): (8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160),
}
# Sample rates by version bits: 3 MPEG-1, 2 MPEG-2, 0 MPEG-2.5 (1 is reserved).
_MPEG_RATES = {3: (44100, 48000, 32000), 2: (22050, 24000, 16000), 0: (11025, 12000, 8000)}
_ADTS_RATES = (
    *(96000, 88200, 64000, 48000, 44100, 32000, 24000, 22050, 16000, 12000, 11025, 8000),
    7350,
)
# Sun AU: bytes a sample by encoding (μ-law, 8 to 32-bit PCM, float, double, A-law).
_AU_SAMPLE_BYTES = {1: 1, 2: 1, 3: 2, 4: 3, 5: 4, 6: 4, 7: 8, 27: 1}


class Frame(NamedTuple):
    """One frame header of an MPEG audio or ADTS stream."""

    layer: int  # MPEG audio layer 1, 2 or 3; 0 for ADTS
    rate: int
    samples: int  # decoded samples a channel
    size: int  # bytes, header included; 0 for MPEG's free format (not in the header)
    kind: int  # header bits every frame of one stream shares


FrameAt = Callable[[bytes, int], Frame | None]  # the frame header at an offset of the data


def mpeg_frame(data: bytes, at: int = 0) -> Frame | None:
    """The MPEG audio frame header at `at`, or None (no sync, a reserved field)."""
    if len(data) < at + 4 or data[at] != 0xFF or data[at + 1] & 0xE0 != 0xE0:
        return None
    second, third = data[at + 1], data[at + 2]
    version, layer_bits = second >> 3 & 0b11, second >> 1 & 0b11
    index, rate_index = third >> 4, third >> 2 & 0b11
    if version == 0b01 or layer_bits == 0 or index == 15 or rate_index == 3:
        return None
    mpeg1, layer = version == 0b11, 4 - layer_bits
    rate = _MPEG_RATES[version][rate_index]
    samples = 384 if layer == 1 else 1152 if layer == 2 or mpeg1 else 576
    size = 0
    if index:
        bits, padding = _BITRATES[mpeg1, layer][index - 1] * 1000, third >> 1 & 1
        if layer == 1:
            size = (12 * bits // rate + padding) * 4  # 4-byte slots
        else:
            size = samples * bits // 8 // rate + padding
    return Frame(layer, rate, samples, size, (second & 0xFE) << 8 | third & 0x0C)


def adts_frame(data: bytes, at: int = 0) -> Frame | None:
    """The ADTS header at `at`, or None (no sync, a reserved rate, a length too short)."""
    if len(data) < at + 7 or data[at] != 0xFF or data[at + 1] & 0xF6 != 0xF0:
        return None
    rate_index = data[at + 2] >> 2 & 0xF
    size = (data[at + 3] & 0b11) << 11 | data[at + 4] << 3 | data[at + 5] >> 5
    header = 7 if data[at + 1] & 1 else 9  # 9: a CRC follows
    if rate_index >= len(_ADTS_RATES) or size < header:
        return None
    samples = ((data[at + 6] & 0b11) + 1) * 1024  # raw data blocks of 1024 samples
    kind = data[at + 1] << 8 | data[at + 2] & 0x3C
    return Frame(0, _ADTS_RATES[rate_index], samples, size, kind)


def id3_size(head: bytes) -> int | None:
    """The bytes an ID3v2 tag at the start of `head` takes, header and footer included; None
    when its header is not one (a version of FF, a size that is not synchsafe)."""
    if len(head) < 10 or head[3] == 0xFF or any(byte & 0x80 for byte in head[6:10]):
        return None
    size = 0
    for byte in head[6:10]:  # synchsafe integer: 7 bits a byte
        size = (size << 7) | byte
    footer = 10 if head[5] & 0x10 else 0
    return 10 + size + footer


def audio_duration(stream: BinaryIO, fmt: str) -> float | None:
    """The duration in seconds of a file of format `fmt` (one of TIMED_FORMATS), or None when its
    headers do not give it within the bounds above."""
    size = stream.seek(0, io.SEEK_END)
    if fmt == "au":
        return _au(read_at(stream, 0, 24), size)
    if fmt == "caf":
        return _caf(stream, size)
    start = _audio_start(stream)
    if start is None:
        return None
    if fmt == "aac":
        walked = _walk(stream, start, size, _remembering(adts_frame, 7), cut_plays=False)
        return None if walked is None else walked[0] / walked[1]
    return _mpeg(stream, start, size)


def read_at(stream: BinaryIO, offset: int, size: int) -> bytes:
    """`size` bytes of the stream from `offset` (fewer at its end)."""
    stream.seek(offset)
    return stream.read(size)


def _audio_start(stream: BinaryIO) -> int | None:
    """Where the first frame starts: after the ID3v2 tags and the zeros some taggers leave."""
    offset = 0
    for _ in range(TAGS_MAX):
        head = read_at(stream, offset, _HEAD)
        if not head.startswith(b"ID3"):
            return offset + len(head) - len(head.lstrip(b"\0"))
        tag = id3_size(head)
        if tag is None:
            return None
        offset += tag
    return None


def _walk(
    stream: BinaryIO,
    start: int,
    size: int,
    frame_at: FrameAt,
    cut_plays: bool,
) -> tuple[int, int] | None:
    """(samples, rate) of the frames from `start` on, counted header by header, a last frame
    cut short among them when `cut_plays` (an MP3 decoder plays one; an AAC decoder refuses
    one); None when the stream is over WALK_MAX bytes, when a frame's size is not in its
    header, or when what follows the frames is neither the end nor a tag (damage: a decoder
    would resynchronise and play on, so counting would stop short)."""
    if size - start > WALK_MAX:
        return None
    data = read_at(stream, start, WALK_MAX)
    first = frame_at(data, 0)
    if first is None or not first.size:
        return None
    at, samples, end = 0, 0, len(data)
    while (frame := frame_at(data, at)) is not None and frame.kind == first.kind:
        if not frame.size:
            return None
        if at + frame.size > end and not cut_plays:
            break
        samples += frame.samples
        at += frame.size
        if at >= end:
            break
    else:
        rest = data[at:]
        if rest.strip(b"\0") and not rest.startswith(_TRAILERS):
            return None
    return samples, first.rate


def _remembering(parse: Callable[[bytes, int], Frame | None], width: int) -> FrameAt:
    """`parse`, remembering the headers (their first `width` bytes) it has read: a stream
    repeats a few (MP3 at a constant bitrate: two, with and without padding; ADTS as ffmpeg
    writes it: one a frame size), so a walk parses each once (three times faster)."""
    seen: dict[bytes, Frame | None] = {}

    def frame_at(data: bytes, at: int) -> Frame | None:
        header = data[at : at + width]
        if header in seen:
            return seen[header]
        frame = parse(header, 0)
        if len(seen) < _HEADERS_KEPT:
            seen[header] = frame
        return frame

    return frame_at


def _mpeg(stream: BinaryIO, start: int, size: int) -> float | None:
    head = read_at(stream, start, _HEAD)
    first = mpeg_frame(head)
    if first is None:
        return None
    tag = _vbr_tag(head, first)
    if tag is not None and tag.frames is not None and (tag.stream_bytes or 0) <= size - start:
        samples = tag.frames * first.samples
        dropped = tag.delay + tag.padding  # the padding ends where the tag's count does
    else:
        # No count, or one of more bytes than the file has (cut short): count the frames,
        # but for the tag's own frame, which decoders skip. Where the padding is not known
        # to end, a decoder drops the delay, and its own (ffmpeg: libavformat/mp3dec.c).
        after_tag = start + (first.size if tag else 0)
        walked = _walk(stream, after_tag, size, _remembering(mpeg_frame, 4), cut_plays=True)
        if walked is None:
            return None
        samples = walked[0]
        dropped = tag.delay + _DECODER_DELAY if tag is not None and tag.delay else 0
    return (samples - dropped if dropped < samples else samples) / first.rate


class _Tag(NamedTuple):
    """A Xing/Info or VBRI tag: what its first frame (which plays nothing) says."""

    frames: int | None  # the frames after it
    stream_bytes: int | None  # the bytes from its frame to the end of the last
    delay: int  # samples the encoder put before the sound (LAME tag), which decoders drop
    padding: int  # samples it put after the sound


def _vbr_tag(head: bytes, first: Frame) -> _Tag | None:
    """The Xing/Info (with its LAME tag) or VBRI tag in the first frame of an MP3."""
    if first.layer != 3:
        return None
    mono = head[3] >> 6 == 3
    mpeg1 = first.samples == 1152
    at = 4 + (17 if mono else 32) if mpeg1 else 4 + (9 if mono else 17)
    if head[at : at + 4] in (b"Xing", b"Info"):
        flags = int.from_bytes(head[at + 4 : at + 8], "big")
        at += 8
        fields: list[int | None] = []
        for flag in (1, 2):  # the frame count, the byte count: each only when flagged
            fields.append(int.from_bytes(head[at : at + 4], "big") if flags & flag else None)
            at += 4 if flags & flag else 0
        at += (100 if flags & 4 else 0) + (4 if flags & 8 else 0)  # seek table, quality
        pads = 0
        if head[at : at + 4] in _LAME_ENCODERS:  # the LAME tag: 12-bit delay and padding
            pads = int.from_bytes(head[at + 21 : at + 24], "big")
        return _Tag(fields[0], fields[1], pads >> 12, pads & 0xFFF)
    if head[36:40] == b"VBRI":
        stream_bytes, frames = struct.unpack(">II", head[46:54])
        return _Tag(frames, stream_bytes, 0, 0)
    return None


def _au(head: bytes, size: int) -> float | None:
    """Sun AU: a 24-byte header of big-endian words (data offset and size, encoding, sample
    rate, channels); a size of all ones is "to the end of the file"."""
    if len(head) < 24:
        return None
    words: tuple[int, ...] = struct.unpack(">5I", head[4:24])
    offset, data_size, encoding, rate, channels = words
    sample = _AU_SAMPLE_BYTES.get(encoding)
    if sample is None or not rate or not channels or offset < 24:
        return None
    present = max(0, size - offset)
    data = present if data_size == 0xFFFFFFFF else min(data_size, present)
    return data // (sample * channels) / rate


def _caf(stream: BinaryIO, size: int) -> float | None:
    """Core Audio Format: the `desc` chunk's rate and packet layout, the `pakt` chunk's
    valid frames (compressed audio), else the `data` chunk's size (PCM)."""
    rate: float | None = None
    packet_bytes = packet_frames = 0
    valid = data = None
    at = 8  # "caff", version, flags
    for _ in range(_CHUNKS_MAX):
        header = read_at(stream, at, 12 + 32)
        if len(header) < 12:
            break
        kind, length = header[:4], int.from_bytes(header[4:12], "big", signed=True)
        body = header[12:]
        if kind == b"desc" and len(body) >= 32:
            rate = float(struct.unpack(">d", body[:8])[0])
            packet_bytes = int.from_bytes(body[16:20], "big")
            packet_frames = int.from_bytes(body[20:24], "big")
        elif kind == b"pakt" and len(body) >= 16:
            valid = int.from_bytes(body[8:16], "big", signed=True)
        elif kind == b"data":
            present = size - at - 12
            data = present if length < 0 else min(length, present)
            if length < 0:
                break  # the data runs to the end of the file
        if length < 0:
            return None
        at += 12 + length
    if rate is None or not math.isfinite(rate) or rate <= 0:
        return None
    if valid is not None and valid > 0:
        return valid / rate
    if data is None or not packet_bytes or not packet_frames:
        return None
    return max(0, data - 4) // packet_bytes * packet_frames / rate  # 4: the edit count

"""Image headers → ImageFacts: stored and displayed size, EXIF orientation, frames; no pixels.

Pillow's format plugins are called directly rather than through `Image.open`: that skips the
decompression-bomb check, which guards decoding, and we never decode; so a photo that declares
60000×60000 pixels is reported with its declared size instead of failing. WebP is parsed here,
because Pillow reads a whole WebP file into memory and allocates its canvas just to open it.
"""

from __future__ import annotations

import importlib
import struct
from collections.abc import Callable
from typing import IO, TYPE_CHECKING, BinaryIO

from preflight.i18n import N_
from preflight.limits import MB
from preflight.probe import heif
from preflight.probe.facts import ImageFacts, ProbeError

if TYPE_CHECKING:
    from pathlib import Path

    from PIL import ImageFile

# Sniffed format → (Pillow plugin module, header-reading constructor).
_PLUGINS = {
    "jpeg": ("JpegImagePlugin", "JpegImageFile"),  # not jpeg_factory: no MPO frame table
    "png": ("PngImagePlugin", "PngImageFile"),
    "gif": ("GifImagePlugin", "GifImageFile"),
    "bmp": ("BmpImagePlugin", "BmpImageFile"),
    "tiff": ("TiffImagePlugin", "TiffImageFile"),
}
MAY_ANIMATE = ("png", "gif", "webp")
SCAN_MAX = 64 * MB  # end markers and GIF frames are looked for this far, no further
CHUNKS_MAX = 1 << 16  # PNG / WebP chunks walked, at most
EXIF_MAX = 1 * MB  # a WebP EXIF chunk larger than this is not read
_ORIENTATION = 0x0112
_IMAGE_WIDTH, _IMAGE_LENGTH = 256, 257  # TIFF tags
_PARSE_ERRORS = (
    SyntaxError,
    OSError,
    ValueError,
    EOFError,
    struct.error,
    IndexError,
    TypeError,
    KeyError,
)


def probe_image(path: Path, fmt: str) -> ImageFacts:
    """The facts of the image at `path`, whose content was sniffed as `fmt`."""
    if fmt == "webp":
        return _probe_webp(path)
    if fmt in ("heic", "avif"):  # no Pillow reader: the HEIF boxes give size and rotation
        with path.open("rb") as stream:
            found = heif.size_and_orientation(stream)
        if found is not None:
            return _with_orientation(fmt, *found, 1, None)
    if fmt not in _PLUGINS:
        return ImageFacts(fmt, None, None, 1, None, None, 1, None)
    try:
        with path.open("rb") as stream:
            image = _open(stream, fmt)
            try:
                return _facts(stream, image, fmt)
            finally:
                image.close()
    except ProbeError:
        raise
    except _PARSE_ERRORS as error:  # Pillow's own words may quote bytes of the file: not shown
        raise ProbeError(f"the {fmt.upper()} headers are corrupt or cut short") from error


def preload(fmt: str) -> None:
    """Import Pillow's reader of this format, before a file needs it."""
    if fmt in _PLUGINS:
        importlib.import_module(f"PIL.{_PLUGINS[fmt][0]}")


def _open(stream: BinaryIO, fmt: str) -> ImageFile.ImageFile:
    module, constructor = _PLUGINS[fmt]
    plugin = importlib.import_module(f"PIL.{module}")  # lazy: Pillow only when an image comes
    factory: Callable[[IO[bytes]], ImageFile.ImageFile] = getattr(plugin, constructor)
    return factory(stream)


def _facts(stream: BinaryIO, image: ImageFile.ImageFile, fmt: str) -> ImageFacts:
    width, height = _stored_size(image, fmt)
    if fmt == "jpeg":
        _check_jpeg_end(stream, stream.tell())  # Pillow's header read stops at the image data
    elif fmt == "png":
        _check_png_end(stream)
    frames = 1
    if fmt in MAY_ANIMATE and _size(stream) <= SCAN_MAX:  # GIF frames are counted by a walk
        frames = max(1, int(getattr(image, "n_frames", 1)))
    # PNG's getexif() decodes the image when the header holds no eXIf chunk: skip it then.
    exif = image if fmt != "png" or "exif" in image.info else None
    return _with_orientation(fmt, width, height, _orientation(exif), frames, image.mode)


def _stored_size(image: ImageFile.ImageFile, fmt: str) -> tuple[int, int]:
    """The size as stored. Pillow 13 gives a TIFF's size already turned by its orientation
    5–8 (it turns the pixels on load), which _with_orientation would turn again; the TIFF's
    ImageWidth and ImageLength tags are the stored size, whatever Pillow's version."""
    tags = getattr(image, "tag_v2", None) if fmt == "tiff" else None
    if tags is not None:
        width, height = tags.get(_IMAGE_WIDTH), tags.get(_IMAGE_LENGTH)
        if isinstance(width, int) and isinstance(height, int):
            return width, height
    return image.size


def _with_orientation(
    fmt: str, width: int, height: int, orientation: int, frames: int, mode: str | None
) -> ImageFacts:
    turned = orientation >= 5  # 5–8 transpose or rotate by a quarter turn
    display = (height, width) if turned else (width, height)
    return ImageFacts(fmt, width, height, orientation, *display, frames, mode)


def _orientation(source: ImageFile.ImageFile | bytes | None) -> int:
    """EXIF Orientation 1–8 of an opened image or of a raw EXIF block; 1 when absent or broken."""
    if source is None:
        return 1
    try:
        if isinstance(source, bytes):
            from PIL import Image

            exif = Image.Exif()
            exif.load(source)
        else:
            exif = source.getexif()
        value = exif.get(_ORIENTATION, 1)
    except Exception:  # a broken EXIF block leaves the picture as stored
        return 1
    return value if isinstance(value, int) and 1 <= value <= 8 else 1


def _size(stream: BinaryIO) -> int:
    here = stream.tell()
    size = stream.seek(0, 2)
    stream.seek(here)
    return size


def _check_jpeg_end(stream: BinaryIO, scan_start: int) -> None:
    """A JPEG cut short has no end-of-image marker after its image data."""
    size = _size(stream)
    stream.seek(max(scan_start, size - 64))
    if stream.read().rstrip(b"\0\r\n ").endswith(b"\xff\xd9"):
        return  # the usual case; otherwise a trailer (motion photo, maker data) may follow
    # 0xFF is stuffed inside image data, so the first FF D9 after the scan start is the end.
    stream.seek(scan_start)
    carry = b""
    while stream.tell() - scan_start < SCAN_MAX:
        block = stream.read(1 * MB)
        if not block:
            raise ProbeError(N_("the JPEG is cut short: its image data has no end marker"))
        if b"\xff\xd9" in carry + block:
            return
        carry = block[-1:]


def _check_png_end(stream: BinaryIO) -> None:
    """Walk the chunks to IEND: a PNG cut short ends inside a chunk."""
    stream.seek(8)
    for _ in range(CHUNKS_MAX):
        header = stream.read(8)
        if len(header) < 8:
            raise ProbeError(N_("the PNG is cut short: it ends before its IEND chunk"))
        length, kind = struct.unpack(">I4s", header)
        if kind == b"IEND":
            return
        stream.seek(length + 4, 1)  # data and CRC


def _probe_webp(path: Path) -> ImageFacts:
    """RIFF chunks: VP8/VP8L/VP8X give the size, ANMF chunks are frames, EXIF the orientation."""
    with path.open("rb") as stream:
        riff = stream.read(12)
        if len(riff) < 12:
            raise ProbeError(N_("the WebP is cut short: no RIFF header"))
        end = 8 + struct.unpack("<I", riff[4:8])[0]
        if end > _size(stream):
            raise ProbeError(
                N_("the WebP is cut short: it is smaller than its RIFF header declares")
            )
        first = stream.read(8 + 30)
        size, mode, animated = _webp_canvas(first)
        frames, exif = _webp_chunks(stream, end)
    width, height = size
    return _with_orientation(
        "webp", width, height, _orientation(exif), max(1, frames) if animated else 1, mode
    )


def _webp_canvas(chunk: bytes) -> tuple[tuple[int, int], str, bool]:
    kind, data = chunk[:4], chunk[8:]
    if kind == b"VP8X" and len(data) >= 10:
        flags = data[0]
        width = int.from_bytes(data[4:7], "little") + 1
        height = int.from_bytes(data[7:10], "little") + 1
        return (width, height), "RGBA" if flags & 0x10 else "RGB", bool(flags & 0x02)
    if kind == b"VP8L" and len(data) >= 5 and data[0] == 0x2F:
        bits = int.from_bytes(data[1:5], "little")
        size = ((bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1)
        return size, "RGBA" if bits >> 28 & 1 else "RGB", False
    if kind == b"VP8 " and len(data) >= 10 and data[3:6] == b"\x9d\x01\x2a":
        width, height = struct.unpack("<HH", data[6:10])
        return (width & 0x3FFF, height & 0x3FFF), "RGB", False
    raise ProbeError(N_("the WebP headers are corrupt: no VP8, VP8L or VP8X image header"))


def _webp_chunks(stream: BinaryIO, end: int) -> tuple[int, bytes | None]:
    """Count ANMF (frame) chunks and read the EXIF chunk, seeking over everything else."""
    frames, exif = 0, None
    stream.seek(12)
    for _ in range(CHUNKS_MAX):
        header = stream.read(8)
        if len(header) < 8 or stream.tell() > end:
            break
        kind, length = header[:4], struct.unpack("<I", header[4:])[0]
        if stream.tell() + length > end:
            raise ProbeError(N_("the WebP is cut short: its last chunk runs past the end"))
        if kind == b"ANMF":
            frames += 1
        skip = length + (length & 1)  # chunks are padded to an even size
        if kind == b"EXIF" and length <= EXIF_MAX:
            exif = stream.read(length)
            skip -= len(exif)
        stream.seek(skip, 1)
    return frames, exif

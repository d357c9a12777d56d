"""Recognise a file's format from its first bytes: the name never decides."""

from __future__ import annotations

from collections.abc import Callable

from preflight.probe.audio import TAGS_MAX, adts_frame, id3_size, mpeg_frame
from preflight.probe.facts import Kind

HEAD_BYTES = 4096  # enough for every signature below, and for an ID3 tag's header
_AFTER_TAG = 256  # bytes past a tag that settle what follows; fewer: read on from there
# Bytes at (offset, size) of the file being sniffed; fewer at its end. The probe gives one.
ReadAt = Callable[[int, int], bytes]

# ISO base media brands (four bytes of the `ftyp` box) → format. The API takes MP4 and MOV:
# MP4 is the ISO and MP4 brands and the MP4 profiles that are plain MP4 files (Apple's M4V,
# DASH and CMAF segments, camera brands); MOV is QuickTime's. 3GP and 3G2 (3GPP, 3GPP2) are
# formats of their own, with their own file types and codec lists: not MP4 (a remux with
# `-c copy` makes one). 3GPP brands are "3g" + two characters, 3GPP2's "3g2" + one.
_ISO_BRANDS = {
    **dict.fromkeys((b"isom", *(b"iso%d" % n for n in range(2, 10))), "mp4"),
    **dict.fromkeys((b"mp41", b"mp42", b"mp71", b"avc1", b"dash", b"cmfc", b"cmf2"), "mp4"),
    **dict.fromkeys((b"M4V ", b"M4VH", b"M4VP", b"MSNV", b"XAVC", b"F4V "), "mp4"),
    b"qt  ": "mov",
    **dict.fromkeys((b"M4A ", b"M4B ", b"M4P "), "m4a"),
    **dict.fromkeys((b"heic", b"heix", b"heim", b"heis", b"hevc", b"mif1", b"msf1"), "heic"),
    **dict.fromkeys((b"avif", b"avis"), "avif"),
}
# QuickTime files from before ftyp existed start with one of these atoms.
_QT_ATOMS = (b"moov", b"mdat", b"wide", b"free", b"skip", b"pnot")
_ASF_GUID = bytes.fromhex("3026B2758E66CF11A6D900AA0062CE6C")
# Formats whose first bytes are their whole signature.
_PREFIXES = (
    (b"fLaC", "flac"),
    (b"#!AMR", "amr"),
    (b"caff", "caf"),
    (b".snd", "au"),
    (b"TTA1", "tta"),
    (b"wvpk", "wavpack"),
    (b"OggS", "ogg"),
    (b"FLV", "flv"),
    (b"7z\xbc\xaf\x27\x1c", "7z"),
    (b"Rar!\x1a\x07", "rar"),
    (b"\x1f\x8b", "gzip"),
    (b"BZh", "bzip2"),
    (b"\xfd7zXZ\0", "xz"),
    (b"\0\0\x01\xba", "mpeg-ps"),
)
# Sony Wave64: RIFF and WAVE as GUIDs, "riff" and "wave" their first four bytes.
_W64_RIFF = bytes.fromhex("2E91CF11A5D628DB04C10000")
_W64_WAVE = bytes.fromhex("F3ACD3118CD100C04F8EDB8A")

KIND: dict[str, Kind] = {
    **dict.fromkeys(
        ("mp4", "mov", "3gp", "3g2", "mkv", "webm", "avi", "mpeg-ts", "mpeg-ps", "flv"), "video"
    ),
    **dict.fromkeys(
        ("wav", "mp3", "aac", "m4a", "flac", "ogg", "wma", "amr", "aiff", "caf", "mka"), "audio"
    ),
    # Audio that a producer's tools write, which the API does not take: recognised, so that
    # driver audio in one of them gets driver.format and a conversion, not "unrecognised".
    **dict.fromkeys(("mp1", "mp2", "ac3", "eac3", "dts", "au", "tta", "w64", "wavpack"), "audio"),
    "wmv": "video",
    **dict.fromkeys(("zip", "7z", "rar", "gzip", "bzip2", "xz", "tar"), "archive"),
    **dict.fromkeys(("jpeg", "png", "webp", "gif", "bmp", "tiff", "heic", "avif"), "image"),
    "pdf": "document",
}
# The file extensions each format is known by, for file.extension-mismatch.
EXTENSIONS: dict[str, tuple[str, ...]] = {
    "mp4": ("mp4", "m4v"),
    "mov": ("mov", "qt"),
    "3gp": ("3gp", "3gpp", "3ga"),
    "3g2": ("3g2", "3gp2"),
    "mkv": ("mkv", "mk3d"),
    "webm": ("webm",),
    "avi": ("avi",),
    "mpeg-ts": ("ts", "mts", "m2ts"),
    "mpeg-ps": ("mpg", "mpeg", "vob"),
    "flv": ("flv",),
    "wav": ("wav", "wave"),
    "mp3": ("mp3", "mpga"),
    "mp2": ("mp2", "mpa", "m2a"),
    "mp1": ("mp1", "mpa"),
    "aac": ("aac",),
    "m4a": ("m4a", "m4b", "mp4"),
    "flac": ("flac",),
    "ogg": ("ogg", "oga", "opus", "spx"),
    "wma": ("wma", "asf"),
    "amr": ("amr", "3ga"),
    "aiff": ("aif", "aiff", "aifc"),
    "caf": ("caf",),
    "mka": ("mka", "mkv"),  # Matroska holding only audio: .mkv is a fair name for it too
    "ac3": ("ac3",),
    "eac3": ("eac3", "ec3"),
    "dts": ("dts",),
    "au": ("au", "snd"),
    "tta": ("tta",),
    "w64": ("w64",),
    "wavpack": ("wv",),
    "wmv": ("wmv", "asf"),
    # Office documents, e-books and app packages are zips too: their names are not wrong.
    "zip": ("zip", "docx", "xlsx", "pptx", "odt", "ods", "odp", "epub", "jar", "apk"),
    "7z": ("7z",),
    "rar": ("rar",),
    "gzip": ("gz", "tgz"),
    "bzip2": ("bz2",),
    "xz": ("xz",),
    "tar": ("tar",),
    "jpeg": ("jpg", "jpeg", "jpe", "jfif"),
    "png": ("png", "apng"),
    "webp": ("webp",),
    "gif": ("gif",),
    "bmp": ("bmp",),
    "tiff": ("tif", "tiff"),
    "heic": ("heic", "heif"),
    "avif": ("avif",),
    "pdf": ("pdf",),
}


def format_of_extension(extension: str) -> str | None:
    """The format a (lowercase) file extension names, when it names one."""
    return _FORMAT_OF.get(extension)


# Each extension's format, the first that claims it (a search asks of every name it lists).
_FORMAT_OF = {ext: fmt for fmt, exts in reversed(EXTENSIONS.items()) for ext in exts}


def sniff(head: bytes, read_at: ReadAt | None = None) -> str | None:
    """The format whose signature `head` (a file's first bytes) starts with, or None when none
    matches. Audio behind ID3v2 tags is sniffed after them, read on through `read_at` when a
    tag (cover art) runs past `head`."""
    if head.startswith(b"ID3"):
        return _after_tags(head, read_at)
    return _signature(head) or _frames(head)


def _signature(head: bytes) -> str | None:
    if len(head) >= 12 and head[4:8] == b"ftyp":
        return _iso_format(head)
    if len(head) >= 8 and head[4:8] in _QT_ATOMS:
        return "mov"
    if head[:4] in (b"RIFF", b"RF64", b"BW64") and len(head) >= 12:
        return {b"WAVE": "wav", b"AVI ": "avi", b"WEBP": "webp"}.get(head[8:12])
    if head.startswith(b"\x1a\x45\xdf\xa3"):
        return "webm" if b"webm" in head[:64] else "mkv"
    if head.startswith(_ASF_GUID):
        return "asf"
    if head.startswith(b"PK\x03\x04") or head.startswith((b"PK\x05\x06", b"PK\x07\x08")):
        return "zip"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head.startswith((b"GIF87a", b"GIF89a")):
        return "gif"
    if head.startswith(b"BM") and len(head) >= 14 and head[6:10] == b"\0\0\0\0":
        return "bmp"
    if head.startswith((b"II*\0", b"MM\0*")):
        return "tiff"
    if b"%PDF-" in head[:1024]:
        return "pdf"
    if head.startswith(b"FORM") and head[8:12] in (b"AIFF", b"AIFC"):
        return "aiff"
    if head.startswith(b"riff" + _W64_RIFF) and head[24:40] == b"wave" + _W64_WAVE:
        return "w64"
    for prefix, fmt in _PREFIXES:
        if head.startswith(prefix):
            return fmt
    if len(head) >= 262 and head[257:262] == b"ustar":
        return "tar"
    if len(head) > 376 and head[0] == head[188] == head[376] == 0x47:
        return "mpeg-ts"
    if len(head) > 388 and head[4] == head[196] == head[388] == 0x47:
        return "mpeg-ts"  # M2TS (AVCHD .MTS): 192-byte packets, a 4-byte timecode first
    return None


def _iso_format(head: bytes) -> str:
    """The format the brands of an `ftyp` box name: the major brand, else the first of its
    compatible brands that is known; MP4 when none is (ffmpeg and libmediainfo read those as
    MP4 too)."""
    end = min(int.from_bytes(head[:4], "big"), len(head))
    brands = [head[8:12], *(head[at : at + 4] for at in range(16, end - 3, 4))]
    for brand in brands:
        if brand.startswith(b"3g2"):
            return "3g2"
        if brand.startswith(b"3g"):
            return "3gp"
        if brand in _ISO_BRANDS:
            return _ISO_BRANDS[brand]
    return "mp4"


def _after_tags(head: bytes, read_at: ReadAt | None) -> str | None:
    """The audio format after the ID3v2 tags `head` starts with. Where nothing follows a tag
    (the file is cut short in it, or it runs past `head` and nothing reads on): MP3, whose own
    tag ID3v2 is (its reader then says what is missing)."""
    data, offset = head, 0
    for _ in range(TAGS_MAX):
        if not data.startswith(b"ID3"):
            break
        size = id3_size(data)
        if size is None:
            return None
        offset += size
        if len(data) - size >= _AFTER_TAG or read_at is None:
            data = data[size:]
        else:
            data = read_at(offset, HEAD_BYTES)
        if not data:
            return "mp3"
    data = data.lstrip(b"\0")  # padding some taggers leave after the tag's declared end
    fmt = _signature(data) or _frames(data)
    return fmt if KIND.get(fmt or "") == "audio" else None


def _frames(head: bytes) -> str | None:
    """Raw audio streams, recognised by their first frame's header."""
    if len(head) < 6:
        return None
    if head[0] == 0xFF:
        return _mpeg_audio(head)
    if head.startswith(b"\x0b\x77"):  # AC-3's sync word, and E-AC-3's
        bsid = head[5] >> 3  # the bitstream id: up to 10 AC-3, 11 to 16 E-AC-3
        if bsid <= 10:
            return "ac3" if head[4] >> 6 != 3 and head[4] & 0x3F < 38 else None
        return "eac3" if bsid <= 16 else None
    if head.startswith(b"\x7f\xfe\x80\x01"):
        return "dts"
    return None


def _mpeg_audio(head: bytes) -> str | None:
    """ADTS AAC, or MPEG audio of layer I, II or III: only layer III is MP3."""
    if head[1] & 0xF6 == 0xF0:  # ADTS: a 12-bit sync, then the MPEG id and layer 00
        return "aac" if adts_frame(head) else None
    frame = mpeg_frame(head)
    return f"mp{frame.layer}" if frame else None

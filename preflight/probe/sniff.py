"""Recognise a file's format from its first bytes: the name never decides."""

from __future__ import annotations

from preflight.probe.facts import Kind

HEAD_BYTES = 4096  # enough for every signature below, and for an ID3 tag's header

# ISO base media brands that are not video material (ftyp major brand → format).
_ISO_BRANDS = {
    b"qt  ": "mov",
    b"M4A ": "m4a",
    b"M4B ": "m4a",
    b"heic": "heic",
    b"heix": "heic",
    b"heim": "heic",
    b"heis": "heic",
    b"hevc": "heic",
    b"mif1": "heic",
    b"msf1": "heic",
    b"avif": "avif",
    b"avis": "avif",
    b"3gp4": "3gp",
    b"3gp5": "3gp",
    b"3gp6": "3gp",
    b"3g2a": "3gp",
}
# QuickTime files from before ftyp existed start with one of these atoms.
_QT_ATOMS = (b"moov", b"mdat", b"wide", b"free", b"skip", b"pnot")
_ASF_GUID = bytes.fromhex("3026B2758E66CF11A6D900AA0062CE6C")

KIND: dict[str, Kind] = {
    **dict.fromkeys(
        ("mp4", "mov", "3gp", "mkv", "webm", "avi", "mpeg-ts", "mpeg-ps", "flv"), "video"
    ),
    **dict.fromkeys(
        ("wav", "mp3", "aac", "m4a", "flac", "ogg", "wma", "amr", "aiff", "caf"), "audio"
    ),
    "wmv": "video",
    **dict.fromkeys(("zip", "7z", "rar", "gzip", "bzip2", "xz", "tar"), "archive"),
    **dict.fromkeys(("jpeg", "png", "webp", "gif", "bmp", "tiff", "heic", "avif"), "image"),
    "pdf": "document",
}
# The file extensions each format is known by, for file.extension-mismatch.
EXTENSIONS: dict[str, tuple[str, ...]] = {
    "mp4": ("mp4", "m4v"),
    "mov": ("mov", "qt"),
    "3gp": ("3gp", "3g2"),
    "mkv": ("mkv",),
    "webm": ("webm",),
    "avi": ("avi",),
    "mpeg-ts": ("ts", "mts", "m2ts"),
    "mpeg-ps": ("mpg", "mpeg", "vob"),
    "flv": ("flv",),
    "wav": ("wav", "wave"),
    "mp3": ("mp3",),
    "aac": ("aac",),
    "m4a": ("m4a", "m4b", "mp4"),
    "flac": ("flac",),
    "ogg": ("ogg", "oga", "opus"),
    "wma": ("wma", "asf"),
    "amr": ("amr", "3ga"),
    "aiff": ("aif", "aiff", "aifc"),
    "caf": ("caf",),
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
    return next((fmt for fmt, exts in EXTENSIONS.items() if extension in exts), None)


def sniff(head: bytes) -> str | None:
    """The format whose signature `head` starts with, or None when none matches."""
    if len(head) >= 12 and head[4:8] == b"ftyp":
        return _ISO_BRANDS.get(head[8:12], "mp4")
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
    if head.startswith(b"fLaC"):
        return "flac"
    if head.startswith(b"#!AMR"):
        return "amr"
    if head.startswith(b"FORM") and head[8:12] in (b"AIFF", b"AIFC"):
        return "aiff"
    if head.startswith(b"caff"):
        return "caf"
    if head.startswith(b"OggS"):
        return "ogg"
    if head.startswith(b"FLV"):
        return "flv"
    if head.startswith(b"7z\xbc\xaf\x27\x1c"):
        return "7z"
    if head.startswith(b"Rar!\x1a\x07"):
        return "rar"
    if head.startswith(b"\x1f\x8b"):
        return "gzip"
    if head.startswith(b"BZh"):
        return "bzip2"
    if head.startswith(b"\xfd7zXZ\0"):
        return "xz"
    if len(head) >= 262 and head[257:262] == b"ustar":
        return "tar"
    if head.startswith(b"\0\0\x01\xba"):
        return "mpeg-ps"
    if len(head) > 376 and head[0] == head[188] == head[376] == 0x47:
        return "mpeg-ts"
    if len(head) > 388 and head[4] == head[196] == head[388] == 0x47:
        return "mpeg-ts"  # M2TS (AVCHD .MTS): 192-byte packets, a 4-byte timecode first
    return _sniff_mpeg_audio(head)


def _sniff_mpeg_audio(head: bytes) -> str | None:
    """MP3 or ADTS AAC, after an optional ID3v2 tag."""
    offset = 0
    if head.startswith(b"ID3") and len(head) >= 10:
        size = 0
        for byte in head[6:10]:  # synchsafe integer: 7 bits a byte
            size = (size << 7) | (byte & 0x7F)
        offset = 10 + size
        if offset + 2 > len(head):
            return "mp3"  # a tag larger than the head: ID3 is almost always MP3
    frame = head[offset : offset + 2]
    if len(frame) < 2 or frame[0] != 0xFF or frame[1] & 0xE0 != 0xE0:
        return None
    layer = (frame[1] >> 1) & 0b11
    if layer == 0b00 and frame[1] & 0xF0 == 0xF0:
        return "aac"  # ADTS: 12-bit sync and layer 00
    return "mp3" if layer != 0b00 else None

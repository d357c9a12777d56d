"""How every decode of a checked file names it to the ffmpeg binary (content analysis, the
html report's pictures): a checked repository never makes a run reach the network, nor read a
file that it does not name."""

from __future__ import annotations

import os
from pathlib import Path

# Of a file's audio or video, what an analysis reads: an hour of speech takes seconds to hear
# and its keyframes a minute to scan (a 1 GB zip holds six hours of WAV; a header may claim any
# duration, and the time limit of an analysis is planned from what it reads).
ANALYSED_S_MAX = 3600.0


def local_input(path: Path) -> list[str]:
    """ffmpeg's input options for a local file: local files only, the name's and any the file
    itself names (a playlist's segments, a QuickTime reference), and `file:` before the path so
    that no part of the name reads as another protocol (`concat:`, `http:`) or as an option."""
    return ["-protocol_whitelist", "file", "-i", f"file:{os.path.abspath(path)}"]

"""What the tests build their inputs with: real media files (made with ffmpeg, Pillow and
zipfile), and the facts of such files written out directly for a rule's edge cases."""

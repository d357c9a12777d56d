"""preflight: check a Tencent Cloud AI Digital Human customization request before upload."""

__version__ = "0.1.0"

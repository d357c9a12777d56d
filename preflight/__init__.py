"""preflight: check a Tencent Cloud AI Digital Human customization request before upload."""

__version__ = "0.1.0"
# Where the project and its README live (SARIF's informationUri, each rule's helpUri)
HOMEPAGE = "https://github.com/your-org/preflight"


def version_line() -> str:
    """What `preflight --version` prints, with or without click loaded."""
    return f"preflight, version {__version__}\n"

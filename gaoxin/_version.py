"""The installed version of gaoxin (a leaf module: every floor may name the version)."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("gaoxin")
except PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0.0.0"

"""gaoxin: land analysis for China's high-tech industrial development zones (高新区)."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("gaoxin")
except PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0.0.0"

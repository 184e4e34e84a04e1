"""Recruitment: job postings, resumes and a three-round interview process."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("recruitment")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0+unknown"

"""seatflow: assigns restaurant bookings to tables, safely under concurrency and observably."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("seatflow")
except PackageNotFoundError:  # run from a source tree that was never installed
    __version__ = "0+unknown"

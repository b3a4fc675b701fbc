"""seatflow: assigns restaurant bookings to tables, safely under concurrency and observably."""

__version__ = "0.1.0"

"""`python -m seatflow.cli`: the same entry point as the `seatflow` script."""

from seatflow.cli.main import main

main()

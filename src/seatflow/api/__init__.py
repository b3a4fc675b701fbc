"""The HTTP API: `create_app(settings, url)` builds the FastAPI application."""

from seatflow.api.app import create_app

__all__ = ["create_app"]

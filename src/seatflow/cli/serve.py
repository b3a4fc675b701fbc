"""`seatflow serve`: the HTTP API under uvicorn, on a migrated database."""

from __future__ import annotations

from typing import Annotated

import typer

from seatflow.cli.runtime import ready_url, settings_of
from seatflow.logging import log_startup


def serve_command(
    ctx: typer.Context,
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port.", min=1, max=65535)] = 8000,
) -> None:
    """Serve the API (OpenAPI at /docs) until interrupted."""
    # Imported here, not at the top: FastAPI and uvicorn cost every other command ~0.3 s to load.
    import uvicorn

    from seatflow.api import create_app

    settings = settings_of(ctx)
    url = ready_url(settings)
    log_startup(settings, "api", listen=f"{host}:{port}")
    uvicorn.run(
        create_app(settings, url),
        host=host,
        port=port,
        log_level=settings.log_level,
        log_config=None,  # uvicorn's lines go through seatflow's handler (console or JSON)
        proxy_headers=False,
    )

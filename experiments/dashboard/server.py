"""Serving the page: Solara's Starlette app under uvicorn, in this process."""

from __future__ import annotations

import os
import socket
from collections.abc import Callable

#: The Solara app: this package's page.
APP = "experiments.dashboard.app:Page"


def url_of(host: str, port: int) -> str:
    """The address to open (a wildcard host is reached on this machine as 127.0.0.1)."""
    shown = "127.0.0.1" if host in ("0.0.0.0", "::", "") else host
    return f"http://{shown}:{port}/"


def serve(host: str, port: int, announce: Callable[[str], None] = print) -> None:
    """Serve the dashboard until interrupted; ``announce`` is given the URL once the
    port is bound (an address in use is refused in one line before that).

    Raises:
        InputError: the port is in use or the host cannot be bound.
    """
    from sim.errors import InputError

    try:  # refuse a taken port in one line, before Solara starts
        with socket.create_server((host, port)):
            pass
    except OSError as err:
        raise InputError(
            f"cannot listen on {host}:{port} ({err.strerror or err})",
            field="--port",
            valid="a free port, e.g. --port 8766",
        ) from None
    os.environ["SOLARA_APP"] = APP
    os.environ["SERVER_NAME"], os.environ["SERVER_PORT"] = host, str(port)
    os.environ.setdefault("SOLARA_TELEMETRY_MIXPANEL_ENABLE", "False")
    import uvicorn
    from solara.server import settings

    settings.main.mode = "production"
    config = uvicorn.Config(
        "solara.server.starlette:app", host=host, port=port, log_level="warning"
    )
    server = uvicorn.Server(config)
    original = server.startup

    async def startup(*args, **kwargs):
        await original(*args, **kwargs)
        announce(url_of(host, port))

    server.startup = startup
    server.run()

"""Serving the desk: uvicorn, with the delivery worker embedded (the embedded default).

``DeskServer`` runs both in background threads of one process, so ``tearline serve``,
``tearline demo`` and the browser tests start the same thing. ``serve_processes`` runs
several web processes on one port (``tearline serve --workers N``) and never embeds the
delivery worker: it runs apart, as ``tearline worker``. Each process builds its own app
from ``app_from_environment`` (uvicorn needs an import string to start more than one).
"""

from __future__ import annotations

import json
import os
import socket
import threading
import time
from typing import Any

import uvicorn
from fastapi import FastAPI

from tearline import workflow as wf
from tearline.errors import ConfigError
from tearline.logs import configure_from as configure_logging
from tearline.settings import load_settings
from tearline.web.app import create_app
from tearline.workflow.worker import EmbeddedWorker, settle_heap


class DeskServer:
    """The desk on ``host:port`` (port 0: any free port), in a background thread."""

    def __init__(
        self,
        app: wf.App,
        *,
        host: str = "127.0.0.1",
        port: int = 8000,
        worker: bool = True,
        worker_poll_seconds: float = 1.0,
        access_log: bool = False,
        forwarded_allow_ips: str | None = None,
    ) -> None:
        self.app = app
        self.host = host
        self.asgi = create_app(app)
        config = uvicorn.Config(
            self.asgi,
            host=host,
            port=port,
            log_level="warning",
            log_config=None,  # its lines go to tearline.logs' handler
            access_log=access_log,
            proxy_headers=forwarded_allow_ips is not None,
            forwarded_allow_ips=forwarded_allow_ips,
            server_header=False,
        )
        self.server = uvicorn.Server(config)
        self.worker = EmbeddedWorker(app, poll_seconds=worker_poll_seconds) if worker else None
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        sockets = [s for server in self.server.servers for s in server.sockets]
        return int(sockets[0].getsockname()[1]) if sockets else 0

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    def start(self, timeout: float = 20.0) -> str:
        self._thread = threading.Thread(target=self.server.run, name="tearline-web", daemon=True)
        self._thread.start()
        deadline = time.monotonic() + timeout
        while not self.server.started:
            if not self._thread.is_alive():
                raise ConfigError(f"the desk could not listen on {self.host}: port in use?")
            if time.monotonic() > deadline:
                raise ConfigError("the desk did not start in time")
            time.sleep(0.02)
        if self.worker is not None:
            self.asgi.state.embedded_worker = self.worker  # /healthz reports its state
            self.worker.start()
        return self.url

    def stop(self) -> None:
        if self.worker is not None:
            self.worker.stop()
        self.server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout=30)

    def wait(self) -> None:
        """Block until interrupted (Ctrl-C), then stop cleanly."""
        try:
            while self._thread is not None and self._thread.is_alive():
                self._thread.join(timeout=0.5)
        except KeyboardInterrupt:
            pass
        finally:
            self.stop()


# The settings given on the command line (--home, --database-url), for each web process.
SERVE_SETTINGS = "TEARLINE_SERVE_SETTINGS"


def app_from_environment() -> FastAPI:
    """The desk for one of ``serve_processes``' web processes: the settings the command
    was given, read again in this process (each opens its own database connections)."""
    given = json.loads(os.environ.get(SERVE_SETTINGS) or "{}")
    settings = load_settings(given if isinstance(given, dict) else {})
    configure_logging(settings)  # this process's lines in TEARLINE_LOG_FORMAT too
    app = create_app(wf.App(settings))
    settle_heap(thresholds=None)
    return app


def serve_processes(
    given: dict[str, Any],
    *,
    workers: int,
    host: str = "127.0.0.1",
    port: int = 8000,
    access_log: bool = False,
    forwarded_allow_ips: str | None = None,
) -> None:
    """``workers`` web processes on ``host:port``, without a delivery worker, until
    interrupted. The parent binds the port and restarts a process that dies."""
    os.environ[SERVE_SETTINGS] = json.dumps(given)
    uvicorn.run(
        f"{__name__}:app_from_environment",
        factory=True,
        workers=workers,
        host=host,
        port=port,
        log_level="warning",
        log_config=None,
        access_log=access_log,
        proxy_headers=forwarded_allow_ips is not None,
        forwarded_allow_ips=forwarded_allow_ips,
        server_header=False,
    )


def free_port(host: str) -> int:
    """A port free on ``host`` now, for a desk whose address must be known before it
    starts (its links are written first)."""
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as s:
        s.bind((host, 0))
        port: int = s.getsockname()[1]
    return port


def port_free(host: str, port: int) -> bool:
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as s:
        # As uvicorn binds: a restart must not be refused for the connections the stopped
        # desk left in TIME_WAIT; a port another program listens on is still refused.
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind((host, port))
        except OSError:
            return False
    return True

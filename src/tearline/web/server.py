"""Serving the desk: uvicorn, with the delivery worker embedded (the embedded default).

``DeskServer`` runs both in background threads of one process, so ``tearline serve``,
``tearline demo`` and the browser tests start the same thing. ``serve_processes`` runs
several web processes on one port (``tearline serve --workers N``) and never embeds the
delivery worker: it runs apart, as ``tearline worker``. Each process builds its own app
from ``app_from_environment`` (uvicorn needs an import string to start more than one).
"""

from __future__ import annotations

import json
import logging
import os
import socket
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import uvicorn
from fastapi import FastAPI
from uvicorn.config import STARTUP_FAILURE
from uvicorn.supervisors.multiprocess import Multiprocess, Process

from tearline import workflow as wf
from tearline.errors import ConfigError
from tearline.logs import configure_from as configure_logging
from tearline.settings import load_settings
from tearline.web.app import create_app
from tearline.web.connections import LOADS_FILE, LOADS_SLOT, Siblings
from tearline.workflow.worker import EmbeddedWorker, settle_heap

log = logging.getLogger("tearline.web")


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
    interrupted. The parent binds the port, a socket per process where the system can
    spread connections over them (``_OneSocketEach``), and restarts a process that dies."""
    os.environ[SERVE_SETTINGS] = json.dumps(given)
    config = uvicorn.Config(
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
    shared = not hasattr(socket, "SO_REUSEPORT")  # one socket, as uvicorn does
    sockets = [config.bind_socket()] if shared else [_listening(host, port) for _ in range(workers)]
    loads = Path(tempfile.mkdtemp(prefix="tearline-web-")) / "loads"
    try:
        if shared:
            Multiprocess(config, sockets).run()
        else:
            Siblings.create(loads, workers)  # the processes' loads, each its row
            os.environ[LOADS_FILE] = str(loads)
            _OneSocketEach(config, sockets).run()
    except KeyboardInterrupt:
        pass
    finally:
        for sock in sockets:
            sock.close()
        os.environ.pop(LOADS_FILE, None)
        loads.unlink(missing_ok=True)
        loads.parent.rmdir()


def _listening(host: str, port: int) -> socket.socket:
    """A listening socket on ``host:port`` that others may bind too (SO_REUSEPORT): the
    kernel hands each new connection to one of them by its addresses' hash."""
    sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        raise ConfigError(f"the desk could not listen on {host}:{port}: {exc.strerror}") from exc
    sock.set_inheritable(True)
    return sock


class _OneSocketEach(Multiprocess):
    """uvicorn's supervisor of web processes, each accepting from its own socket.

    With one socket shared by every process, whichever process the kernel woke first took
    each new connection, and a keep-alive connection stays where it was taken: under 50
    clients one process held 47 connections and the other 3, so one core did the desk's
    work while the other idled, and a client's wait depended on where it landed. With a
    socket each, bound with SO_REUSEPORT, the kernel spreads connections over the
    processes by their addresses, and a reconnecting client (``connections.Rebalance``)
    lands anew. Each process is told its row in the table where the processes publish
    their loads (``connections.Siblings``), which the crowded one reads to move clients.
    A process that dies is restarted on the same socket, which the parent
    keeps open meanwhile: connections hashed to it wait in its queue, none are refused.
    """

    def __init__(self, config: uvicorn.Config, sockets: list[socket.socket]) -> None:
        super().__init__(config, sockets=[])
        self.slots = sockets

    def _started(self, idx: int) -> Process:
        """The process of socket ``idx``, told its row in the table of loads."""
        os.environ[LOADS_SLOT] = str(idx)  # a spawned process starts with this environment
        process = Process(self.config, [self.slots[idx]])
        process.start()
        return process

    def init_processes(self) -> None:
        for idx in range(len(self.slots)):
            self.processes.append(self._started(idx))

    def keep_subprocess_alive(self) -> None:
        for idx, process in enumerate(self.processes):
            if self.should_exit.is_set():
                return  # the parent is stopping: nothing to keep alive
            if process.is_alive(timeout=self.config.timeout_worker_healthcheck):
                continue
            process.kill()  # hung, or dead already
            process.join()
            if process.exitcode == STARTUP_FAILURE:  # would fail the same way again
                log.error("a web process failed to start; stopping the desk")
                self.should_exit.set()
                return
            log.warning("web process %s died; starting another", process.pid)
            self.processes[idx] = self._started(idx)

    def restart_all(self) -> None:
        """SIGHUP: each process replaced in turn, on its own socket."""
        for idx, old in enumerate(self.processes):
            if self.should_exit.is_set():
                return
            new = self._started(idx)
            if not new.wait_until_ready(self.config.timeout_worker_healthcheck, self.should_exit):
                new.kill()
                new.join()
                return
            old.terminate()
            old.join()
            self.processes[idx] = new


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

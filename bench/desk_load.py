"""A desk that stays fast: the API's lists under many clients while deliveries run.

Ours: ``tearline serve --workers N`` (N web processes, no embedded worker) on a seeded
database — a released case copied into REPORTS reports, cases (OPEN of them open, in
the triage queue) and warnings, and an API token — while a separate ``tearline worker``
process delivers DELIVERIES webhook deliveries to a loopback receiver (aiohttp, its own
process). A load generator (aiohttp, its own process) runs CLIENTS concurrent clients
for SECONDS, each taking the next of the API list endpoints in turn, and prints
requests/s, p50/p95/p99 and errors, over the whole run and over the requests that ended
before the last delivery arrived (the deliveries take about half the run).

The peer, in the same run: the same load against a minimal uvicorn + Starlette app (one
process per web process of ours) answering each path with the very bytes our desk
answered it with, from memory — the raw HTTP ceiling of this machine for these
responses. It runs first, with no deliveries; ours runs while the worker delivers.

Cores: none are pinned. On the 2-core machine this was written on, everything shares
both cores: the N web processes, the delivery worker, the receiver, PostgreSQL (when
used) and the load generator, which itself takes a good part of one core at full rate.
So the absolute figures are a floor; the ratio to the peer (whose load generator and
receiver share the cores the same way) is what travels between machines.

    python bench/desk_load.py [--database-url URL] [--reports 2000] [--deliveries 20000]
        [--open 200] [--clients 50] [--seconds 60] [--workers 2]

With a PostgreSQL URL the bench creates its own database beside the one named (and drops
it at the end); without one it runs on SQLite in a temporary folder.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, cast

import httpx
from _loopback import free_port, receiver_stats
from sqlalchemy import Table, create_engine, func, insert, make_url, select, text
from sqlalchemy.pool import NullPool

from tearline import workflow as wf
from tearline.clock import FixedClock
from tearline.demo.scenario import report_text
from tearline.model import Contact
from tearline.settings import load_settings
from tearline.store import tables as t
from tearline.store.bulk import insert_rows
from tearline.workflow import sessions

START = datetime(2024, 3, 6, 9, 0, tzinfo=UTC)
WINDOW = 10  # seconds: the run's latencies are also given by window, to show when the tail came
PATHS = ("/api/reports", "/api/threats", "/api/deliveries", "/api/audit")
PASSWORDS = {"dana": "dana-pass-desk-load-1", "avery": "avery-pass-desk-load-1"}


def wait_http(url: str, seconds: float = 120.0) -> None:
    deadline = time.monotonic() + seconds
    while True:
        try:
            if httpx.get(url, timeout=5).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        if time.monotonic() > deadline:
            raise RuntimeError(f"nothing answers at {url}")
        time.sleep(0.1)


# -- the database ------------------------------------------------------------------------


@contextmanager
def database(url: str | None, work: Path) -> Iterator[str]:
    """A fresh database: its own on the PostgreSQL server of ``url``, else SQLite."""
    if not url or url.startswith("sqlite"):
        yield f"sqlite:///{work / 'home' / 'tearline.db'}"
        return
    base = make_url(url)
    name = f"{base.database}_desk_load_{os.getpid()}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield base.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def open_app(home: Path, database_url: str) -> wf.App:
    home.mkdir(parents=True, exist_ok=True)
    values = {"home": str(home), "database_url": database_url, "sender": "Desk load"}
    return wf.App(load_settings(values, environ={}), clock=FixedClock(START))


def release_one(app: wf.App, webhook: str) -> None:
    """A real release: report → determination → two-person approval."""
    roles = [wf.Role.ANALYST, wf.Role.DUTY_OFFICER, wf.Role.AUDITOR]
    wf.add_user(app, "dana", PASSWORDS["dana"], roles)
    wf.add_user(app, "avery", PASSWORDS["avery"], [wf.Role.APPROVER])
    wf.add_recipient(
        app,
        name="Partner",
        kind="government",
        tier="partner",
        language="en",
        jurisdiction="RU",
        contacts=[Contact("webhook", f"{webhook}/partner")],
    )
    provenance = wf.Provenance(source="PINE HARBOUR", reliability="B")
    got = wf.ingest_bytes(app, report_text(), "m.txt", provenance, actor="dana")
    threat = next(e.threat_ref for e in got.events if e.threat_ref)
    assert threat is not None
    dana = wf.sign_in(app, "dana", PASSWORDS["dana"])
    wf.decide(app, threat, dana)
    proposed = wf.propose_release(app, threat, dana)
    wf.approve_release(app, proposed.ref, wf.sign_in(app, "avery", PASSWORDS["avery"]))


def _rows(s: Any, table: Any) -> list[dict[str, Any]]:
    return [dict(r) for r in s.execute(select(table)).mappings()]


def copy_case(app: wf.App, copies: int, open_cases: int) -> None:
    """``copies`` more of the released case, each its own report, events, case and
    warnings (as the desk would hold them after that many releases), in bulk; all but
    ``open_cases`` of them closed, as most cases of a desk that has run a while are."""
    reports, events, threats, warnings = (
        cast(Table, x.__table__) for x in (t.Report, t.Event, t.Threat, t.WarningRecord)
    )
    with app.unit() as u:
        s = u.session
        r0, e0, t0, w0 = (_rows(s, x) for x in (reports, events, threats, warnings))
        top = {
            x.name: s.scalar(select(func.max(x.c.id))) or 0
            for x in (reports, events, threats, warnings)
        }
        new_r, new_e, new_t, new_w = [], [], [], []
        for i in range(1, copies + 1):
            threat_of: dict[int, int] = {}
            for k, th in enumerate(t0):
                threat_of[th["id"]] = top["threats"] + i * len(t0) + k
                status = th["status"] if i < open_cases else "closed"
                title = f"{th['title']} ({i})"
                new_t.append(th | {"id": threat_of[th["id"]], "title": title, "status": status})
            for k, r in enumerate(r0):
                rid = top["reports"] + i * len(r0) + k
                digest = hashlib.sha256(f"{r['sha256']}-{i}".encode()).hexdigest()
                new_r.append(r | {"id": rid, "sha256": digest, "origin_id": rid})
                for j, e in enumerate(x for x in e0 if x["report_id"] == r["id"]):
                    eid = top["events"] + (i * len(r0) + k) * len(e0) + j
                    tid = threat_of.get(e["threat_id"]) if e["threat_id"] else None
                    new_e.append(e | {"id": eid, "report_id": rid, "threat_id": tid})
            for k, w in enumerate(w0):
                wid = top["warnings"] + i * len(w0) + k
                new_w.append(w | {"id": wid, "threat_id": threat_of[w["threat_id"]]})
                new_w[-1]["supersedes_id"] = None
        for table, rows in ((reports, new_r), (threats, new_t), (events, new_e), (warnings, new_w)):
            for n in range(0, len(rows), 500):
                s.execute(insert(table), rows[n : n + 500])
        if app.db.dialect == "postgresql":
            for table in (reports, events, threats, warnings):
                top_id = select(func.max(table.c.id)).scalar_subquery()
                s.execute(
                    select(func.setval(func.pg_get_serial_sequence(table.name, "id"), top_id))
                )


def queue_deliveries(app: wf.App, webhook: str, n: int) -> None:
    """``n`` webhook deliveries due now, spread over the warnings (as approval writes them)."""
    with app.unit() as u:
        ids = list(u.session.scalars(select(t.WarningRecord.id)))
        for start in range(0, n, 1000):
            insert_rows(
                u.session,
                t.Delivery,
                [
                    {
                        "warning_id": ids[i % len(ids)],
                        "channel": "webhook",
                        "address": f"{webhook}/r/{i}",
                        "idempotency_key": f"tl-{uuid.uuid4().hex}",
                        "status": "pending",
                        "attempts": 0,
                        "next_attempt_at": u.now,
                        "created_at": u.now,
                    }
                    for i in range(start, min(n, start + 1000))
                ],
            )


def seed(
    home: Path, database_url: str, webhook: str, reports: int, deliveries: int, open_cases: int
) -> str:
    """The seeded desk; returns an API token of dana (analyst, duty officer, auditor)."""
    app = open_app(home, database_url)
    try:
        release_one(app, webhook)
        copy_case(app, max(0, reports - 1), open_cases)
        queue_deliveries(app, webhook, deliveries)
        dana = wf.sign_in(app, "dana", PASSWORDS["dana"])
        return sessions.create_token(app, "dana", "desk load", by=dana)[1]
    finally:
        app.close()


# -- the load generator (its own process) ------------------------------------------------


async def load(
    base: str, token: str, clients: int, seconds: float, paths: list[str]
) -> dict[str, Any]:
    import aiohttp

    latencies: list[float] = []
    windows: dict[int, list[float]] = {}  # by the 10 s of the run they ended in
    by_path: dict[str, list[float]] = {p: [] for p in paths}
    ended: list[list[float]] = []  # [wall-clock time it ended, latency in ms] of each
    errors: dict[str, int] = {}
    turn = 0
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    deadline, cpu_began = time.monotonic() + seconds, time.process_time()

    async def client(session: aiohttp.ClientSession) -> None:
        nonlocal turn
        while time.monotonic() < deadline:
            path = paths[turn % len(paths)]
            turn += 1
            began = time.perf_counter()
            try:
                async with session.get(base + path, headers=headers) as r:
                    await r.read()
                    if r.status != 200:
                        errors[str(r.status)] = errors.get(str(r.status), 0) + 1
                        continue
            except (aiohttp.ClientError, TimeoutError) as exc:
                errors[type(exc).__name__] = errors.get(type(exc).__name__, 0) + 1
                continue
            latencies.append(time.perf_counter() - began)
            ended.append([round(time.time(), 3), round(latencies[-1] * 1000, 1)])
            by_path[path].append(latencies[-1])
            window = int((time.monotonic() - deadline + seconds) // WINDOW)
            windows.setdefault(window, []).append(latencies[-1])

    connector = aiohttp.TCPConnector(limit=clients)
    timeout = aiohttp.ClientTimeout(total=60)
    began = time.monotonic()
    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as session:
        await asyncio.gather(*(client(session) for _ in range(clients)))
    elapsed = time.monotonic() - began
    latencies.sort()

    def pct(p: float, of: list[float] = latencies) -> float:
        return of[min(len(of) - 1, int(p * len(of)))] * 1000 if of else 0.0

    for each in [*by_path.values(), *windows.values()]:
        each.sort()

    return {
        "cpu_s": time.process_time() - cpu_began,  # the load generator's own CPU in the run
        "requests": len(latencies),
        "rps": len(latencies) / elapsed,
        "p50_ms": pct(0.50),
        "p95_ms": pct(0.95),
        "p99_ms": pct(0.99),
        "errors": errors,
        "paths": {p: [len(v), pct(0.50, v), pct(0.99, v)] for p, v in by_path.items()},
        "windows": [[len(v), pct(0.50, v), pct(0.99, v)] for _, v in sorted(windows.items())],
        "ended": ended,
    }


def run_load(
    base: str, token: str, clients: int, seconds: float, paths: list[str]
) -> dict[str, Any]:
    """The load generator in its own process; returns what it measured."""
    load_args = ("--clients", str(clients), "--seconds", str(seconds), "--paths", ",".join(paths))
    out = subprocess.run(
        [sys.executable, __file__, "--load", base, "--token", token, *load_args],
        capture_output=True,
        text=True,
        check=True,
    )
    result: dict[str, Any] = json.loads(out.stdout)
    return result


# -- the peer: the same bytes from memory ------------------------------------------------


def peer_app() -> Any:
    """A minimal Starlette app answering each path with the bytes in TEARLINE_PEER_BODIES."""
    from starlette.applications import Starlette
    from starlette.requests import Request as StarletteRequest
    from starlette.responses import Response
    from starlette.routing import Route

    bodies: dict[str, str] = json.loads(Path(os.environ["TEARLINE_PEER_BODIES"]).read_text())

    def answer(path: str) -> Any:
        body = bodies[path].encode()

        async def endpoint(_request: StarletteRequest) -> Response:
            return Response(body, media_type="application/json")

        return endpoint

    return Starlette(routes=[Route(path, answer(path)) for path in bodies])


def start_peer(bodies: Path, port: int, workers: int) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "TEARLINE_PEER_BODIES": str(bodies),
        "PYTHONPATH": str(Path(__file__).parent),
    }
    options = ("--port", str(port), "--workers", str(workers), "--log-level", "warning")
    return subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "--factory", "desk_load:peer_app", *options],
        env=env,
    )


# -- the run -----------------------------------------------------------------------------


def stop(proc: subprocess.Popen[Any]) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def _tree(pid: int) -> list[int]:
    """A process and all its descendants (uvicorn's supervisor and its web processes)."""
    found = [pid]
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            children = (task / "children").read_text().split()
        except OSError:
            continue
        for child in children:
            found += _tree(int(child))
    return found


def cpu_seconds(pid: int) -> float:
    """User + system CPU of a process tree so far (Linux /proc; 0 elsewhere)."""
    ticks = 0
    for p in _tree(pid):
        try:
            fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        ticks += int(fields[11]) + int(fields[12])
    return ticks / os.sysconf("SC_CLK_TCK")


def postgres_pids(url: str | None) -> list[int]:
    """The PostgreSQL processes serving the bench's own database (its connections and
    autovacuum there; not other databases' work on the same server); none on SQLite."""
    if not url or not url.startswith("postgresql"):
        return []
    engine = create_engine(url, poolclass=NullPool)
    try:
        with engine.connect() as conn:
            return list(
                conn.scalars(
                    text(
                        "SELECT pid FROM pg_stat_activity "
                        "WHERE datname = current_database() AND pid != pg_backend_pid()"
                    )
                )
            )
    finally:
        engine.dispose()


def tree_cpu(pids: list[int]) -> float:
    return sum(cpu_seconds(p) for p in pids)


def measured(
    base: str,
    token: str,
    pid: int,
    args: argparse.Namespace,
    others: dict[str, list[int]],
    database_url: str | None = None,
) -> dict[str, Any]:
    """The load against ``base``, with the CPU its server (process tree ``pid``) spent, and
    the CPU each of ``others`` (name: process trees) and the load generator spent, per
    request. PostgreSQL's backends come and go: those alive at the end are counted, with
    what each had spent before the run taken off (a backend started during the run counts
    whole)."""
    before = cpu_seconds(pid)
    pg_before = {p: cpu_seconds(p) for p in postgres_pids(database_url)}
    others_before = {name: tree_cpu(pids) for name, pids in others.items()}
    busy_began, wall_began = machine_busy(), time.monotonic()
    got = run_load(base, token, args.clients, args.seconds, args.paths)
    n = max(got["requests"], 1)
    got["cpu_ms"] = (cpu_seconds(pid) - before) * 1000 / n
    spent = {name: tree_cpu(pids) - others_before[name] for name, pids in others.items()}
    if pg_before:
        pg_after = postgres_pids(database_url)
        spent["PostgreSQL"] = sum(cpu_seconds(p) - pg_before.get(p, 0.0) for p in pg_after)
    spent["load generator"] = got["cpu_s"]
    got["others_ms"] = {name: v * 1000 / n for name, v in spent.items()}
    got["busy_cores"] = (machine_busy() - busy_began) / (time.monotonic() - wall_began)
    return got


def watch_deliveries(port: int, n: int, seconds: float, finished: list[float]) -> None:
    """Note in ``finished`` when the receiver has seen ``n`` deliveries: the seconds since
    the watch began and the wall-clock time (polled 20 times a second, for at most the
    run)."""
    began = time.monotonic()
    while time.monotonic() - began < seconds:
        if receiver_stats(port)["unique"] >= n:
            finished += [time.monotonic() - began, time.time()]
            return
        time.sleep(0.05)


def machine_busy() -> float:
    """Seconds of CPU the whole machine has spent not idle (Linux /proc/stat; 0 elsewhere)."""
    try:
        fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    except OSError:
        return 0.0
    idle = fields[3] + fields[4]  # idle, iowait
    return (sum(fields[:8]) - idle) / os.sysconf("SC_CLK_TCK")


def line(name: str, got: dict[str, Any]) -> str:
    errors = sum(got["errors"].values())
    detail = f" {got['errors']}" if errors else ""
    return (
        f"{name:<34} {got['rps']:8.1f} req/s   p50 {got['p50_ms']:7.1f} ms   "
        f"p95 {got['p95_ms']:7.1f} ms   p99 {got['p99_ms']:7.1f} ms   errors {errors}{detail}   "
        f"server CPU {got['cpu_ms']:.1f} ms/request"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--reports", type=int, default=2000)
    parser.add_argument("--open", type=int, default=200, help="cases still open (the queue)")
    parser.add_argument("--deliveries", type=int, default=20_000)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--workers", type=int, default=2, help="web processes")
    parser.add_argument(
        "--paths", type=lambda v: v.split(","), default=list(PATHS), help="the lists to ask for"
    )
    parser.add_argument("--load", help=argparse.SUPPRESS)
    parser.add_argument("--token", default="", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.load:
        got = asyncio.run(load(args.load, args.token, args.clients, args.seconds, args.paths))
        print(json.dumps(got))
        return

    with tempfile.TemporaryDirectory() as tmp, database(args.database_url, Path(tmp)) as url:
        work, home = Path(tmp), Path(tmp) / "home"
        env = {**os.environ, "TEARLINE_HOME": str(home), "TEARLINE_DATABASE_URL": url}
        env.pop("TEARLINE_CONFIG", None)
        receiver_port = free_port()
        receiver = subprocess.Popen(
            [sys.executable, "-m", "tearline.demo.receiver", str(receiver_port)]
        )
        procs: list[subprocess.Popen[Any]] = [receiver]
        try:
            wait_http(f"http://127.0.0.1:{receiver_port}/stats")
            began = time.monotonic()
            webhook = f"http://127.0.0.1:{receiver_port}"
            token = seed(home, url, webhook, args.reports, args.deliveries, args.open)
            print(
                f"database: {make_url(url).get_backend_name()}; seeded {args.reports} reports, "
                f"cases ({args.open} open) and warnings and {args.deliveries} deliveries in "
                f"{time.monotonic() - began:.0f} s; {args.clients} clients for {args.seconds:g} s "
                f"over {', '.join(args.paths)}; {args.workers} web processes; "
                f"{os.cpu_count()} cores, "
                "none pinned (web, worker, receiver, database and load generator share them)"
            )
            port, workers = free_port(), ("--workers", str(args.workers))
            serve = subprocess.Popen(
                [sys.executable, "-m", "tearline", "serve", *("--port", str(port)), *workers],
                env=env,
                stdout=subprocess.DEVNULL,
            )
            procs.append(serve)
            base = f"http://127.0.0.1:{port}"
            wait_http(f"{base}/healthz")

            bodies: dict[str, str] = {}
            for path in args.paths:
                auth = {"Authorization": f"Bearer {token}"}
                bodies[path] = httpx.get(base + path, headers=auth, timeout=120).text
            sizes = ", ".join(f"{p} {len(b) / 1024:.0f} KiB" for p, b in bodies.items())
            print(f"responses: {sizes}")
            (work / "bodies.json").write_text(json.dumps(bodies))

            peer_port = free_port()
            peer = start_peer(work / "bodies.json", peer_port, args.workers)
            procs.append(peer)
            wait_http(f"http://127.0.0.1:{peer_port}{args.paths[0]}")
            ceiling = measured(f"http://127.0.0.1:{peer_port}", "", peer.pid, args, {})
            stop(peer)
            print(line("peer (Starlette, bytes in memory)", ceiling))

            worker = subprocess.Popen(
                [sys.executable, "-m", "tearline", "worker", "--poll", "0.2"],
                env=env,
                stdout=subprocess.DEVNULL,
            )
            procs.append(worker)
            others = {"worker": [worker.pid], "receiver": [receiver.pid]}
            finished: list[float] = []  # seconds from the load's start to the last delivery
            watcher = threading.Thread(
                target=watch_deliveries,
                args=(receiver_port, args.deliveries, args.seconds, finished),
                daemon=True,
            )
            watcher.start()
            ours = measured(base, token, serve.pid, args, others, url)
            watcher.join()
            delivered = receiver_stats(receiver_port)["unique"]
            stop(worker)
            print(line("ours (while the worker delivers)", ours))
            for path, (n, p50, p99) in ours["paths"].items():
                print(f"  {path:<20} {n:6d} requests   p50 {p50:7.1f} ms   p99 {p99:7.1f} ms")
            print(
                f"  by {WINDOW} s of the run (requests/s p50/p99 ms): "
                + ", ".join(
                    f"{n / WINDOW:.0f} {p50:.0f}/{p99:.0f}" for n, p50, p99 in ours["windows"]
                )
            )
            split = ", ".join(f"{k} {v:.1f}" for k, v in ours["others_ms"].items())
            print(
                f"  CPU per request of ours: web {ours['cpu_ms']:.1f} ms, {split} ms; "
                f"the machine was busy {ours['busy_cores']:.2f} of {os.cpu_count()} cores"
            )
            print(
                f"deliveries during the run: {delivered} of {args.deliveries}"
                + (
                    f", the last {finished[0]:.0f} s after the load began "
                    f"({args.deliveries / finished[0]:.0f}/s): the windows until then ran "
                    "while the worker delivered, the others after"
                    if finished
                    else ", not all by the end of the run"
                )
            )
            if finished:  # the requests that ended while deliveries were still arriving
                during = sorted(ms for at, ms in ours["ended"] if at <= finished[1])
                if during:
                    p50, p99 = (
                        during[min(len(during) - 1, int(p * len(during)))] for p in (0.5, 0.99)
                    )
                    print(
                        f"  while the worker delivered: {len(during)} requests, "
                        f"p50 {p50:.1f} ms, p99 {p99:.1f} ms"
                    )
            print(
                f"ratio ours/peer: requests/s {ours['rps'] / max(ceiling['rps'], 1e-9):.2f}, "
                f"p99 {ours['p99_ms'] / max(ceiling['p99_ms'], 1e-9):.1f}x, "
                f"server CPU per request {ours['cpu_ms'] / max(ceiling['cpu_ms'], 1e-9):.1f}x"
            )
        finally:
            for proc in reversed(procs):
                stop(proc)


if __name__ == "__main__":
    main()

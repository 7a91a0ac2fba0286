"""Chaos: webhook deliveries sent by several workers while their database restarts and
workers are SIGKILLed; nothing may be lost, and nothing sent twice beyond what was in
flight at each kill.

A private PostgreSQL cluster (``initdb`` in a temporary folder, on a free loopback port;
as root its server runs as the ``postgres`` user) holds one released warning with N
webhook deliveries. W ``tearline worker`` processes share it and one home (so a restarted
worker finds the journal of the one killed before it). A receiver in its own process
(``python -m tearline.demo.receiver``) counts what arrives by ``Idempotency-Key``. As the
receiver's count passes chosen points, a random worker is SIGKILLed (and restarted at once
by the small supervisor here), or the database is restarted (``pg_ctl restart -m fast``).
The points are fractions of N, so the chaos falls within the run however fast the machine.

At each kill the dead worker's journal says which deliveries its batch was sending and
which receipts it had noted: those sent and not noted are the most that can be sent again
(bounded by the worker's concurrency) — "in flight". At the end:

- lost: deliveries the receiver never got, or the database does not say delivered (0);
- duplicates: posts that repeated a key, at most the sum of in flight at the kills;
- every worker alive (restarted by the supervisor when killed), then each stops on SIGTERM.

fsync is off in the private cluster: its restarts are clean (``-m fast`` checkpoints), so
it changes nothing here and spares a shared disk. No timing is compared: the figures are
counts. Exit status 0 when all holds, 1 when not, 3 when the cluster could not be made.

    python bench/chaos.py [N] [--workers W] [--kills K] [--restarts R] [--seed S] [--json]

Full size (issue 21): ``python bench/chaos.py 20000 --workers 4 --kills 10 --restarts 2``
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.request import urlopen

from _loopback import free_port, receiver_stats
from sqlalchemy import create_engine, func, select, text

from tearline import workflow as wf
from tearline.clock import FixedClock
from tearline.demo.scenario import report_text
from tearline.model import Contact
from tearline.settings import load_settings
from tearline.store import tables as t
from tearline.store.bulk import insert_rows

START = datetime(2024, 3, 6, 9, 0, tzinfo=UTC)
CLUSTER_FAILED = 3


class ClusterError(RuntimeError):
    pass


def pg_bin() -> Path:
    """Where ``initdb`` and ``pg_ctl`` are: $TEARLINE_PG_BIN, else Debian's newest."""
    if os.environ.get("TEARLINE_PG_BIN"):
        return Path(os.environ["TEARLINE_PG_BIN"])
    found = sorted(
        Path("/usr/lib/postgresql").glob("*/bin/initdb"),
        key=lambda p: int(p.parts[-3]) if p.parts[-3].isdigit() else 0,
    )
    if not found:
        raise ClusterError("no initdb under /usr/lib/postgresql (set TEARLINE_PG_BIN)")
    return found[-1].parent


class Cluster:
    """A private PostgreSQL cluster in ``root``, on a free loopback port."""

    def __init__(self, root: Path) -> None:
        self.root, self.data, self.sockets = root, root / "data", root / "sockets"
        self.log = root / "postgres.log"
        self.port = free_port()
        self.url = f"postgresql+psycopg://tearline@127.0.0.1:{self.port}/tearline"

    def _run(self, *args: str) -> None:
        command = [str(pg_bin() / args[0]), *args[1:]]
        if os.geteuid() == 0:  # PostgreSQL refuses to run as root
            command = ["runuser", "-u", "postgres", "--", *command]
        done = subprocess.run(command, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            tail = self.log.read_text()[-2000:] if self.log.exists() else ""
            raise ClusterError(f"{' '.join(args[:2])}: {done.stderr.strip()[-2000:]}\n{tail}")

    def _options(self) -> str:
        return (
            f"-p {self.port} -k {self.sockets} -c listen_addresses=127.0.0.1 "
            "-c fsync=off -c max_connections=200"
        )

    def create(self) -> None:
        self.sockets.mkdir(parents=True)
        if os.geteuid() == 0:
            for path in (self.root, self.sockets):
                shutil.chown(path, "postgres", "postgres")
        self._run("initdb", "-D", str(self.data), "-U", "tearline", "-A", "trust", "--no-sync")
        self.start()
        engine = create_engine(
            self.url.rsplit("/", 1)[0] + "/postgres", isolation_level="AUTOCOMMIT"
        )
        try:
            with engine.connect() as conn:
                conn.execute(text("CREATE DATABASE tearline"))
        finally:
            engine.dispose()

    def start(self) -> None:
        self._run(
            "pg_ctl",
            "-D",
            str(self.data),
            "-l",
            str(self.log),
            "-w",
            "-o",
            self._options(),
            "start",
        )

    def restart(self) -> None:
        self._run(
            "pg_ctl",
            "-D",
            str(self.data),
            "-l",
            str(self.log),
            "-w",
            "-m",
            "fast",
            "-o",
            self._options(),
            "restart",
        )

    def stop(self) -> None:
        if (self.data / "postmaster.pid").exists():
            self._run("pg_ctl", "-D", str(self.data), "-w", "-m", "immediate", "stop")


def release_to_webhooks(home: Path, url: str, receiver: str, n: int) -> None:
    """One warning released for real (report → decision → two-person approval), then the
    same warning to ``n`` webhook endpoints in all, as approval writes them."""
    settings = load_settings(
        {"home": str(home), "database_url": url, "sender": "Bench agency"}, environ={}
    )
    app = wf.App(settings, clock=FixedClock(START))
    try:
        wf.add_user(app, "dana", "dana-pass-chaos-1", [wf.Role.DUTY_OFFICER, wf.Role.ANALYST])
        wf.add_user(app, "avery", "avery-pass-chaos-1", [wf.Role.APPROVER])
        wf.add_recipient(
            app,
            name="Partner",
            kind="government",
            tier="partner",
            language="en",
            jurisdiction="RU",
            contacts=[Contact("webhook", f"{receiver}/partner")],
        )
        provenance = wf.Provenance(source="PINE HARBOUR", reliability="B")
        got = wf.ingest_bytes(app, report_text(), "m.txt", provenance, actor="dana")
        threat = next(e.threat_ref for e in got.events if e.threat_ref)
        assert threat is not None
        dana = wf.sign_in(app, "dana", "dana-pass-chaos-1")
        wf.decide(app, threat, dana)
        proposed = wf.propose_release(app, threat, dana)
        avery = wf.sign_in(app, "avery", "avery-pass-chaos-1")
        released = wf.approve_release(app, proposed.ref, avery)
        warning_id = int(released.warnings[0][0].split("-")[1])
        with app.unit() as u:
            rows = [
                {
                    "warning_id": warning_id,
                    "channel": "webhook",
                    "address": f"{receiver}/r/{i}",
                    "idempotency_key": f"tl-{uuid.uuid4().hex}",
                    "status": "pending",
                    "attempts": 0,
                    "next_attempt_at": u.now,
                    "created_at": u.now,
                }
                for i in range(n - 1)
            ]
            for at in range(0, len(rows), 5000):
                insert_rows(u.session, t.Delivery, rows[at : at + 5000])
    finally:
        app.close()


def webhook_states(url: str) -> dict[str, int]:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(
                select(t.Delivery.status, func.count())
                .where(t.Delivery.channel == "webhook")
                .group_by(t.Delivery.status)
            ).all()
        return {str(s): int(c) for s, c in rows}
    finally:
        engine.dispose()


@dataclass
class Kill:
    at_received: int
    slot: int
    pid: int
    started: int  # deliveries its batch was sending (per its journal)
    noted: int  # of those, receipts it had journalled
    in_flight: int  # sent or being sent, not journalled: at most this many go twice


@dataclass
class Result:
    deliveries: int
    workers: int
    received_unique: int = 0
    posts: int = 0
    duplicates: int = 0
    lost: int = 0
    not_delivered: dict[str, int] = field(default_factory=dict)
    kills: list[Kill] = field(default_factory=list)
    restarts: list[dict[str, float]] = field(default_factory=list)
    worker_restarts: int = 0
    alive_at_end: bool = False  # every worker running, its /healthz 200
    clean_exits: bool = False
    exit_codes: list[int] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def in_flight(self) -> int:
        return sum(k.in_flight for k in self.kills)

    @property
    def ok(self) -> bool:
        return (
            self.lost == 0
            and not self.not_delivered
            and self.duplicates <= self.in_flight
            and self.alive_at_end
            and self.clean_exits
        )


class Workers:
    """W worker processes, and the supervisor that restarts any that ends."""

    def __init__(self, count: int, env: dict[str, str], logs: Path) -> None:
        self.env, self.logs = env, logs
        self.ports = [free_port() for _ in range(count)]
        self.procs: list[subprocess.Popen[bytes]] = [self._start(i) for i in range(count)]
        self.restarts = 0
        self.exit_codes: list[int] = []

    def _start(self, slot: int) -> subprocess.Popen[bytes]:
        command = [sys.executable, "-m", "tearline", "worker", "--poll", "0.2"]
        with (self.logs / f"worker-{slot}.log").open("ab") as err:
            return subprocess.Popen(
                [*command, "--health-port", str(self.ports[slot])],
                env=self.env,
                stdout=subprocess.DEVNULL,
                stderr=err,
            )

    def sending(self, journal: Path) -> list[int]:
        """The slots whose worker has a batch's journal open now."""
        return [
            slot for slot, proc in enumerate(self.procs) if any(journal.glob(f"*_{proc.pid}_*.log"))
        ]

    def answering(self) -> list[int]:
        """The slots whose worker answers /healthz 200 now."""
        up = []
        for slot, port in enumerate(self.ports):
            try:
                with urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as r:
                    if r.status == 200:
                        up.append(slot)
            except OSError:
                pass
        return up

    def healthy(self, deadline: float) -> bool:
        """Whether each worker runs and its /healthz says 200 (a restarted one may still be
        starting: it is waited for, up to ``deadline``)."""
        for slot, proc in enumerate(self.procs):
            while True:
                if proc.poll() is not None:
                    return False
                try:
                    with urlopen(f"http://127.0.0.1:{self.ports[slot]}/healthz", timeout=5) as r:
                        if r.status == 200:
                            break
                except OSError:
                    pass
                if time.monotonic() > deadline:
                    return False
                time.sleep(0.1)
        return True

    def supervise(self) -> None:
        for slot, proc in enumerate(self.procs):
            if proc.poll() is not None:
                self.procs[slot] = self._start(slot)
                self.restarts += 1

    def kill(self, slot: int, journal: Path, concurrency: int, received: int) -> Kill:
        proc = self.procs[slot]
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        started, noted = journalled(journal, proc.pid)
        self.supervise()  # restarted at once: it replays the journal just read
        lost = len(started - noted)
        return Kill(received, slot, proc.pid, len(started), len(noted), min(concurrency, lost))

    def stop(self) -> bool:
        """SIGTERM each; True when every one drained and exited 0."""
        for proc in self.procs:
            proc.send_signal(signal.SIGTERM)
        self.exit_codes = [proc.wait(timeout=120) for proc in self.procs]
        return all(code == 0 for code in self.exit_codes)


def journalled(folder: Path, pid: int) -> tuple[set[int], set[int]]:
    """(deliveries being sent, receipts noted) per the journal of the worker ``pid``."""
    started: set[int] = set()
    noted: set[int] = set()
    for path in folder.glob(f"*_{pid}_*.log"):
        for line in path.read_text(errors="replace").splitlines():
            try:
                entry = json.loads(line)
            except ValueError:
                continue  # a line cut by the kill
            if "sending" in entry:
                started.update(int(i) for i in entry["sending"])
            elif "id" in entry:
                noted.add(int(entry["id"]))
    return started, noted


def points(count: int, rng: random.Random, n: int) -> list[int]:
    """``count`` points between 10 % and 90 % of ``n``, evenly spread, each jittered."""
    step = 0.8 / max(count, 1)
    return sorted(int(n * (0.1 + step * (i + rng.uniform(0.2, 0.8)))) for i in range(count))


def run(args: argparse.Namespace, root: Path) -> Result:
    rng = random.Random(args.seed)
    result = Result(args.deliveries, args.workers)
    cluster = Cluster(root / "pg")
    (root / "pg").mkdir()
    try:
        cluster.create()
    except (ClusterError, OSError) as exc:
        raise ClusterError(str(exc)) from None
    receiver_port = free_port()
    receiver = subprocess.Popen(
        [sys.executable, "-m", "tearline.demo.receiver", str(receiver_port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    workers: Workers | None = None
    try:
        home = root / "home"
        home.mkdir()
        for _ in range(200):
            try:
                receiver_stats(receiver_port)
                break
            except OSError:
                time.sleep(0.05)
        release_to_webhooks(home, cluster.url, f"http://127.0.0.1:{receiver_port}", args.deliveries)
        env = {
            **os.environ,
            "TEARLINE_HOME": str(home),
            "TEARLINE_DATABASE_URL": cluster.url,
            "TEARLINE_DELIVERY_CONCURRENCY": str(args.concurrency),
            "TEARLINE_DELIVERY_BATCH": str(args.batch),
        }
        kills = points(args.kills, rng, args.deliveries)
        restarts = points(args.restarts, rng, args.deliveries)
        began = time.monotonic()
        deadline = began + args.deadline
        workers = Workers(args.workers, env, root)
        while True:
            workers.supervise()
            got = receiver_stats(receiver_port)["unique"]
            if kills and got >= kills[0]:
                kills.pop(0)
                # a random one of those sending a batch now (one still starting sends
                # nothing), else of those up, else any
                busy = workers.sending(home / "outbox")
                slot = rng.choice(busy or workers.answering() or range(args.workers))
                kill = workers.kill(slot, home / "outbox", args.concurrency, got)
                result.kills.append(kill)
                log(
                    args,
                    f"SIGKILL worker {slot} (pid {kill.pid}) at {got}: {kill.in_flight} in flight",
                )
            if restarts and got >= restarts[0]:
                restarts.pop(0)
                t0 = time.monotonic()
                cluster.restart()
                took = time.monotonic() - t0
                result.restarts.append({"at_received": got, "seconds": round(took, 2)})
                log(args, f"PostgreSQL restarted at {got} ({took:.1f} s)")
            if got >= args.deliveries and not kills and not restarts:
                states = webhook_states(cluster.url)
                if states.get("delivered", 0) == args.deliveries:
                    break
            if time.monotonic() > deadline:
                log(args, f"gave up after {args.deadline} s")
                break
            time.sleep(0.05)
        result.seconds = round(time.monotonic() - began, 1)
        workers.supervise()
        result.worker_restarts = workers.restarts
        result.alive_at_end = workers.healthy(time.monotonic() + 120)
        result.clean_exits = workers.stop()
        result.exit_codes = workers.exit_codes
        workers = None
        final = receiver_stats(receiver_port)
        result.received_unique, result.posts = final["unique"], final["posts"]
        result.duplicates = final["duplicates"]
        result.lost = args.deliveries - final["unique"]
        states = webhook_states(cluster.url)
        result.not_delivered = {s: c for s, c in states.items() if s != "delivered"}
        return result
    finally:
        if workers is not None:
            for proc in workers.procs:
                proc.kill()
                proc.wait()
        receiver.terminate()
        receiver.wait()
        cluster.stop()


def log(args: argparse.Namespace, line: str) -> None:
    print(line, file=sys.stderr if args.json else sys.stdout, flush=True)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("deliveries", nargs="?", type=int, default=20000)
    p.add_argument("--workers", type=int, default=4)
    p.add_argument("--kills", type=int, default=10)
    p.add_argument("--restarts", type=int, default=2)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--concurrency", type=int, default=64)
    p.add_argument("--batch", type=int, default=500)
    p.add_argument("--deadline", type=float, default=1800.0, help="give up after (seconds)")
    p.add_argument("--json", action="store_true", help="one JSON object on stdout")
    p.add_argument("--keep", action="store_true", help="keep the temporary folder")
    args = p.parse_args()
    root = Path(tempfile.mkdtemp(prefix="tearline-chaos-"))
    if os.geteuid() == 0:
        root.chmod(0o711)  # the postgres user reaches its cluster inside
    try:
        result = run(args, root)
    except ClusterError as exc:
        print(f"private PostgreSQL cluster failed: {exc}", file=sys.stderr)
        sys.exit(CLUSTER_FAILED)
    finally:
        if args.keep:
            print(f"kept {root}", file=sys.stderr)
        else:
            shutil.rmtree(root, ignore_errors=True)
    summary: dict[str, Any] = asdict(result) | {"in_flight": result.in_flight, "ok": result.ok}
    if args.json:
        print(json.dumps(summary))
    else:
        print(
            f"{result.deliveries} deliveries, {result.workers} workers, "
            f"{len(result.kills)} SIGKILLs, {len(result.restarts)} database restarts, "
            f"{result.seconds} s"
        )
        print(f"lost: {result.lost} (not delivered in the database: {result.not_delivered})")
        print(
            f"duplicates: {result.duplicates} (in flight at the kills: "
            f"{[k.in_flight for k in result.kills]}, sum {result.in_flight})"
        )
        print(
            f"workers alive at the end: {result.alive_at_end} "
            f"({result.worker_restarts} restarts by the supervisor); "
            f"each stopped cleanly on SIGTERM: {result.clean_exits}"
        )
        print("OK" if result.ok else "FAILED")
    sys.exit(0 if result.ok else 1)


if __name__ == "__main__":
    main()

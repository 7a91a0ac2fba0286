"""The delivery worker: claim, send concurrently, journal, record — and never lose a warning.

One asyncio loop sends a batch at a time, ``delivery_concurrency`` messages in flight,
while a thread claims the next batch and records the last one (SQLite and PostgreSQL
both release the GIL while they work). Each success is appended to a journal file the
moment its receipt arrives (a ``write`` to the operating system, which a killed process
cannot take back); the batch's database commit then deletes that journal. A batch still
sending after a second records what has ended meanwhile, so a slow receiver holds back
no one else's record. A worker that
starts finds the journals of workers that died on this machine (their lock is free),
takes the dead worker's lock, records what it had sent, hands its other claims back and
deletes its files before letting go: however many workers start together, each journal is
replayed once. After a kill, at most the messages in flight at that instant are sent
again, each with its idempotency key; the claims a dead worker held do not count as
attempts (a batch being sent counts one lost claim each, and a delivery that keeps killing
its worker is dead-lettered after ``delivery_max_lost_claims``).

A round that fails (the database gone, a connection cut, any other error) does not end
the worker: it logs one line, records what its own journal says was sent, hands its other
claims back, waits (0.5 s doubling to 30 s, reset by a good round) and goes on. Its
``Health`` says so meanwhile, for ``/healthz``. Asked to stop, it finishes the batch in
flight, records it, and hands back what it had claimed but not sent.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import fcntl
import gc
import json
import logging
import os
import socket
import threading
import time
import uuid
from collections.abc import Callable, Generator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError

from tearline.deliver import (
    Channel,
    EmailChannel,
    HttpPool,
    LiaisonNoteChannel,
    Outbound,
    PermanentFailure,
    PublicFeedChannel,
    SmsChannel,
    SmtpConfig,
    SmtpPool,
    TemporaryFailure,
    TokenBucket,
    WebhookChannel,
    parse_rate_limits,
)
from tearline.deliver.channels import forms_sent
from tearline.deliver.replies import issue_short_token, issue_token
from tearline.deliver.taxii import TaxiiPushChannel
from tearline.errors import ConfigError
from tearline.ids import Kind, format_id
from tearline.workflow.app import App
from tearline.workflow.channel_locks import ChannelLocks
from tearline.workflow.outbox import (
    Claimed,
    Outcome,
    Sent,
    WarningBody,
    apply_journal,
    claim,
    load_forms,
    load_warnings,
    record,
    release_claims,
)
from tearline.workflow.replies import reply_key
from tearline.workflow.taxii import TaxiiCollectionChannel

log = logging.getLogger("tearline.worker")

BACKOFF_FIRST_SECONDS = 0.5  # the first wait after a failed round; doubled each time
BACKOFF_MAX_SECONDS = 30.0  # ... up to this
BODIES_KEPT = 4  # batches' worth of warnings a worker keeps read (``Worker._bodies_for``)
RECORD_EVERY_SECONDS = 1.0  # a batch still sending after this records what has ended so
# far (and so on): a success waits at most about this long for its record, not for the
# slowest send; a quicker batch is recorded in one transaction and one audit entry


# A process that only runs the worker collects cyclic garbage this rarely: each webhook
# sent leaves a few dozen container objects alive for a while (aiohttp's request and
# response, futures), and at Python's default threshold (700) the collector ran every 40
# or so deliveries and rescanned the imported modules and the app whenever it reached the
# oldest generation: 15-20 us of CPU a delivery (gc.callbacks, 20,000 deliveries), 0.3
# after gc.freeze and these thresholds.
GC_THRESHOLDS = (10_000, 10, 10)


def settle_heap(thresholds: tuple[int, int, int] | None = GC_THRESHOLDS) -> None:
    """For a long-running process once started: what is alive now (modules, settings, the
    app, ~100,000 objects) is set aside from the cyclic collector (garbage collected first,
    so none is kept for good). A full collection then scans what came after, not all of
    that again: in a web process it was an 80 ms pause of every request in flight every
    few hundred requests. With ``thresholds`` the collector also runs less often: for a
    process that runs the worker and nothing else (``tearline worker``), not for a web
    process with a worker in a thread (``serve``), which passes None."""
    gc.collect()
    gc.freeze()
    if thresholds is not None:
        gc.set_threshold(*thresholds)


def database_down(exc: BaseException) -> bool:
    """Whether an error says the database cannot be reached (rather than a bug)."""
    if isinstance(exc, OperationalError | InterfaceError):
        return True
    return isinstance(exc, DBAPIError) and bool(exc.connection_invalidated)


def describe(exc: BaseException) -> str:
    """One short line for a log or ``/healthz``: no SQL, no traceback."""
    inner = getattr(exc, "orig", None) or exc
    lines = str(inner).strip().splitlines()
    text = lines[0] if lines else ""
    return f"{type(inner).__name__}: {text}"[:200] if text else type(inner).__name__


class Backoff:
    """Capped exponential waits: 0.5, 1, 2, ... 30 seconds; ``reset`` after a good round."""

    def __init__(
        self, first: float = BACKOFF_FIRST_SECONDS, cap: float = BACKOFF_MAX_SECONDS
    ) -> None:
        self.first, self.cap, self._next = first, cap, first

    def reset(self) -> None:
        self._next = self.first

    def take(self) -> float:
        delay, self._next = self._next, min(self.cap, self._next * 2)
        return delay


class Health:
    """What a worker is doing, as ``/healthz`` reports it: ``problem`` is None while it works."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._problem: str | None = None
        self._since: datetime | None = None
        self._failed = 0

    def working(self) -> None:
        with self._lock:
            self._problem, self._since = None, None

    def failing(self, problem: str) -> None:
        """``problem`` names what is wrong; the time it started is kept across retries."""
        with self._lock:
            self._since = self._since or datetime.now(UTC)
            self._problem = problem
            self._failed += 1

    @property
    def failed_rounds(self) -> int:
        """How many times it failed since it started (``/metrics``)."""
        with self._lock:
            return self._failed

    @property
    def problem(self) -> str | None:
        with self._lock:
            if self._problem is None or self._since is None:
                return None
            since = self._since.isoformat(timespec="seconds").replace("+00:00", "Z")
            return self._problem.replace("{since}", since)


def channels_for(app: App, http: HttpPool | None = None) -> dict[str, Channel]:
    """The built-in channels, configured from the app's settings and home directory."""
    s = app.settings
    pool = http or HttpPool(s.webhook_timeout_seconds, connections=s.delivery_concurrency)
    try:
        smtp = SmtpConfig.from_url(s.smtp_url)
    except ValueError as exc:
        raise ConfigError(f"TEARLINE_SMTP_URL={s.smtp_url!r}: {exc}") from None
    return {
        "liaison_note": LiaisonNoteChannel(app.home / "liaison"),
        "public_feed": PublicFeedChannel(app.home / "feed"),
        "webhook": WebhookChannel(pool),
        "email": EmailChannel(SmtpPool(smtp), s.mail_from),
        "sms": SmsChannel(pool, s.sms_gateway_url, s.sms_gateway_template, s.sms_gateway_token),
        "taxii": TaxiiCollectionChannel(app),
        "taxii_push": TaxiiPushChannel(pool),
    }


async def close_channels(channels: Mapping[str, Channel]) -> None:
    """Close what the channels hold open (HTTP sessions, SMTP connections)."""
    closed: set[int] = set()
    for channel in channels.values():
        for holder in (channel, getattr(channel, "http", None)):
            aclose = getattr(holder, "aclose", None)
            if aclose is not None and id(holder) not in closed:
                closed.add(id(holder))
                await aclose()


class Journal:
    """Per-worker files of sends not yet recorded; a held lock file says "I am alive"."""

    def __init__(self, folder: Path, worker_id: str) -> None:
        self.folder = folder
        folder.mkdir(parents=True, exist_ok=True)
        self.worker_id = worker_id
        self.stem = worker_id.replace(":", "_").replace("/", "_")
        # Locked under a temporary name, then renamed: a lock file that another worker can
        # see is always already held, so it is never mistaken for a dead worker's.
        tmp = folder / f"{self.stem}.lock.tmp"
        self._lock = os.open(tmp, os.O_CREAT | os.O_RDWR, 0o600)
        fcntl.flock(self._lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        os.write(self._lock, worker_id.encode())
        tmp.replace(folder / f"{self.stem}.lock")
        self._batch = 0

    def open_batch(self) -> tuple[int, Path]:
        self._batch += 1
        path = self.folder / f"{self.stem}.{self._batch}.log"
        return os.open(path, os.O_CREAT | os.O_WRONLY | os.O_APPEND, 0o600), path

    @staticmethod
    def begin(fd: int, delivery_ids: Sequence[int]) -> None:
        """Say which deliveries this batch sends: if the worker dies, each of them counts
        a lost claim (the claims it had not started sending do not)."""
        os.write(fd, json.dumps({"sending": list(delivery_ids)}).encode() + b"\n")

    @staticmethod
    def note(fd: int, delivery_id: int, status: str, detail: str) -> None:
        line = json.dumps({"id": delivery_id, "status": status, "detail": detail[:500]})
        os.write(fd, line.encode() + b"\n")  # one write: whole lines or nothing

    def batches(self) -> list[Path]:
        """This worker's journal files (sends not yet recorded)."""
        return sorted(self.folder.glob(f"{self.stem}.*.log"))

    def close(self, *, keep: bool = False) -> None:
        """Let go of the lock; ``keep`` leaves the lock file, so that the next worker on this
        machine takes this one for dead and records its journal."""
        os.close(self._lock)
        if not keep:
            with contextlib.suppress(FileNotFoundError):
                (self.folder / f"{self.stem}.lock").unlink()

    @staticmethod
    def orphans(folder: Path) -> Generator[Orphan]:
        """Each dead worker here, one at a time, its lock held by the caller until the next
        one is asked for: the caller replays its journal and ``remove``s its files meanwhile,
        so a worker starting at the same moment finds it locked, then gone."""
        for lock in sorted(folder.glob("*.lock")):
            try:
                fd = os.open(lock, os.O_RDWR)
            except FileNotFoundError:
                continue  # replayed and removed meanwhile
            try:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                except BlockingIOError:
                    continue  # alive, or being replayed by another worker
                try:
                    current = os.stat(lock).st_ino == os.fstat(fd).st_ino
                except FileNotFoundError:
                    current = False
                if not current:
                    continue  # replayed and removed between our open and our lock
                worker_id = os.read(fd, 200).decode(errors="replace")
                yield Orphan(worker_id, sorted(folder.glob(f"{lock.stem}.*.log")), lock)
            finally:
                os.close(fd)


@dataclass(frozen=True)
class Orphan:
    """A dead worker's journal files and lock file (the lock held while it is replayed)."""

    worker_id: str
    paths: list[Path]
    lock: Path

    def remove(self) -> None:
        """Delete the journal, then the lock file: done, nothing to replay again."""
        for p in [*self.paths, self.lock]:
            p.unlink(missing_ok=True)


def _started(paths: Sequence[Path]) -> set[int]:
    """The deliveries of the batches a journal says were being sent."""
    ids: set[int] = set()
    for path in paths:
        for line in path.read_text(errors="replace").splitlines():
            with contextlib.suppress(ValueError, KeyError, TypeError):
                ids.update(int(i) for i in json.loads(line)["sending"])
    return ids


def _read_journal(paths: Sequence[Path]) -> dict[int, tuple[str, str]]:
    entries: dict[int, tuple[str, str]] = {}
    for path in paths:
        for line in path.read_text(errors="replace").splitlines():
            with contextlib.suppress(ValueError, KeyError, TypeError):
                e = json.loads(line)
                entries[int(e["id"])] = (str(e["status"]), str(e["detail"]))
    return entries


def recover(app: App) -> int:
    """Record what dead workers on this machine had sent; hand their other claims back.

    Each dead worker's lock is held while its journal is replayed and until its files are
    gone, so workers starting together replay it once between them."""
    folder = app.home / "outbox"
    if not folder.is_dir():
        return 0
    recovered = 0
    with contextlib.closing(Journal.orphans(folder)) as orphans:
        for orphan in orphans:
            recovered += apply_journal(app, _read_journal(orphan.paths), orphan.worker_id)
            release_claims(app, [orphan.worker_id], lost=_started(orphan.paths))
            orphan.remove()
    return recovered


class Notes:
    """A batch's journal lines, written by one ``write`` per turn of the event loop: the
    receipts that arrive together are journalled together, at the latest before the
    loop next waits for the network, and always before they are recorded (``flush``)."""

    def __init__(self, fd: int) -> None:
        self.fd = fd
        self._lines: list[bytes] = []
        # the same JSON line as ``Journal.note`` writes, its end encoded once per receipt
        # text ("HTTP 200"): most receipts of a batch read alike
        self._ends: dict[tuple[str, str], bytes] = {}

    def note(self, delivery_id: int, status: str, detail: str) -> None:
        if not self._lines:
            asyncio.get_running_loop().call_soon(self.flush)
        end = self._ends.get((status, detail))
        if end is None:
            whole = json.dumps({"id": 0, "status": status, "detail": detail[:500]})
            end = whole.encode()[len('{"id": 0') :] + b"\n"
            if len(self._ends) < 64:
                self._ends[status, detail] = end
        self._lines.append(b'{"id": %d%s' % (delivery_id, end))

    def flush(self) -> None:
        if self._lines:
            data, self._lines = b"".join(self._lines), []
            os.write(self.fd, data)  # one write: whole lines or nothing


@dataclass
class Worker:
    """One delivery worker. ``run`` loops; ``cycle`` does one claim-send-record round."""

    app: App
    channels: Mapping[str, Channel]
    on_sent: Callable[[Sent], None] | None = None
    batch: int | None = None

    def __post_init__(self) -> None:
        s = self.app.settings
        self.id = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self.batch = self.batch or s.delivery_batch
        self.concurrency = s.delivery_concurrency
        self.buckets = {
            k: TokenBucket(v) for k, v in parse_rate_limits(s.delivery_rate_limits).items()
        }
        # a limited channel is claimed by one worker at a time: its limit holds across them
        self.channel_locks = ChannelLocks(self.app, self.buckets)
        self.bodies: dict[int, WarningBody] = {}
        # channel → the released forms it sends
        self._forms = {name: forms_sent(ch) for name, ch in self.channels.items()}
        # the warnings of the batches claimed last: one being recorded, one being sent,
        # the one just claimed (``drain`` overlaps them)
        self._in_flight: collections.deque[set[int]] = collections.deque(maxlen=3)
        self.key = reply_key(self.app)
        self.reply_after = timedelta(days=s.reply_link_days)
        self.public_url = s.public_url.rstrip("/")
        recover(self.app)
        self.journal = Journal(self.app.home / "outbox", self.id)

    def _claim(self) -> list[Claimed]:
        budgets = {
            name: b.available() if self.channel_locks.held(name) else 0
            for name, b in self.buckets.items()
        }
        claimed = claim(self.app, self.id, self.batch or 1, budgets)
        for name, bucket in self.buckets.items():
            bucket.take(sum(1 for c in claimed if c.channel == name))
        self._bodies_for(claimed)
        return claimed

    def _bodies_for(self, claimed: Sequence[Claimed]) -> None:
        """Read the warnings ``claimed`` sends, each with the released forms its channels
        send, and forget those no batch in flight sends once more are kept than
        ``BODIES_KEPT`` batches' worth: a release is a warning per recipient, and every
        warning a long-running worker ever sent stayed in memory (50-80 KB each)."""
        needed: dict[int, set[str]] = {}
        for c in claimed:
            needed.setdefault(c.warning_id, set()).update(self._forms.get(c.channel, ()))
        new = {w for w in needed if w not in self.bodies}
        if new:
            self.bodies.update(load_warnings(self.app, new, set().union(*(needed[w] for w in new))))
        short = {
            w: body
            for w, f in needed.items()
            if (body := self.bodies.get(w)) is not None and f - body.forms
        }
        if short:
            load_forms(self.app, short, set().union(*(needed[w] for w in short)))
        self._in_flight.append(set(needed))
        if len(self.bodies) > BODIES_KEPT * (self.batch or 1):
            keep = set().union(*self._in_flight)
            for wid in [w for w in self.bodies if w not in keep]:
                del self.bodies[wid]

    def outbound(self, c: Claimed) -> Outbound:
        w = self.bodies[c.warning_id]
        # An SMS carries the short form of the same link: the whole fits one message.
        issue = issue_short_token if c.channel == "sms" else issue_token
        token = issue(self.key, c.id, w.valid_until + self.reply_after)
        return Outbound(
            delivery_ref=format_id(Kind.DELIVERY, c.id),
            idempotency_key=c.idempotency_key,
            address=c.address,
            warning_ref=w.ref,
            recipient=w.recipient,
            subject=w.subject,
            text=w.text,
            document=w.document,
            jws=w.jws,
            artifacts=w.artifacts,
            reply_url=f"{self.public_url}/reply/{token}",
            secret=w.secrets.get((c.channel, c.address)),
            body_cache=w.body_cache,
        )

    async def _send_one(self, c: Claimed, notes: Notes) -> Outcome:
        channel = self.channels.get(c.channel)
        try:
            if channel is None:
                raise PermanentFailure(f"no channel named {c.channel!r} is configured")
            receipt = await channel.send(self.outbound(c))
        except TemporaryFailure as exc:
            # the back-off counts from now, not from when the whole batch is recorded
            detail = str(exc) or "temporary failure"
            ended = self.app.clock.now()
            return Outcome(c, False, detail, retry_after=exc.retry_after, ended_at=ended)
        except PermanentFailure as exc:
            return Outcome(c, False, str(exc) or "permanent failure", permanent=True)
        except Exception as exc:  # a plug-in's bug must not stop every other delivery
            ended = self.app.clock.now()
            return Outcome(c, False, f"{type(exc).__name__}: {exc}", ended_at=ended)
        notes.note(c.id, receipt.status, receipt.detail)
        return Outcome(c, True, receipt.detail, status=receipt.status)

    async def _send(self, claimed: Sequence[Claimed]) -> tuple[list[Sent], list[Outcome], Path]:
        """Send a batch; while sends are still in flight after ``RECORD_EVERY_SECONDS``,
        record what has ended (again every so often), so that a slow receiver does not hold
        back the record of the others. A batch that ends sooner is recorded in one
        transaction, as before. Returns what was recorded, what was not yet, and the
        batch's journal — which stays until the whole batch is recorded (``heal`` or
        ``recover`` finish it otherwise)."""
        fd, path = self.journal.open_batch()
        Journal.begin(fd, [c.id for c in claimed])
        ready: list[Outcome] = []
        recorded: list[Sent] = []
        finished = asyncio.Event()

        notes = Notes(fd)
        todo = iter(claimed)

        async def sender() -> None:
            # ``concurrency`` of these share the batch, each taking the next when its last
            # send ends: no task, no semaphore per delivery
            for c in todo:
                ready.append(await self._send_one(c, notes))

        async def recorder() -> None:
            while not finished.is_set():
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(finished.wait(), RECORD_EVERY_SECONDS)
                if ready and not finished.is_set():
                    notes.flush()  # journalled before recorded
                    group = ready[:]
                    del ready[:]
                    recorded.extend(await asyncio.to_thread(self._record_group, group))

        recording = asyncio.ensure_future(recorder())
        try:
            await asyncio.gather(*(sender() for _ in range(min(self.concurrency, len(claimed)))))
        finally:
            finished.set()
            try:
                notes.flush()
                await recording  # its error, if any, is the round's
            finally:
                os.close(fd)
        return recorded, ready, path

    def _record_group(self, outcomes: Sequence[Outcome]) -> list[Sent]:
        sent = record(self.app, outcomes, self.bodies, worker_id=self.id)
        if self.on_sent is not None:
            for s in sent:
                self.on_sent(s)
        return sent

    def _record(self, outcomes: Sequence[Outcome], journal: Path) -> list[Sent]:
        sent = self._record_group(outcomes)
        journal.unlink(missing_ok=True)  # committed: the journal has done its job
        return sent

    async def cycle(self) -> list[Sent]:
        """Claim one batch, send it, record it."""
        claimed = await asyncio.to_thread(self._claim)
        if not claimed:
            return []
        recorded, rest, journal = await self._send(claimed)
        return recorded + await asyncio.to_thread(self._record, rest, journal)

    async def drain(self, stop: threading.Event | None = None) -> int:
        """Send until nothing is due, claiming the next batch while this one is sent."""
        count = 0
        next_claim = asyncio.ensure_future(asyncio.to_thread(self._claim))
        recording: asyncio.Future[list[Sent]] | None = None
        try:
            while True:
                claimed = await next_claim
                if not claimed and recording is not None and not (stop and stop.is_set()):
                    # that claim ran while the last batch was sent: once it is recorded, a
                    # contact point's next delivery (held back for order) may be due
                    previous, recording = recording, None
                    count += len(await previous)
                    claimed = await asyncio.to_thread(self._claim)
                if not claimed or (stop is not None and stop.is_set()):
                    break
                next_claim = asyncio.ensure_future(asyncio.to_thread(self._claim))
                recorded, rest, journal = await self._send(claimed)
                count += len(recorded)
                if recording is not None:
                    previous, recording = recording, None
                    count += len(await previous)
                recording = asyncio.ensure_future(asyncio.to_thread(self._record, rest, journal))
        finally:
            try:
                if recording is not None:
                    count += len(await recording)
            finally:
                # waited for (its error, if any, is the round's); what it claimed and did not
                # send is handed back by heal() or close(), or when the lease ends
                with contextlib.suppress(Exception):
                    await next_claim
        return count

    def heal(self) -> None:
        """After a failed round: record what this worker's journal says it sent, and hand
        back everything else it holds, so nothing sent is sent again and nothing waits."""
        paths = self.journal.batches()
        apply_journal(self.app, _read_journal(paths), self.id)
        release_claims(self.app, [self.id])  # claimed but not sent: due again at once
        for p in paths:
            p.unlink(missing_ok=True)

    def close(self) -> None:
        self.channel_locks.close()  # another worker may take the limited channels now
        try:
            self.heal()
        except Exception as exc:  # the database is gone: the next worker here recovers
            log.warning(
                "delivery worker %s stopped without recording (%s); the next worker on this "
                "machine records its journal",
                self.id,
                describe(exc),
                extra={"worker_id": self.id},
            )
            self.journal.close(keep=True)
            return
        self.journal.close()


TIMER_SECONDS = 15.0  # how often a running worker evaluates the escalation timers and
# whether an audit checkpoint is due


def _timers(app: App) -> None:
    from tearline.workflow.audit_checkpoints import checkpoint_if_due
    from tearline.workflow.feeds import poll_in_background
    from tearline.workflow.responses import check_due

    check_due(app)
    checkpoint_if_due(app)
    poll_in_background(app)  # partners' feeds and mailboxes, in a thread of their own
    # A worker on this machine that died just as this one started (its lock not yet
    # free then) is taken over now, not when its claims' lease runs out.
    recover(app)


def deliver_due(app: App, channels: Mapping[str, Channel], batch: int = 100) -> list[Sent]:
    """One round: claim what is due (up to ``batch``), send it, record it."""

    async def go() -> list[Sent]:
        worker = Worker(app, channels, batch=batch)
        try:
            return await worker.cycle()
        finally:
            worker.close()
            await close_channels(channels)

    return asyncio.run(go())


def run_worker(
    app: App,
    channels: Mapping[str, Channel],
    *,
    once: bool,
    on_sent: Callable[[Sent], None] | None = None,
    poll_seconds: float = 2.0,
    stop: threading.Event | None = None,
    health: Health | None = None,
) -> int:
    """Deliver until nothing is due (``once``), or until ``stop`` is set, polling.

    Without ``once`` a failed round does not end it: it is logged, what was sent is
    recorded, and the round is tried again after a back-off (``health`` says so meanwhile).
    With ``once`` the error is raised, for the command to report.
    """
    state = health or Health()
    backoff = Backoff()

    async def pause(exc: Exception) -> bool:
        """Log, note, wait; False when asked to stop meanwhile."""
        delay = backoff.take()
        if database_down(exc):
            state.failing("worker: database unavailable since {since}, retrying")
            log.warning(
                "delivery worker: database unavailable (%s); retrying in %.1f s",
                describe(exc),
                delay,
            )
        else:
            state.failing("worker: rounds failing since {since}, retrying")
            log.warning(
                "delivery worker: round failed (%s); retrying in %.1f s", describe(exc), delay
            )
        await asyncio.to_thread(_wait, stop, delay)
        return not (stop is not None and stop.is_set())

    async def go() -> int:
        worker: Worker | None = None
        count, timers_at, healing = 0, -TIMER_SECONDS, False
        try:
            while worker is None:
                try:
                    worker = Worker(app, channels, on_sent=on_sent)
                    log.info(
                        "delivery worker %s started", worker.id, extra={"worker_id": worker.id}
                    )
                except Exception as exc:
                    if once or isinstance(exc, ConfigError):
                        raise
                    if not await pause(exc):
                        return count
            while True:
                try:
                    if healing:
                        await asyncio.to_thread(worker.heal)
                        healing = False
                    count += await worker.drain(stop)
                    if once or time.monotonic() - timers_at >= TIMER_SECONDS:
                        await asyncio.to_thread(_timers, app)
                        timers_at = time.monotonic()
                except Exception as exc:
                    if once:
                        raise
                    healing = True
                    if not await pause(exc):
                        return count
                    continue
                if state.problem is not None:
                    log.warning("delivery worker: working again", extra={"worker_id": worker.id})
                state.working()
                backoff.reset()
                if once or (stop is not None and stop.is_set()):
                    return count
                await asyncio.to_thread(_wait, stop, poll_seconds)
        finally:
            from tearline.workflow.feeds import finish_polls

            await asyncio.to_thread(finish_polls, app)  # a partner feed's poll in progress
            if worker is not None:
                await asyncio.to_thread(worker.close)
                log.info(
                    "delivery worker %s stopped after %d deliveries",
                    worker.id,
                    count,
                    extra={"worker_id": worker.id, "count": count},
                )
            await close_channels(channels)

    return asyncio.run(go())


def _wait(stop: threading.Event | None, seconds: float) -> None:
    if stop is None:
        threading.Event().wait(seconds)
    else:
        stop.wait(seconds)


class EmbeddedWorker:
    """The worker in a background thread of ``tearline serve`` or the demo.

    A failed round is retried by ``run_worker``; should the thread's work end with an error
    all the same, it is logged and started again after a back-off. ``problem`` says what
    ``/healthz`` reports: None while the worker works.
    """

    def __init__(self, app: App, *, poll_seconds: float = 1.0, **kwargs: Any) -> None:
        self.app = app
        self.poll_seconds = poll_seconds
        self.kwargs = kwargs
        self.stop_event = threading.Event()
        self.thread: threading.Thread | None = None
        self.error: BaseException | None = None
        self.health = Health()
        self.restarts = 0

    def _run(self) -> None:
        backoff = Backoff()
        while not self.stop_event.is_set():
            try:
                run_worker(
                    self.app,
                    channels_for(self.app),
                    once=False,
                    poll_seconds=self.poll_seconds,
                    stop=self.stop_event,
                    health=self.health,
                    **self.kwargs,
                )
                return  # asked to stop
            except Exception as exc:  # kept for the owner to see; started again
                # /healthz is public: it names the error's kind, the log says the rest
                self.error = exc
                delay = backoff.take()
                self.health.failing(
                    f"worker stopped since {{since}} ({type(exc).__name__}), restarting"
                )
                log.error("delivery worker died (%s); restarting in %.1f s", describe(exc), delay)
                if self.stop_event.wait(delay):
                    return
                self.restarts += 1
                log.warning("delivery worker restarted (restart %d)", self.restarts)

    @property
    def problem(self) -> str | None:
        """Why the worker is not working now, or None."""
        if self.thread is None:
            return None  # not started (yet)
        if not self.thread.is_alive():
            return "worker stopped"
        return self.health.problem

    def start(self) -> EmbeddedWorker:
        self.thread = threading.Thread(target=self._run, name="tearline-worker", daemon=True)
        self.thread.start()
        return self

    def stop(self, timeout: float = 30.0) -> None:
        self.stop_event.set()
        if self.thread is not None:
            self.thread.join(timeout)

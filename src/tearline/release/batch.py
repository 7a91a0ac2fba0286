"""Rendering, signing and leak-checking the warnings of one release, many at once.

The work for each warning is pure — its document, the key material and the protected
terms in; every artifact, or the refusal, out — so a release to thousands is cut into
chunks that a pool of processes renders side by side (``release_workers`` of them, one
per CPU core by default). A small release stays in this process: starting the pool would
cost more than it saves. Either way the results are the same bytes (Ed25519, RSA's
PKCS #1 v1.5 and the canonical forms are deterministic) and come back in the warnings'
order, so the refusal raised is the one the serial path would have raised first.
"""

from __future__ import annotations

import json
import multiprocessing
import threading
from collections.abc import Iterator, Mapping, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from typing import Any

from joserfc.jwk import OKPKey, RSAKey

from tearline.errors import LeakDetected
from tearline.release.artifacts import render_artifacts
from tearline.release.leak_check import ProtectedTerm, ensure_no_leak

# Fewer warnings than this are rendered here: the pool's start and the pickling would
# cost more than the second core gives back.
SMALL_RELEASE = 32
# Warnings per task sent to a pool process: large enough that pickling is noise, small
# enough that the processes finish together and a refusal stops the rest early; fewer
# for a release that would otherwise give a process nothing to do.
CHUNK = 64


@dataclass(frozen=True)
class Job:
    """One warning to render: ``document`` is rendered (and signed, given a key);
    ``internal`` (the officer's role and the policy's changes) joins it in the record's
    JSON, which is checked too, but is never sent. ``cap_signature`` is how its CAP is
    signed: "ed25519", or "rsa" with the X.509 key given to ``render_all``."""

    ref: str
    document: dict[str, Any]
    internal: dict[str, Any]
    cap_signature: str = "ed25519"

    @property
    def content(self) -> dict[str, Any]:
        return {**self.document, **self.internal}


@dataclass(frozen=True)
class Refusal:
    """A LeakDetected as data, to cross a process boundary: the term's ID, never its text."""

    message: str
    term_id: str
    artifact: str

    def error(self) -> LeakDetected:
        return LeakDetected(self.message, term_id=self.term_id, artifact=self.artifact)


def leak_views(ref: str, artifacts: Mapping[str, str], content: Any) -> dict[str, str]:
    """What the leak check reads for one warning: every format, and its record as JSON."""
    named = {f"{ref} {fmt}": text for fmt, text in artifacts.items()}
    named[f"{ref} JSON"] = json.dumps(content, ensure_ascii=False)
    return named


def render_checked(
    job: Job, key: OKPKey | None, terms: Sequence[ProtectedTerm], cap_key: RSAKey | None = None
) -> dict[str, str] | Refusal:
    """Every format of one warning (signed when ``key`` is given), leak-checked."""
    rsa = job.cap_signature == "rsa" and key is not None
    if rsa and cap_key is None:
        raise ValueError(f"{job.ref}: its CAP is to be signed with RSA, and no RSA key was given")
    artifacts = render_artifacts(job.document, key, cap_key if rsa else None)
    content = job.content
    try:
        ensure_no_leak(leak_views(job.ref, artifacts, content), terms, facts=content.get("facts"))
    except LeakDetected as leak:
        return Refusal(str(leak), leak.term_id, leak.artifact)
    return artifacts


def _chunk(
    jobs: Sequence[Job],
    jwk: dict[str, Any] | None,
    terms: Sequence[ProtectedTerm],
    cap_jwk: dict[str, Any] | None = None,
) -> list[dict[str, str] | Refusal]:
    """A pool process's task: a chunk of warnings, stopping at the first refusal."""
    key = OKPKey.import_key(jwk) if jwk is not None else None
    cap_key = RSAKey.import_key(cap_jwk) if cap_jwk is not None else None
    return list(_serial(jobs, key, terms, cap_key))


_lock = threading.Lock()
_pool: tuple[int, ProcessPoolExecutor] | None = None


def _executor(workers: int) -> ProcessPoolExecutor:
    """The process pool, started on first use and kept: its processes keep the leak
    check's indexes warm from one release to the next. Forked from a server process
    that has imported only this module, never from a process holding database
    connections and threads."""
    global _pool
    with _lock:
        if _pool is not None and _pool[0] == workers:
            return _pool[1]
        if _pool is not None:
            _pool[1].shutdown(wait=False, cancel_futures=True)
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload([__name__])
        _pool = (workers, ProcessPoolExecutor(max_workers=workers, mp_context=context))
        return _pool[1]


def _discard(executor: ProcessPoolExecutor) -> None:
    global _pool
    with _lock:
        if _pool is not None and _pool[1] is executor:
            _pool = None
    executor.shutdown(wait=False, cancel_futures=True)


def _serial(
    jobs: Sequence[Job],
    key: OKPKey | None,
    terms: Sequence[ProtectedTerm],
    cap_key: RSAKey | None = None,
) -> Iterator[dict[str, str] | Refusal]:
    for job in jobs:
        result = render_checked(job, key, terms, cap_key)
        yield result
        if isinstance(result, Refusal):
            return


def _parallel(
    jobs: Sequence[Job],
    key: OKPKey | None,
    terms: Sequence[ProtectedTerm],
    workers: int,
    cap_key: RSAKey | None = None,
) -> Iterator[dict[str, str] | Refusal]:
    executor = _executor(workers)
    jwk = key.as_dict(private=True) if key is not None else None
    cap_jwk = cap_key.as_dict(private=True) if cap_key is not None else None
    terms = list(terms)
    futures: list[Future[list[dict[str, str] | Refusal]]] = []
    done = 0  # warnings handed on
    size = max(8, min(CHUNK, -(-len(jobs) // (workers * 4))))
    try:
        for i in range(0, len(jobs), size):
            futures.append(executor.submit(_chunk, jobs[i : i + size], jwk, terms, cap_jwk))
        for future in futures:
            for result in future.result():
                done += 1
                yield result
    except BrokenProcessPool:  # a pool process died (killed, out of memory): go on here
        _discard(executor)
        yield from _serial(jobs[done:], key, terms, cap_key)
    finally:
        for future in futures:
            future.cancel()


def render_all(
    jobs: Sequence[Job],
    key: OKPKey | None,
    terms: Sequence[ProtectedTerm],
    workers: int = 1,
    cap_key: RSAKey | None = None,
) -> Iterator[dict[str, str]]:
    """Every warning's artifacts, in the order of ``jobs``, each as soon as it and those
    before it are done (the caller records one while the pool renders the next);
    LeakDetected for the first warning, in that order, that holds a protected term.
    ``cap_key`` signs the CAP of the jobs whose ``cap_signature`` is "rsa"."""
    if workers > 1 and len(jobs) >= SMALL_RELEASE:
        results = _parallel(jobs, key, terms, workers, cap_key)
    else:
        results = _serial(jobs, key, terms, cap_key)
    for result in results:
        if isinstance(result, Refusal):
            raise result.error()
        yield result


def pool_pids() -> list[int]:
    """The pool's running processes (for a benchmark or a health check to look at)."""
    with _lock:
        executor = _pool[1] if _pool is not None else None
    processes = getattr(executor, "_processes", None) or {}
    return [int(pid) for pid in processes]

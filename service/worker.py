"""The polling loop shared by the background workers (webhook outbox, approved store actions).

Both claim due rows from a database queue under a lease, so any number of replicas can run them; the loop
itself only decides when to run the next round: at once after a productive round, on ``notify()`` (a row was
just committed here) or after ``poll_s`` (a row committed by another replica, or a retry coming due).
"""

from __future__ import annotations

import logging
import random
import socket
import threading
import time
import uuid
from collections.abc import Callable
from typing import Self

from service.errors import ReplydraftError

log = logging.getLogger(__name__)


def backoff_seconds(
    attempts: int, base: float, cap: float, rng: Callable[[], float] = random.random
) -> float:
    """base * 2^(attempts-1), capped, with +-20 % jitter so failed replicas do not retry in lockstep."""
    delay = min(cap, base * (2 ** max(0, attempts - 1)))
    return delay * (0.8 + 0.4 * rng())


def new_worker_id() -> str:
    """Host plus a random suffix: leases name their holder, and two workers on one host must differ."""
    return f"{socket.gethostname()}:{uuid.uuid4().hex[:8]}"


class PollingWorker:
    """Runs ``run_round()`` until stopped; subclasses say what a round does and what is still pending."""

    thread_name = "replydraft-worker"
    what = "worker round"  # for the log line of a failed round

    def __init__(self, poll_s: float) -> None:
        self.poll_s = poll_s
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    # --- what a subclass provides ---------------------------------------------------------------------
    def run_round(self) -> int:
        """Do what is due now; returns how many rows were finished (0 makes the loop wait)."""
        raise NotImplementedError

    def pending(self) -> int:
        """Rows still waiting (due now or later); ``until_idle`` runs stop when this is 0."""
        raise NotImplementedError

    # --- the loop ------------------------------------------------------------------------------------
    @property
    def stopping(self) -> bool:
        return self._stop.is_set()

    def notify(self) -> None:
        """Wake the loop now (a row was just committed) instead of waiting for the next poll."""
        self._wake.set()

    def run(self, *, until_idle: bool = False) -> None:
        """Work until stopped; with ``until_idle``, return once nothing is pending."""
        while not self._stop.is_set():
            self._wake.clear()  # before the round: a row committed during it wakes the next wait
            try:
                done = self.run_round()
            except ReplydraftError as exc:  # database briefly unavailable: keep the worker alive
                log.warning("%s failed: %s", self.what, exc.message)
                done = 0
            except Exception:
                log.exception("%s failed", self.what)
                done = 0
            if done:
                continue
            if until_idle and not self.pending():
                return
            self._wake.wait(self.poll_s)

    def start(self) -> Self:
        if self._thread is None or not self._thread.is_alive():
            self._stop.clear()
            self._thread = threading.Thread(target=self.run, name=self.thread_name, daemon=True)
            self._thread.start()
        return self

    def stop(self, timeout_s: float = 5.0) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout_s)
            self._thread = None

    def close(self) -> None:
        self.stop()

    def wait_idle(self, timeout_s: float) -> bool:
        """For tests and the CLI: block until nothing is pending (or time is up)."""
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if not self.pending():
                return True
            time.sleep(0.02)
        return False

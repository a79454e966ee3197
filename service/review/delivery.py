"""Webhook delivery of the outbox: HMAC-signed POSTs, exponential backoff, safe across replicas and crashes.

Each request carries ``Idempotency-Key: <outbox id>`` (also ``X-Replydraft-Delivery``) and
``X-Replydraft-Signature: sha256=<hex HMAC-SHA256 of the raw body with the webhook secret>``. Receivers
verify the signature and drop repeated idempotency keys: delivery is at-least-once, so a crash between the
receiver's 2xx and the outbox update makes the same message arrive again.

Failures are retried with backoff, except that a delivery becomes a dead letter (see
:mod:`service.review.outbox`) when the receiver refuses it for good (a 4xx other than 408 Request Timeout
and 429 Too Many Requests: a bad signature or a payload it rejects will not get better by repeating it) or
after ``max_attempts`` attempts.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
from collections.abc import Callable
from datetime import datetime, timedelta

import httpx

from service.errors import ErrorCode, ReplydraftError
from service.review.outbox import Claimed, OutboxStore
from service.settings import Settings
from service.worker import PollingWorker, backoff_seconds, new_worker_id

log = logging.getLogger("replydraft.outbox")

SIGNATURE_HEADER = "X-Replydraft-Signature"
DELIVERY_HEADER = "X-Replydraft-Delivery"
ATTEMPT_HEADER = "X-Replydraft-Attempt"
IDEMPOTENCY_HEADER = "Idempotency-Key"
RETRYABLE_4XX = frozenset({408, 429})
DEFAULT_MAX_ATTEMPTS = 15  # about an hour of retries with the default 2 s .. 600 s backoff


def permanent_refusal(status_code: int) -> bool:
    """A 4xx the receiver will answer again whatever we do; 408 and 429 are worth retrying."""
    return 400 <= status_code < 500 and status_code not in RETRYABLE_4XX


def sign(secret: bytes, body: bytes) -> str:
    return "sha256=" + hmac.new(secret, body, hashlib.sha256).hexdigest()


def verify(secret: bytes, body: bytes, header: str) -> bool:
    """For receivers (and tests): constant-time check of a signature header."""
    return hmac.compare_digest(sign(secret, body), header or "")


class WebhookDelivery(PollingWorker):
    """Claims due outbox rows and posts them; ``start()`` runs it in a daemon thread."""

    thread_name = "replydraft-outbox"
    what = "outbox round"

    def __init__(
        self,
        store: OutboxStore,
        url: str,
        secret: bytes,
        *,
        clock: Callable[[], datetime],
        worker_id: str | None = None,
        client: httpx.Client | None = None,
        timeout_s: float = 10.0,
        lease_s: float | None = None,
        batch: int = 1,
        poll_s: float = 1.0,
        backoff_base_s: float = 2.0,
        backoff_cap_s: float = 600.0,
        max_attempts: int = DEFAULT_MAX_ATTEMPTS,
        on_dead: Callable[[str], None] | None = None,
    ) -> None:
        if not secret:
            raise ReplydraftError(
                ErrorCode.CONFIG,
                "REPLYDRAFT_WEBHOOK_URL is set: set REPLYDRAFT_WEBHOOK_SECRET to sign deliveries",
            )
        super().__init__(poll_s)
        self.store = store
        self.url = url
        self.secret = secret
        self.clock = clock
        self.worker_id = worker_id or new_worker_id()
        self.timeout_s = timeout_s
        # Rows are claimed ``batch`` at a time and posted one after the other; the lease outlasts the whole
        # batch, so a slow but live delivery is never claimed by a second worker. After a crash the rows
        # wait for the lease to expire, hence the default batch of one.
        self.lease_s = lease_s if lease_s is not None else (timeout_s * 2 + 5) * batch
        self.batch = batch
        self.backoff_base_s = backoff_base_s
        self.backoff_cap_s = backoff_cap_s
        if max_attempts < 1:
            raise ReplydraftError(ErrorCode.CONFIG, "REPLYDRAFT_OUTBOX_MAX_ATTEMPTS must be at least 1")
        self.max_attempts = max_attempts
        self.on_dead = on_dead  # called with the reason ("refused" or "attempts") of each dead letter
        self._client = client or httpx.Client(timeout=timeout_s, follow_redirects=False)
        self._own_client = client is None

    @classmethod
    def from_settings(
        cls, settings: Settings, store: OutboxStore, clock: Callable[[], datetime], **options: object
    ) -> WebhookDelivery | None:
        if not settings.webhook_url:
            return None
        secret = settings.webhook_secret.get_secret_value().encode() if settings.webhook_secret else b""
        options.setdefault("max_attempts", settings.outbox_max_attempts)
        return cls(store, settings.webhook_url, secret, clock=clock, **options)  # type: ignore[arg-type]

    # --- one round ---------------------------------------------------------------------------------
    def deliver_due(self) -> int:
        """Claim and post what is due now; returns how many were delivered."""
        delivered = 0
        for claimed in self.store.claim(self.worker_id, limit=self.batch, lease_s=self.lease_s):
            if self.stopping:
                break
            if self._post(claimed):
                delivered += 1
        return delivered

    def _post(self, claimed: Claimed) -> bool:
        body = claimed.body.encode("utf-8")
        headers = {
            "Content-Type": "application/json; charset=utf-8",
            SIGNATURE_HEADER: sign(self.secret, body),
            IDEMPOTENCY_HEADER: claimed.id,
            DELIVERY_HEADER: claimed.id,
            ATTEMPT_HEADER: str(claimed.attempts),
            "User-Agent": "replydraft-outbox",
        }
        refused = False
        try:
            response = self._client.post(self.url, content=body, headers=headers)
            ok = 200 <= response.status_code < 300
            refused = permanent_refusal(response.status_code)
            error = "" if ok else f"HTTP {response.status_code}: {response.text[:200]}"
        except httpx.HTTPError as exc:
            ok, error = False, f"{type(exc).__name__}: {exc}"
        if ok:
            self.store.mark_delivered(claimed.id, note=f"attempt {claimed.attempts}")
            return True
        if refused or claimed.attempts >= self.max_attempts:
            reason = "refused" if refused else "attempts"
            why = "the webhook refused it" if refused else f"{claimed.attempts} failed attempts"
            log.error(
                "webhook delivery given up: dead letter",
                extra={"outbox_id": claimed.id, "attempt": claimed.attempts, "error": error, "reason": why},
            )
            if (
                self.store.mark_dead(claimed.id, self.worker_id, error, attempts=claimed.attempts, reason=why)
                and self.on_dead is not None
            ):
                self.on_dead(reason)
            return False
        delay = backoff_seconds(claimed.attempts, self.backoff_base_s, self.backoff_cap_s)
        log.warning(
            "webhook delivery failed, retrying",
            extra={"outbox_id": claimed.id, "attempt": claimed.attempts, "error": error, "retry_s": delay},
        )
        self.store.mark_failed(claimed.id, self.worker_id, error, self.clock() + timedelta(seconds=delay))
        return False

    # --- the loop (service.worker) -----------------------------------------------------------------
    def run_round(self) -> int:
        return self.deliver_due()

    def pending(self) -> int:
        return self.store.counts().get("pending", 0)

    def close(self) -> None:
        self.stop()
        if self._own_client:
            self._client.close()

"""Per-key request limits: a rate per API key, and how many drafts one key may have running at once.

Rates use the ``limits`` library (moving window); the concurrency cap is a set of leases with an expiry,
so a replica that dies mid-draft frees its slots when they expire instead of holding them forever. Both
live in process memory by default, or in Redis when ``REPLYDRAFT_REDIS_URL`` is set, so that several
replicas share one budget per key. A refusal is a ``rate_limited`` error (HTTP 429) with the seconds to
wait in ``details.retry_after_s`` (and the Retry-After header).
"""

from __future__ import annotations

import logging
import math
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, cast

from limits import RateLimitItem, parse_many
from limits.storage import MemoryStorage, Storage, storage_from_string
from limits.strategies import MovingWindowRateLimiter

from service.errors import ErrorCode, ReplydraftError
from service.settings import Settings

log = logging.getLogger("replydraft.limits")

PREFIX = "replydraft"
REDIS_TIMEOUT_S = 2.0


def parse_rate(value: str | None) -> list[RateLimitItem]:
    """``"120/minute"`` or ``"10/second;600/hour"``; empty (or ``0``) means no limit."""
    if value is None or value.strip() in ("", "0"):
        return []
    return list(parse_many(value))


def _store_down(exc: Exception) -> ReplydraftError:
    log.warning("rate-limit store unavailable", extra={"error": type(exc).__name__})
    return ReplydraftError(
        ErrorCode.UPSTREAM_UNAVAILABLE, "rate-limit store (Redis) unavailable; retry shortly"
    )


class _MemorySlots:
    """Leases in this process: a replica of its own."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._held: dict[str, dict[str, float]] = {}

    def acquire(self, key: str, cap: int, ttl_s: float) -> str | None:
        now = time.monotonic()
        with self._lock:
            held = self._held.setdefault(key, {})
            for lease, expires in list(held.items()):
                if expires <= now:
                    del held[lease]
            if len(held) >= cap:
                return None
            lease = uuid.uuid4().hex
            held[lease] = now + ttl_s
            return lease

    def release(self, key: str, lease: str) -> None:
        with self._lock:
            self._held.get(key, {}).pop(lease, None)


class _RedisSlots:
    """Leases in a Redis sorted set (member: lease id, score: expiry time), shared by every replica.

    One MULTI/EXEC drops expired leases, adds ours and reads its rank: leases rank by expiry, so when
    several replicas race for the last slot the earlier lease wins and a later one sees a rank at or over
    the cap and withdraws.
    """

    def __init__(self, client: Any) -> None:
        self._redis = client

    def acquire(self, key: str, cap: int, ttl_s: float) -> str | None:
        lease = uuid.uuid4().hex
        name = f"{PREFIX}:drafting:{key}"
        now = time.time()
        pipe = self._redis.pipeline(transaction=True)
        pipe.zremrangebyscore(name, "-inf", now)
        pipe.zadd(name, {lease: now + ttl_s})
        pipe.zrank(name, lease)
        pipe.expire(name, math.ceil(ttl_s) + 1)
        rank = pipe.execute()[2]
        if rank is not None and rank < cap:
            return lease
        self._redis.zrem(name, lease)
        return None

    def release(self, key: str, lease: str) -> None:
        self._redis.zrem(f"{PREFIX}:drafting:{key}", lease)


class Limiter:
    """The per-key rate limits and the drafting concurrency cap, from settings."""

    def __init__(self, settings: Settings) -> None:
        self.request_rates = parse_rate(settings.request_rate_limit)
        self.draft_rates = parse_rate(settings.draft_rate_limit)
        self.draft_concurrency = settings.draft_concurrency
        # A lease outlives any draft (every model attempt timing out) and then expires by itself.
        self.lease_s = settings.llm_timeout_s * (settings.llm_max_retries + 1) + 60
        self.shared = settings.redis_url is not None
        self._storage: Storage
        if settings.redis_url:
            import redis

            # Short timeouts: an unreachable Redis must fail a request fast (503), not hold it.
            timeouts = {"socket_connect_timeout": REDIS_TIMEOUT_S, "socket_timeout": REDIS_TIMEOUT_S}
            storage = storage_from_string(settings.redis_url, key_prefix=PREFIX, **timeouts)
            self._storage = cast(Storage, storage)
            client = redis.Redis.from_url(settings.redis_url, **timeouts)
            self._slots: _MemorySlots | _RedisSlots = _RedisSlots(client)
        else:
            self._storage = MemoryStorage()
            self._slots = _MemorySlots()
        self._limiter = MovingWindowRateLimiter(self._storage)

    def _hit(self, items: list[RateLimitItem], scope: str, key_id: str, what: str) -> None:
        for item in items:
            try:
                allowed = self._limiter.hit(item, scope, key_id)
                if allowed:
                    continue
                reset = self._limiter.get_window_stats(item, scope, key_id).reset_time
            except ReplydraftError:
                raise
            except Exception as exc:  # the Redis client's connection and timeout errors
                raise _store_down(exc) from exc
            wait = max(1, math.ceil(reset - time.time()))
            raise ReplydraftError(
                ErrorCode.RATE_LIMITED,
                f"rate limit reached: at most {item} {what} per API key; retry in {wait} s",
                limit=str(item),
                retry_after_s=wait,
            )

    def check_request(self, key_id: str) -> None:
        """Count one authenticated request of this key; raise RATE_LIMITED over the limit."""
        if self.request_rates:
            self._hit(self.request_rates, "requests", key_id, "requests")

    @contextmanager
    def drafting(self, key_id: str) -> Iterator[None]:
        """Hold one of the key's draft slots for the body of the ``with`` (after counting its rate)."""
        if self.draft_rates:
            self._hit(self.draft_rates, "drafts", key_id, "drafts")
        if self.draft_concurrency <= 0:
            yield
            return
        try:
            lease = self._slots.acquire(key_id, self.draft_concurrency, self.lease_s)
        except Exception as exc:
            raise _store_down(exc) from exc
        if lease is None:
            raise ReplydraftError(
                ErrorCode.RATE_LIMITED,
                f"too many drafts in progress: at most {self.draft_concurrency} at once per API key; "
                "retry when one finishes",
                limit=f"{self.draft_concurrency} concurrent drafts",
                retry_after_s=1,
            )
        try:
            yield
        finally:
            try:
                self._slots.release(key_id, lease)
            except Exception as exc:  # the lease expires by itself
                log.warning("could not release a draft slot", extra={"error": type(exc).__name__})

    def close(self) -> None:
        client = getattr(self._slots, "_redis", None)
        if client is not None:
            client.close()

"""Outbox metrics: dead letters as they happen, and the outbox by status at scrape time.

The gauge is read from the database when Prometheus scrapes, so every replica reports the same numbers
(alert on ``max(replydraft_outbox_items{status="dead"}) > 0``) and a requeue shows up at once. A scrape
during a database outage leaves the gauge out rather than failing the whole scrape.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator

from prometheus_client import CollectorRegistry, Counter
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from service.review.outbox import STATUSES, OutboxStore

log = logging.getLogger("replydraft.outbox")

ITEMS = "replydraft_outbox_items"


class _OutboxItems(Collector):
    def __init__(self, store: OutboxStore) -> None:
        self.store = store

    def _family(self) -> GaugeMetricFamily:
        return GaugeMetricFamily(ITEMS, "Outbox items by status; dead ones wait for ops", labels=["status"])

    def describe(self) -> Iterator[Metric]:
        # Declared so that registering does not call collect() (a database query) up front.
        yield self._family()

    def collect(self) -> Iterator[Metric]:
        try:
            counts = self.store.counts()
        except Exception as exc:  # a scrape must not fail because the database is down
            log.warning("outbox metrics unavailable: %s", getattr(exc, "message", exc))
            return
        family = self._family()
        for status in STATUSES:
            family.add_metric([status], counts.get(status, 0))
        yield family


class OutboxMetrics:
    """Registered once per registry (one per container)."""

    def __init__(self, registry: CollectorRegistry, store: OutboxStore) -> None:
        self.dead_letters = Counter(
            "replydraft_outbox_dead_letters_total",
            "Deliveries given up, by reason: refused (webhook 4xx) or attempts (max attempts reached)",
            ["reason"],
            registry=registry,
        )
        registry.register(_OutboxItems(store))

    def dead_letter(self, reason: str) -> None:
        self.dead_letters.labels(reason).inc()

"""Prometheus metrics. One registry per app instance, so tests and multiple apps never collide."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Histogram


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "replydraft_http_requests_total",
            "HTTP requests",
            ["method", "route", "status"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "replydraft_http_request_seconds",
            "HTTP request latency",
            ["method", "route"],
            buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
            registry=self.registry,
        )
        self.drafts = Counter(
            "replydraft_drafts_total", "Drafts generated", ["provider", "fallback"], registry=self.registry
        )
        self.findings = Counter(
            "replydraft_compliance_findings_total",
            "Compliance findings",
            ["category", "severity"],
            registry=self.registry,
        )
        self.reindex_runs = Counter(
            "replydraft_reindex_runs_total", "Reindex runs", ["status"], registry=self.registry
        )
        self.retrieval_latency = Histogram(
            "replydraft_retrieval_seconds",
            "Hybrid retrieval latency (query embedding included)",
            buckets=(0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1),
            registry=self.registry,
        )

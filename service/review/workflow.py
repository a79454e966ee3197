"""The review service: the only way a draft changes state, and the only way text gets sent.

Rules enforced here, for the API, the CLI and the console alike:
- transitions follow :mod:`service.review.states`; a wrong state is a CONFLICT naming the current one;
- every action carries the draft's version and is a compare-and-set UPDATE, so of two reviewers acting on
  the same version exactly one succeeds;
- an edited approval is a new revision, re-checked by compliance; a blocking finding refuses it;
- sending requires an approval whose content hash is that of the current text; it is idempotent and
  writes the send and its outbox row in the same transaction as the state change;
- every state change appends an audit entry in that same transaction.

``ReviewService`` is a facade; each concern is a module that reads alone: :mod:`.drafts` (store and
read), :mod:`.decisions` (approve, reject, regenerate), :mod:`.sending`, :mod:`.queries` (queue, counts,
audit), :mod:`.staleness`, :mod:`.stats` and :mod:`.outbox`; :mod:`.rows` holds what they share.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from service.compliance.models import ComplianceResult
from service.drafting.models import DraftRecord, DraftRequest, GeneratedDraft
from service.review import kpis, stats
from service.review.db import Database
from service.review.decisions import MAX_EDIT_CHARS, MAX_REASON_CHARS, Decisions
from service.review.delivery import WebhookDelivery
from service.review.drafts import Drafts
from service.review.metrics import OutboxMetrics
from service.review.models import AuditEntry, OutboxItem, Page, SendResult, Stats
from service.review.outbox import STATUSES as OUTBOX_STATUSES
from service.review.outbox import OutboxStore
from service.review.principal import Principal
from service.review.queries import MAX_PAGE, Queries
from service.review.rows import Compliance, Context, Drafter, IndexView, utcnow
from service.review.sending import Sender
from service.review.staleness import Staleness
from service.settings import Settings
from service.store.review import ActionChoice, ActionQueue, ActionRunner, StoreActionItem

__all__ = ["MAX_EDIT_CHARS", "MAX_PAGE", "MAX_REASON_CHARS", "ReviewService"]


class ReviewService:
    """Drafts, the state machine, audit, the outbox and stats, over one Database."""

    def __init__(
        self,
        db: Database,
        *,
        settings: Settings,
        compliance: Callable[[], Compliance],
        index: Callable[[], IndexView],
        drafter: Callable[[], Drafter],
        clock: Callable[[], datetime] = utcnow,
        metrics: Any = None,
        store: Callable[[], Any] = lambda: None,
        store_desk: Callable[[], Any] = lambda: None,
    ) -> None:
        self.ctx = Context(db, settings, compliance, index, drafter, clock, store_desk)
        self.store = store  # the store connector (or None): approved actions run through it
        self.actions = ActionQueue(db, clock)
        self._runner: ActionRunner | None = None
        self.db = db
        self.settings = settings
        self.clock = clock
        self.outbox = OutboxStore(db, clock)
        self._delivery: WebhookDelivery | None = None
        # service.metrics.Metrics of the container, when there is one: outbox gauges and counters.
        self.outbox_metrics = OutboxMetrics(metrics.registry, self.outbox) if metrics is not None else None
        if metrics is not None:
            metrics.registry.register(kpis.AcceptanceCollector(db, settings.kpi_small_edit, self.clock))
        self.staleness = Staleness(self.ctx)
        self.drafts = Drafts(self.ctx, self.staleness)
        self.decisions = Decisions(self.ctx, self.drafts, self.staleness)
        self.sender = Sender(
            self.ctx, self.drafts, self.staleness, self._notify_delivery, self._notify_actions
        )
        self.queries = Queries(self.ctx, self.staleness)

    @classmethod
    def from_container(cls, container: Any) -> ReviewService:
        # Components are looked up on use, so reading the queue never loads the index or the model.
        return cls(
            container.db,
            settings=container.settings,
            compliance=lambda: container.compliance,
            index=lambda: container.index,
            drafter=lambda: container.drafter,
            metrics=container.metrics,
            store=lambda: container.store,
            store_desk=lambda: container.store_desk,
        )

    # --- drafts ------------------------------------------------------------------------------------
    def create_draft(
        self,
        generated: GeneratedDraft,
        *,
        requested_by: Principal | None = None,
        idempotency_key: str | None = None,
    ) -> DraftRecord:
        return self.drafts.create(generated, requested_by=requested_by, idempotency_key=idempotency_key)

    def find_replay(
        self, request: DraftRequest, *, requested_by: Principal | None, idempotency_key: str | None
    ) -> DraftRecord | None:
        return self.drafts.find_replay(request, requested_by=requested_by, idempotency_key=idempotency_key)

    def get_draft(self, draft_id: str) -> DraftRecord:
        return self.drafts.get(draft_id)

    # --- decisions ---------------------------------------------------------------------------------
    def approve(
        self,
        draft_id: str,
        *,
        version: int,
        text: str | None = None,
        principal: Principal,
        actions: list[ActionChoice] | None = None,
    ) -> DraftRecord:
        return self.decisions.approve(
            draft_id, version=version, text=text, principal=principal, actions=actions
        )

    def check_text(self, draft_id: str, text: str) -> ComplianceResult:
        return self.decisions.check_text(draft_id, text)

    def reject(self, draft_id: str, *, version: int, reason: str, principal: Principal) -> DraftRecord:
        return self.decisions.reject(draft_id, version=version, reason=reason, principal=principal)

    def regenerate(self, draft_id: str, *, version: int, principal: Principal) -> DraftRecord:
        return self.decisions.regenerate(draft_id, version=version, principal=principal)

    def withdraw(
        self, draft_id: str, *, version: int, reason: str | None = None, principal: Principal
    ) -> DraftRecord:
        return self.decisions.withdraw(draft_id, version=version, reason=reason, principal=principal)

    # --- sending -----------------------------------------------------------------------------------
    def send(self, draft_id: str, *, principal: Principal) -> SendResult:
        return self.sender.send(draft_id, principal=principal)

    # --- queue and audit ---------------------------------------------------------------------------
    def list_reviews(
        self,
        status: str | None = None,
        verdict: str | None = None,
        stale: bool | None = None,
        limit: int = 50,
        cursor: str | None = None,
        order: str = "newest",
        *,
        created_before: datetime | None = None,
    ) -> Page[DraftRecord]:
        return self.queries.list_reviews(
            status, verdict, stale, limit, cursor, order, created_before=created_before
        )

    def queue_counts(self) -> dict[str, int]:
        return self.queries.queue_counts()

    def audit(self, draft_id: str) -> list[AuditEntry]:
        return self.queries.audit(draft_id)

    # --- stats and outbox --------------------------------------------------------------------------
    def stats(self, days: int = 30) -> Stats:
        now = self.clock()
        result = stats.compute(self.db, days, now)
        counts = self.outbox.counts()
        result.outbox = {status: counts.get(status, 0) for status in OUTBOX_STATUSES}
        result.acceptance = kpis.compute_acceptance(self.db, days, now, self.settings.kpi_small_edit)
        return result

    def requeue_outbox(self, outbox_id: str, *, principal: Principal | None, note: str = "") -> OutboxItem:
        """Put a dead letter back in the delivery queue (ops, once the webhook is fixed)."""
        requeued = self.outbox.requeue(outbox_id, principal, note)
        self._notify_delivery()
        return requeued

    def ack_outbox(self, outbox_id: str, *, principal: Principal) -> OutboxItem:
        """The helpdesk's acknowledgement (pull queue), or ops settling a dead letter; refused for a
        pending item while a webhook is configured (the webhook delivers it)."""
        return self.outbox.ack(outbox_id, principal, webhook=bool(self.settings.webhook_url))

    def _notify_delivery(self) -> None:
        if self._delivery is not None:
            self._delivery.notify()

    def start_delivery(self, **options: Any) -> WebhookDelivery | None:
        """Start the webhook worker thread when a webhook is configured (the app does this at start-up)."""
        if self._delivery is None:
            if self.outbox_metrics is not None:
                options.setdefault("on_dead", self.outbox_metrics.dead_letter)
            self._delivery = WebhookDelivery.from_settings(self.settings, self.outbox, self.clock, **options)
            if self._delivery is not None:
                self._delivery.start()
        return self._delivery

    def stop_delivery(self) -> None:
        if self._delivery is not None:
            self._delivery.close()
            self._delivery = None

    # --- store actions -----------------------------------------------------------------------------
    def list_actions(
        self, *, status: str | None = None, draft_id: str | None = None, limit: int = 50
    ) -> list[StoreActionItem]:
        return self.actions.list(status=status, draft_id=draft_id, limit=limit)

    def requeue_action(
        self, action_id: str, *, principal: Principal | None, note: str = ""
    ) -> StoreActionItem:
        """Put a failed store action back in the queue (ops, once the cause is fixed)."""
        requeued = self.actions.requeue(action_id, principal, note)
        self._notify_actions()
        return requeued

    def _notify_actions(self) -> None:
        if self._runner is not None:
            self._runner.notify()

    def start_actions(self, **options: Any) -> ActionRunner | None:
        """Start the store-action worker when a connector is configured (the app does this at start-up)."""
        if self._runner is None:
            connector = self.store()
            if connector is None:
                return None
            self._runner = ActionRunner(self.actions, connector, clock=self.clock, **options).start()
        return self._runner

    def stop_actions(self) -> None:
        if self._runner is not None:
            self._runner.close()
            self._runner = None

    def close(self) -> None:
        self.stop_delivery()
        self.stop_actions()

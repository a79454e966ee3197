"""Draft endpoints: create (plain or streamed as Server-Sent Events) and read.

Routes stay thin: the pipeline drafts, the review service stores. A streamed draft is stored, and becomes
reviewable, only after its whole text has passed through the compliance filter.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from contextlib import ExitStack
from typing import Annotated, Any

from fastapi import APIRouter, Header
from sse_starlette import EventSourceResponse, ServerSentEvent

from service.api.auth import Principal, Role, principal_dep
from service.api.deps import ContainerDep
from service.api.responses import AUTHENTICATED, errors
from service.drafting.models import DraftRecord, DraftRequest
from service.drafting.pipeline import Delta, Final, Reset, StreamEvent
from service.errors import ErrorCode, ReplydraftError

log = logging.getLogger("replydraft.api.drafts")

router = APIRouter(prefix="/v1/drafts", tags=["drafts"], responses=AUTHENTICATED)

IdempotencyKey = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        max_length=200,
        description="Retries with the same key return the draft created first, instead of a new one.",
    ),
]

_STREAM_DOC = (
    'With `stream: true` the answer is `text/event-stream`: `delta` events (`{"text": ...}`) as the model '
    'writes, a `reset` event (`{"reason": ...}`) when the model failed mid-way and a fallback draft '
    "follows (discard the text shown so far), then one `draft` event with the stored draft record, whose "
    "`text` is authoritative (invalid citation markers removed). An `error` event ends a stream that "
    "could not be stored."
)


@router.post(
    "",
    status_code=201,
    response_model=DraftRecord,
    summary="Draft a reply to a customer message (stored as pending review)",
    description=_STREAM_DOC,
    responses={201: {"content": {"text/event-stream": {}}}, **errors(409)},
)
def create_draft(
    body: DraftRequest,
    container: ContainerDep,
    caller: principal_dep(Role.AGENT, Role.REVIEWER),  # type: ignore[valid-type]
    idempotency_key: IdempotencyKey = None,
) -> Any:
    # A retry with a known Idempotency-Key answers with the stored draft without drafting again: the
    # model call is the slow, costly part, and the client is retrying because it lost the first answer.
    replay = container.reviews.find_replay(body, requested_by=caller, idempotency_key=idempotency_key)
    if replay is not None:
        if body.stream:
            return EventSourceResponse(
                iter([ServerSentEvent(replay.model_dump_json(), event="draft")]),
                status_code=201,
                headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"},
            )
        return replay
    pipeline = container.drafter
    # The key's draft rate and one of its concurrent-draft slots; a streamed draft holds its slot until
    # the stream ends.
    slot = ExitStack()
    slot.enter_context(container.limiter.drafting(caller.key_id))
    if body.stream:
        with slot:
            events = pipeline.stream(body)  # validation and retrieval errors raise here, as JSON errors
            held = slot.pop_all()
        return EventSourceResponse(
            _sse(events, container.reviews, caller, idempotency_key, held),
            status_code=201,
            headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"},
        )
    with slot:
        generated = pipeline.generate(body)
        return container.reviews.create_draft(generated, requested_by=caller, idempotency_key=idempotency_key)


@router.get("/{draft_id}", response_model=DraftRecord, summary="Read one draft", responses=errors(404))
def get_draft(
    draft_id: str,
    container: ContainerDep,
    _: principal_dep(Role.AGENT, Role.REVIEWER, Role.QA),  # type: ignore[valid-type]
) -> DraftRecord:
    record: DraftRecord = container.reviews.get_draft(draft_id)
    return record


def _data(payload: Any) -> str:
    return json.dumps(payload, ensure_ascii=False)


def _sse(
    events: Iterator[StreamEvent],
    reviews: Any,
    caller: Principal,
    idempotency_key: str | None,
    slot: ExitStack,
) -> Iterator[ServerSentEvent]:
    try:
        for event in events:
            if isinstance(event, Delta):
                yield ServerSentEvent(_data({"text": event.text}), event="delta")
            elif isinstance(event, Reset):
                yield ServerSentEvent(_data({"reason": event.reason}), event="reset")
            elif isinstance(event, Final):
                record = reviews.create_draft(
                    event.draft, requested_by=caller, idempotency_key=idempotency_key
                )
                yield ServerSentEvent(record.model_dump_json(), event="draft")
    except ReplydraftError as exc:
        yield ServerSentEvent(_data({"error": exc.to_dict()}), event="error")
    except Exception:
        log.exception("streamed draft failed")
        err = ReplydraftError(ErrorCode.INTERNAL, "the draft could not be completed")
        yield ServerSentEvent(_data({"error": err.to_dict()}), event="error")
    finally:
        close = getattr(events, "close", None)
        if callable(close):
            close()
        slot.close()

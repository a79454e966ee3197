"""The draft lifecycle as data: which action moves a draft from which state to which.

pending_review -> approved | rejected | superseded (regenerated); approved -> sent, or back to
pending_review when the approval is withdrawn before sending. Everything else is refused, whoever asks.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from service.errors import ErrorCode, ReplydraftError


class Status(StrEnum):
    PENDING = "pending_review"
    APPROVED = "approved"
    REJECTED = "rejected"
    SUPERSEDED = "superseded"
    SENT = "sent"


class Action(StrEnum):
    APPROVE = "approve"
    REJECT = "reject"
    REGENERATE = "regenerate"
    SEND = "send"
    WITHDRAW = "withdraw"


TRANSITIONS: dict[tuple[Status, Action], Status] = {
    (Status.PENDING, Action.APPROVE): Status.APPROVED,
    (Status.PENDING, Action.REJECT): Status.REJECTED,
    (Status.PENDING, Action.REGENERATE): Status.SUPERSEDED,
    (Status.APPROVED, Action.SEND): Status.SENT,
    (Status.APPROVED, Action.WITHDRAW): Status.PENDING,
}

FINAL = frozenset({Status.REJECTED, Status.SUPERSEDED, Status.SENT})


def allowed_actions(status: str) -> list[Action]:
    return [action for (state, action) in TRANSITIONS if state == status]


def target(status: str, action: Action, *, current: dict[str, Any] | None = None) -> Status:
    """The state ``action`` leads to from ``status``, or a CONFLICT naming the current state."""
    try:
        return TRANSITIONS[(Status(status), action)]
    except (KeyError, ValueError):
        allowed = ", ".join(a.value for a in allowed_actions(status)) or "nothing (final state)"
        raise ReplydraftError(
            ErrorCode.CONFLICT,
            f"cannot {action.value} a draft that is {status}; allowed now: {allowed}",
            status=status,
            current=current,
        ) from None

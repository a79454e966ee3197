"""Which role may see and do what in the console.

These sets mirror the API's route dependencies (service/api/drafts.py, reviews.py, stats.py), so the
console never offers an action the API would refuse; the review service still enforces its own rules
(state, version, four-eyes) on every call, and the console shows its refusals.
"""

from __future__ import annotations

from service.review.principal import Principal, Role

READ_ROLES = frozenset({Role.AGENT, Role.REVIEWER, Role.QA, Role.ADMIN})  # GET /v1/drafts/{id}, reviews
ACT_ROLES = frozenset({Role.REVIEWER, Role.ADMIN})  # approve, reject, regenerate, send, withdraw
AUDIT_ROLES = frozenset({Role.REVIEWER, Role.QA, Role.ADMIN})  # GET /v1/drafts/{id}/audit
STATS_ROLES = frozenset({Role.REVIEWER, Role.QA, Role.ADMIN})  # GET /v1/stats
CHECK_ROLES = frozenset({Role.AGENT, Role.REVIEWER, Role.QA, Role.ADMIN})  # POST /v1/compliance/check

# action -> draft states in which the state machine accepts it
ACTION_STATES: dict[str, frozenset[str]] = {
    "approve": frozenset({"pending_review"}),
    "reject": frozenset({"pending_review"}),
    "regenerate": frozenset({"pending_review"}),
    "send": frozenset({"approved"}),
    "withdraw": frozenset({"approved"}),
}


def can_read(principal: Principal) -> bool:
    return principal.role in READ_ROLES


def can_act(principal: Principal) -> bool:
    return principal.role in ACT_ROLES


def can_read_audit(principal: Principal) -> bool:
    return principal.role in AUDIT_ROLES


def can_see_stats(principal: Principal) -> bool:
    return principal.role in STATS_ROLES


def can_check(principal: Principal) -> bool:
    return principal.role in CHECK_ROLES


def actions(principal: Principal, status: str) -> list[str]:
    """Buttons to show: the role's actions that the draft's current state accepts, in display order."""
    if not can_act(principal):
        return []
    return [name for name, states in ACTION_STATES.items() if status in states]

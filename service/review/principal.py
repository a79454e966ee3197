"""Who acts: an authenticated key's id, name and role.

A domain concept (the review rules, audit and keys all need it), so it lives here; the API layer turns a
request's key into one (service.api.auth re-exports both names for its callers).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Role(StrEnum):
    AGENT = "agent"  # create and read drafts
    REVIEWER = "reviewer"  # approve, edit, reject, regenerate, send
    OPS = "ops"  # reindex, index status
    QA = "qa"  # read everything, run checks
    ADMIN = "admin"  # keys; and everything else


@dataclass(frozen=True)
class Principal:
    key_id: str
    name: str
    role: Role

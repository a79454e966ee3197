"""What a draft carries from the store's systems: the look-ups made and the actions proposed."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

LookupStatus = Literal["ok", "not_found", "unavailable"]
# Of the draft as a whole: none asked (no customer or no connector), all answered, some or all failed.
LookupsStatus = Literal["not_requested", "ok", "partial", "unavailable"]
MAX_PROPOSALS = 10


class Lookup(BaseModel):
    model_config = ConfigDict(extra="forbid")
    kind: Literal["customer", "orders", "shipment", "invoice", "appointments", "cashback", "product"]
    order_id: str | None = None
    product_id: str | None = None
    status: LookupStatus
    source_id: str | None = None  # the citation id of the facts it gave, e.g. "order:313021098954"


class ProposedAction(BaseModel):
    """An action in the connector's vocabulary; it runs only if a reviewer approves it as shown."""

    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=2, max_length=64, pattern=r"^[a-z][a-z0-9_]{1,63}$")
    arguments: dict[str, Any] = Field(default_factory=dict, max_length=20)
    reason: str = Field("", max_length=500)
    allowed: bool = Field(description="Whether the store policy allows it; only allowed actions can run.")
    policy: str = Field("ok", max_length=64, description="The policy's decision code ('ok', 'status', ...).")


class StoreFindings(BaseModel):
    model_config = ConfigDict(extra="forbid")
    customer_id: str | None = None
    order_ids: list[str] = Field(default_factory=list)  # the orders the message was taken to be about
    lookups: list[Lookup] = Field(default_factory=list)
    lookups_status: LookupsStatus = "not_requested"
    proposed_actions: list[ProposedAction] = Field(default_factory=list, max_length=MAX_PROPOSALS)


ActionDecision = Literal["proposed", "approved", "dropped"]


class ActionState(ProposedAction):
    """A proposed action as stored with its draft: the reviewer's decision and approved arguments."""

    id: str = Field(max_length=16, description="Its position in the draft ('1', '2', ...).")
    decision: ActionDecision = "proposed"
    approved_arguments: dict[str, Any] | None = None

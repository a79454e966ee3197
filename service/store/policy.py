"""Eligibility of an action on an order, decided by code from the store's policy settings.

A store states its rules as settings (:class:`StorePolicy`, a YAML file named by
``REPLYDRAFT_STORE_POLICY_FILE``): in which order statuses each action is allowed, the return window
counted from delivery, whether an exchange target must be on the product's exchange list and on sale, and
which payment methods are store credit (a cancelled or returned order paid that way is refunded to it).
The defaults are a common shop's rules; nothing here names one shop's statuses or products.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field

from service.connectors.models import Customer, Order, OrderStatus, Product
from service.errors import ErrorCode, ReplydraftError

BEFORE_SHIPPING: list[OrderStatus] = ["pending_payment", "paid", "processing"]
NOT_CANCELLED: list[OrderStatus] = ["paid", "processing", "shipped", "delivered"]


def _statuses(*values: OrderStatus) -> Any:
    """A default_factory for a status list (a fresh list per instance)."""
    return lambda: list(values)


class StorePolicy(BaseModel):
    """The rules actions are checked against (docs/configuration.md, "Store policy file")."""

    model_config = ConfigDict(extra="forbid")
    cancel_statuses: list[OrderStatus] = Field(default_factory=_statuses(*BEFORE_SHIPPING))
    modify_statuses: list[OrderStatus] = Field(default_factory=_statuses(*BEFORE_SHIPPING))
    return_statuses: list[OrderStatus] = Field(default_factory=_statuses("delivered"))
    return_window_days: int | None = Field(
        7, ge=0, le=3650, description="Days after delivery a return may be asked for; null = no limit."
    )
    exchange_statuses: list[OrderStatus] = Field(default_factory=_statuses(*BEFORE_SHIPPING))
    exchange_listed_only: bool = Field(True, description="The target must be on the exchange list, on sale.")
    expedite_statuses: list[OrderStatus] = Field(default_factory=_statuses("paid", "processing", "shipped"))
    invoice_statuses: list[OrderStatus] = Field(default_factory=_statuses(*NOT_CANCELLED))
    service_statuses: list[OrderStatus] = Field(default_factory=_statuses(*NOT_CANCELLED))
    cashback_statuses: list[OrderStatus] = Field(default_factory=_statuses("delivered"))
    store_credit_label: str = Field(
        "e-card", max_length=64, description="The payment method written on an order paid with store credit."
    )
    store_credit_methods: list[str] = Field(
        default_factory=lambda: ["电子卡", "E卡", "e-card", "ecard", "gift card", "store credit"],
        description="Payment methods (substring, case-insensitive) refunded to the customer's balance.",
    )

    @classmethod
    def load(cls, path: Path | None) -> StorePolicy:
        if path is None:
            return cls()
        try:
            data: Any = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
            return cls.model_validate(data)
        except (OSError, yaml.YAMLError, ValueError) as exc:
            raise ReplydraftError(ErrorCode.CONFIG, f"store policy file {path}: {exc}") from exc

    def store_credit(self, payment_method: str | None) -> bool:
        method = (payment_method or "").lower()
        return bool(method) and any(m.lower() in method for m in self.store_credit_methods)


@dataclass(frozen=True)
class Decision:
    allowed: bool
    code: str  # machine-readable: "ok", "status", "window", "not_exchangeable", ...
    detail: str  # one English sentence for the reviewer


OK = Decision(True, "ok", "allowed by the store policy")


def _parse_time(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("/", "-"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _status(order: Order, allowed: list[OrderStatus], what: str) -> Decision:
    if order.status in allowed:
        return OK
    return Decision(False, "status", f"{what} is not allowed while the order is '{order.status_label}'")


def decide(
    policy: StorePolicy,
    name: str,
    arguments: dict[str, Any],
    *,
    order: Order | None,
    customer: Customer | None,
    products: dict[str, Product | None],
    now: datetime | None = None,
) -> Decision:
    """Whether ``name`` with ``arguments`` may be proposed for ``order`` under ``policy``."""
    verb = str(arguments.get("action") or "")
    if name == "manage_order" and verb == "增加":
        return _create(policy, arguments, customer, products)
    if name == "manage_ecard":
        return OK  # a refund or a payment follows from an allowed cancel, return or order
    if order is None:
        if name == "schedule_service" and arguments.get("order_id"):
            return OK  # an order the conversation just created (not yet visible to a look-up)
        return Decision(False, "no_order", "the order could not be identified among the customer's orders")
    if name == "manage_order" and verb == "取消":
        return _status(order, policy.cancel_statuses, "cancelling")
    if name == "manage_order" and verb == "修改":
        return _status(order, policy.modify_statuses, "changing the address or phone")
    if name == "manage_urgent":
        if order.urgent:
            return Decision(False, "already", "the order is already expedited")
        return _status(order, policy.expedite_statuses, "expediting")
    if name == "manage_return":
        decision = _status(order, policy.return_statuses, "a return")
        if not decision.allowed or policy.return_window_days is None:
            return decision
        delivered = _parse_time(order.delivered_at)
        if delivered is None:
            return Decision(
                False, "window", "the delivery date is unknown, so the return window cannot be checked"
            )
        limit = delivered + timedelta(days=policy.return_window_days)
        if (now or datetime.now(UTC)) > limit:
            return Decision(False, "window", f"the {policy.return_window_days}-day return window ended")
        return OK
    if name == "manage_exchange":
        decision = _status(order, policy.exchange_statuses, "an exchange")
        if not decision.allowed:
            return decision
        original = products.get(str(arguments.get("original_product_id")))
        target = str(arguments.get("exchange_product_id") or "")
        if policy.exchange_listed_only:
            options = {o.product_id: o for o in (original.exchange_options if original else [])}
            if target not in options:
                return Decision(False, "not_exchangeable", f"{target} is not on the product's exchange list")
            if not options[target].listed:
                return Decision(False, "not_listed", f"{target} is not on sale")
        return OK
    if name == "manage_invoice":
        return _status(order, policy.invoice_statuses, "an invoice")
    if name == "schedule_service":
        return _status(order, policy.service_statuses, "booking a visit")
    if name == "register_cashback_by_review":
        return _status(order, policy.cashback_statuses, "cash-back")
    return Decision(False, "unknown_action", f"{name} is not an action this policy knows")


def _create(
    policy: StorePolicy,
    arguments: dict[str, Any],
    customer: Customer | None,
    products: dict[str, Product | None],
) -> Decision:
    total = 0.0
    for line in arguments.get("product_info_list") or []:
        product = products.get(str(line.get("product_id")))
        if product is None:
            return Decision(False, "unknown_product", f"product {line.get('product_id')} is unknown")
        if not product.listed:
            return Decision(False, "not_listed", f"{product.product_id} is not on sale")
        total += (product.price or 0.0) * int(line.get("quantity") or 1)
    if policy.store_credit(str(arguments.get("payment") or "")):
        balance = customer.ecard_balance if customer else None
        if balance is None or balance < total:
            return Decision(False, "balance", f"the store-credit balance does not cover {total:g}")
    return OK

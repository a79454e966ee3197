"""The connector contract's shapes: what a store's system answers and what an action asks of it.

Statuses are canonical (``OrderStatus``) so policy code works for any store; the store's own word is kept
in ``status_label`` for the reply. Every list and string is bounded: a connector is an external input.
"""

from __future__ import annotations

import re
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

OrderStatus = Literal[
    "pending_payment", "paid", "processing", "shipped", "delivered", "cancelled", "returned", "unknown"
]
ActionName = str  # checked against ACTION_NAME below; stores may add their own verbs
ACTION_NAME = re.compile(r"^[a-z][a-z0-9_]{1,63}$")
MAX_ITEMS = 200
MAX_TEXT = 500
MAX_ARGUMENTS = 20


class _Model(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


class Address(_Model):
    name: str | None = Field(None, max_length=MAX_TEXT)
    phone: str | None = Field(None, max_length=64)
    country: str | None = Field(None, max_length=MAX_TEXT)
    region: str | None = Field(None, max_length=MAX_TEXT)
    city: str | None = Field(None, max_length=MAX_TEXT)
    district: str | None = Field(None, max_length=MAX_TEXT)
    street: str | None = Field(None, max_length=MAX_TEXT)


class Customer(_Model):
    customer_id: str = Field(max_length=128)
    name: str | None = Field(None, max_length=MAX_TEXT)
    phone: str | None = Field(None, max_length=64)
    ecard_balance: float | None = Field(None, description="Store-credit (gift/e-card) balance, if any.")
    address: Address | None = None


class OrderItem(_Model):
    product_id: str = Field(max_length=128)
    unit_price: float | None = None
    quantity: int = Field(1, ge=0, le=100_000)


class Order(_Model):
    order_id: str = Field(max_length=128)
    customer_id: str = Field(max_length=128)
    status: OrderStatus
    status_label: str = Field(max_length=64, description="The store's own word for the status.")
    total: float | None = None
    urgent: bool = False
    items: list[OrderItem] = Field(default_factory=list, max_length=MAX_ITEMS)
    address: Address | None = None
    payment_method: str | None = Field(None, max_length=64)
    placed_at: str | None = Field(None, max_length=64)
    delivered_at: str | None = Field(None, max_length=64, description="ISO date-time of delivery.")


class TrackingEvent(_Model):
    time: str | None = Field(None, max_length=64)
    status: str | None = Field(None, max_length=MAX_TEXT)
    location: str | None = Field(None, max_length=MAX_TEXT)
    description: str | None = Field(None, max_length=MAX_TEXT)


class Shipment(_Model):
    order_id: str = Field(max_length=128)
    carrier: str | None = Field(None, max_length=MAX_TEXT)
    tracking_number: str | None = Field(None, max_length=128)
    eta: str | None = Field(None, max_length=64)
    delivered_at: str | None = Field(None, max_length=64)
    events: list[TrackingEvent] = Field(default_factory=list, max_length=MAX_ITEMS)


class Invoice(_Model):
    order_id: str = Field(max_length=128)
    invoice_type: str | None = Field(None, max_length=MAX_TEXT)
    title: str | None = Field(None, max_length=MAX_TEXT)
    phone: str | None = Field(None, max_length=64)


class Appointment(_Model):
    order_id: str = Field(max_length=128)
    service_type: str | None = Field(None, max_length=MAX_TEXT)
    time: str | None = Field(None, max_length=MAX_TEXT)
    name: str | None = Field(None, max_length=MAX_TEXT)
    phone: str | None = Field(None, max_length=64)


class Cashback(_Model):
    order_id: str = Field(max_length=128)
    registered: bool


class ExchangeOption(_Model):
    product_id: str = Field(max_length=128)
    name: str | None = Field(None, max_length=MAX_TEXT)
    listed: bool = True


class Product(_Model):
    """A product as the order system sees it: sellable or not, and what it may be exchanged for."""

    product_id: str = Field(max_length=128)
    name: str | None = Field(None, max_length=MAX_TEXT)
    price: float | None = None
    listed: bool = True
    status_label: str | None = Field(None, max_length=64)
    exchange_options: list[ExchangeOption] = Field(default_factory=list, max_length=MAX_ITEMS)


class Orders(_Model):
    orders: list[Order] = Field(default_factory=list, max_length=1000)


class Appointments(_Model):
    appointments: list[Appointment] = Field(default_factory=list, max_length=MAX_ITEMS)


ArgValue = str | int | float | bool | None | list[Any] | dict[str, Any]


class ActionCall(BaseModel):
    """One action in the connector's vocabulary, with the arguments a reviewer approved."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    name: str = Field(min_length=2, max_length=64, pattern=ACTION_NAME.pattern)
    customer_id: str = Field(min_length=1, max_length=128)
    arguments: dict[str, ArgValue] = Field(default_factory=dict, max_length=MAX_ARGUMENTS)

    @field_validator("arguments")
    @classmethod
    def _bounded(cls, value: dict[str, ArgValue]) -> dict[str, ArgValue]:
        import json

        if len(json.dumps(value, ensure_ascii=False)) > 4000:
            raise ValueError("arguments too large (more than 4000 characters as JSON)")
        return value


class ActionResult(_Model):
    ok: bool
    message: str = Field("", max_length=2000)
    data: dict[str, Any] = Field(default_factory=dict)

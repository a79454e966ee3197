"""The interface every store-system adapter implements, and the errors callers must handle.

Look-ups return ``None`` (or an empty list) for "no such thing"; a system that cannot answer raises
:class:`ConnectorUnavailable` so a draft is marked rather than invented. ``perform`` takes an idempotency
key: an adapter must return the first result for a key it has seen, which is what lets the outbox retry an
action after a crash without running it twice.
"""

from __future__ import annotations

from typing import Protocol, runtime_checkable

from service.connectors.models import (
    ActionCall,
    ActionResult,
    Appointment,
    Cashback,
    Customer,
    Invoice,
    Order,
    Product,
    Shipment,
)


class ConnectorError(Exception):
    """Base of connector failures."""


class ConnectorUnavailable(ConnectorError):
    """The system did not answer (down, timed out, 5xx): worth retrying later."""


class ActionRefused(ConnectorError):
    """The system answered and refused the action for good (unknown order, invalid arguments)."""


@runtime_checkable
class StoreConnector(Protocol):
    name: str

    def customer(self, customer_id: str) -> Customer | None: ...

    def orders(self, customer_id: str) -> list[Order]: ...

    def shipment(self, customer_id: str, order_id: str) -> Shipment | None: ...

    def invoice(self, customer_id: str, order_id: str) -> Invoice | None: ...

    def appointments(self, customer_id: str, order_id: str) -> list[Appointment]: ...

    def cashback(self, customer_id: str, order_id: str) -> Cashback | None: ...

    def product(self, product_id: str) -> Product | None: ...

    def perform(self, call: ActionCall, *, key: str) -> ActionResult: ...

    def close(self) -> None: ...

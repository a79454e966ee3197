"""The connector contract as a FastAPI app over any :class:`StoreConnector`.

This is the reference a store implements in front of its ERP or platform API (``docs/connectors.md``);
``docs/connector-openapi.json`` is generated from it, and the HTTP adapter is tested against it serving the
file-backed adapter, so both adapters answer the same contract.
"""

from __future__ import annotations

import hmac
from typing import Annotated, Any, TypeVar

from fastapi import Depends, FastAPI, Header, HTTPException, Request
from fastapi.responses import JSONResponse

from service.connectors.base import ActionRefused, ConnectorUnavailable, StoreConnector
from service.connectors.models import (
    ActionCall,
    ActionResult,
    Appointments,
    Cashback,
    Customer,
    Invoice,
    Orders,
    Product,
    Shipment,
)

VERSION = "1.0"
T = TypeVar("T")
NOT_FOUND: dict[int | str, dict[str, Any]] = {
    404: {"description": "No such customer, order (of this customer) or record."}
}


def build_app(connector: StoreConnector, *, token: str | None = None) -> FastAPI:
    app = FastAPI(
        title="replydraft store connector contract",
        version=VERSION,
        description="What replydraft asks of a store's order system. Look-ups are GETs that answer 404 for "
        "'no such record'; actions are POSTs with an Idempotency-Key header, and a repeated key must "
        "return the first result without acting again. Any 5xx or timeout is retried by the caller.",
    )

    def auth(authorization: Annotated[str | None, Header()] = None) -> None:
        if token is None:
            return
        given = (authorization or "").removeprefix("Bearer ").strip()
        if not hmac.compare_digest(given.encode(), token.encode()):
            raise HTTPException(401, "missing or wrong bearer token")

    @app.exception_handler(ConnectorUnavailable)
    async def _down(_: Request, exc: ConnectorUnavailable) -> JSONResponse:
        return JSONResponse({"detail": str(exc)}, status_code=503)

    def found(value: T | None) -> T:
        if value is None:
            raise HTTPException(404, "not found")
        return value

    guard = [Depends(auth)]

    @app.get("/v1/customers/{customer_id}", response_model=Customer, responses=NOT_FOUND, dependencies=guard)
    def customer(customer_id: str) -> Customer:
        return found(connector.customer(customer_id))

    @app.get("/v1/customers/{customer_id}/orders", response_model=Orders, dependencies=guard)
    def orders(customer_id: str) -> Orders:
        return Orders(orders=connector.orders(customer_id))

    @app.get(
        "/v1/customers/{customer_id}/orders/{order_id}/shipment",
        response_model=Shipment,
        responses=NOT_FOUND,
        dependencies=guard,
    )
    def shipment(customer_id: str, order_id: str) -> Shipment:
        return found(connector.shipment(customer_id, order_id))

    @app.get(
        "/v1/customers/{customer_id}/orders/{order_id}/invoice",
        response_model=Invoice,
        responses=NOT_FOUND,
        dependencies=guard,
    )
    def invoice(customer_id: str, order_id: str) -> Invoice:
        return found(connector.invoice(customer_id, order_id))

    @app.get(
        "/v1/customers/{customer_id}/orders/{order_id}/appointments",
        response_model=Appointments,
        dependencies=guard,
    )
    def appointments(customer_id: str, order_id: str) -> Appointments:
        return Appointments(appointments=connector.appointments(customer_id, order_id))

    @app.get(
        "/v1/customers/{customer_id}/orders/{order_id}/cashback",
        response_model=Cashback,
        responses=NOT_FOUND,
        dependencies=guard,
    )
    def cashback(customer_id: str, order_id: str) -> Cashback:
        return found(connector.cashback(customer_id, order_id))

    @app.get("/v1/products/{product_id}", response_model=Product, responses=NOT_FOUND, dependencies=guard)
    def product(product_id: str) -> Product:
        return found(connector.product(product_id))

    @app.post(
        "/v1/actions",
        response_model=ActionResult,
        responses={422: {"description": "The action is refused for good (do not retry)."}},
        dependencies=guard,
    )
    def perform(
        call: ActionCall,
        idempotency_key: Annotated[str, Header(alias="Idempotency-Key", min_length=1, max_length=200)],
    ) -> ActionResult:
        try:
            return connector.perform(call, key=idempotency_key)
        except ActionRefused as exc:
            raise HTTPException(422, str(exc)) from exc

    return app

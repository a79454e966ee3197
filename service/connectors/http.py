"""The HTTP JSON adapter: the connector contract (``docs/connector-openapi.json``) over httpx.

Timeouts are short because a draft waits for the answer; a timeout, a connection error, a 429 or a 5xx is
retried with a short backoff and then raised as :class:`ConnectorUnavailable`. Actions are retried the same
way: the Idempotency-Key makes a retried POST safe. A 4xx answer to an action is a refusal for good.
"""

from __future__ import annotations

import time
from typing import Any, TypeVar
from urllib.parse import quote

import httpx
from pydantic import BaseModel

from service.connectors.base import ActionRefused, ConnectorUnavailable
from service.connectors.models import (
    ActionCall,
    ActionResult,
    Appointment,
    Appointments,
    Cashback,
    Customer,
    Invoice,
    Order,
    Orders,
    Product,
    Shipment,
)

M = TypeVar("M", bound=BaseModel)
RETRYABLE = {408, 429, 500, 502, 503, 504}
MAX_BODY_BYTES = 5_000_000


def _q(value: str) -> str:
    return quote(value, safe="")


class HttpConnector:
    name = "http"

    def __init__(
        self,
        base_url: str,
        *,
        token: str | None = None,
        timeout_s: float = 2.0,
        retries: int = 1,
        backoff_s: float = 0.1,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        headers = {"Accept": "application/json"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        self.retries = retries
        self.backoff_s = backoff_s
        self._client = httpx.Client(
            base_url=base_url.rstrip("/"),
            headers=headers,
            timeout=httpx.Timeout(timeout_s),
            transport=transport,
        )

    def _send(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        last = ""
        for attempt in range(self.retries + 1):
            if attempt:
                time.sleep(self.backoff_s * (2 ** (attempt - 1)))
            try:
                response = self._client.request(method, path, **kwargs)
            except httpx.TimeoutException:
                last = "timed out"
                continue
            except httpx.TransportError as exc:
                last = f"unreachable ({type(exc).__name__})"
                continue
            if response.status_code in RETRYABLE:
                last = f"answered {response.status_code}"
                continue
            if len(response.content) > MAX_BODY_BYTES:
                raise ConnectorUnavailable(f"{path}: answer larger than {MAX_BODY_BYTES} bytes")
            return response
        raise ConnectorUnavailable(f"store system {method} {path} {last}")

    def _get(self, path: str, model: type[M]) -> M | None:
        response = self._send("GET", path)
        if response.status_code == 404:
            return None
        if response.status_code != 200:
            raise ConnectorUnavailable(f"GET {path} answered {response.status_code}")
        try:
            return model.model_validate_json(response.content)
        except ValueError as exc:
            raise ConnectorUnavailable(f"GET {path}: answer does not follow the contract: {exc}") from exc

    def customer(self, customer_id: str) -> Customer | None:
        return self._get(f"/v1/customers/{_q(customer_id)}", Customer)

    def orders(self, customer_id: str) -> list[Order]:
        found = self._get(f"/v1/customers/{_q(customer_id)}/orders", Orders)
        return list(found.orders) if found else []

    def _order_path(self, customer_id: str, order_id: str, what: str) -> str:
        return f"/v1/customers/{_q(customer_id)}/orders/{_q(order_id)}/{what}"

    def shipment(self, customer_id: str, order_id: str) -> Shipment | None:
        return self._get(self._order_path(customer_id, order_id, "shipment"), Shipment)

    def invoice(self, customer_id: str, order_id: str) -> Invoice | None:
        return self._get(self._order_path(customer_id, order_id, "invoice"), Invoice)

    def appointments(self, customer_id: str, order_id: str) -> list[Appointment]:
        found = self._get(self._order_path(customer_id, order_id, "appointments"), Appointments)
        return list(found.appointments) if found else []

    def cashback(self, customer_id: str, order_id: str) -> Cashback | None:
        return self._get(self._order_path(customer_id, order_id, "cashback"), Cashback)

    def product(self, product_id: str) -> Product | None:
        return self._get(f"/v1/products/{_q(product_id)}", Product)

    def perform(self, call: ActionCall, *, key: str) -> ActionResult:
        response = self._send(
            "POST",
            "/v1/actions",
            content=call.model_dump_json(),
            headers={"Idempotency-Key": key, "Content-Type": "application/json"},
        )
        if 400 <= response.status_code < 500:
            detail = response.text[:500]
            raise ActionRefused(f"the store system refused {call.name}: {response.status_code} {detail}")
        if response.status_code != 200:
            raise ConnectorUnavailable(f"POST /v1/actions answered {response.status_code}")
        try:
            return ActionResult.model_validate_json(response.content)
        except ValueError as exc:
            raise ConnectorUnavailable(f"action answer does not follow the contract: {exc}") from exc

    def close(self) -> None:
        self._client.close()

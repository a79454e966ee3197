"""Store connectors: the file-backed adapter over a world-shaped folder (look-ups, actions in an overlay,
idempotency keys), and the HTTP adapter against a real local server serving the same folder over the
contract (same answers, timeouts, a server that is down, refusals, bearer token)."""

from __future__ import annotations

import json
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import uvicorn

from service.connectors.base import ActionRefused, ConnectorUnavailable, StoreConnector
from service.connectors.contract import build_app
from service.connectors.files import FileConnector
from service.connectors.http import HttpConnector
from service.connectors.models import ActionCall
from tests.conftest import REPO

DEMO = REPO / "demo" / "orders"


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Server:
    """The contract app over ``connector`` on loopback, in a thread (a real HTTP server)."""

    def __init__(self, connector: Any, token: str | None = None) -> None:
        self.port = _port()
        config = uvicorn.Config(
            build_app(connector, token=token),
            host="127.0.0.1",
            port=self.port,
            log_config=None,
            access_log=False,
        )
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)
        self.thread.start()
        deadline = time.monotonic() + 10
        while not self.server.started:
            assert time.monotonic() < deadline, "connector server did not start"
            time.sleep(0.02)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(5)


@pytest.fixture
def files(tmp_path: Path) -> FileConnector:
    return FileConnector(DEMO, state_dir=tmp_path / "state")


@pytest.fixture
def served(files: FileConnector) -> Iterator[Server]:
    server = Server(files)
    yield server
    server.stop()


def _both(files: FileConnector, served: Server) -> list[StoreConnector]:
    return [files, HttpConnector(served.url, timeout_s=2.0)]


def test_look_ups_answer_the_same_through_both_adapters(files: FileConnector, served: Server) -> None:
    answers = []
    for conn in _both(files, served):
        customer = conn.customer("demo-lin")
        orders = {o.order_id: o for o in conn.orders("demo-lin")}
        answers.append(
            (
                customer,
                orders,
                conn.shipment("demo-lin", "820001000102"),
                conn.invoice("demo-lin", "820001000102"),
                conn.cashback("demo-lin", "820001000102"),
                conn.appointments("demo-zhou", "820001000301"),
                conn.product("HM-KT-170"),
            )
        )
    assert answers[0] == answers[1]
    customer, orders, shipment, invoice, cashback, appointments, product = answers[0]
    assert customer is not None and customer.ecard_balance == 500
    assert orders["820001000101"].status == "paid" and orders["820001000101"].status_label == "已付款"
    assert orders["820001000102"].status == "delivered"
    assert orders["820001000102"].delivered_at == "2026-11-22 15:20:00"
    assert shipment is not None and shipment.tracking_number == "JDV0000000102"
    assert invoice is not None and invoice.invoice_type == "个人发票"
    assert cashback is not None and cashback.registered is False
    assert appointments[0].service_type == "安装"
    assert product is not None and [o.product_id for o in product.exchange_options] == [
        "HM-KT-170T",
        "HM-KT-150",
    ]


def test_another_customers_order_is_not_found(files: FileConnector, served: Server) -> None:
    for conn in _both(files, served):
        assert conn.customer("nobody") is None
        assert conn.orders("nobody") == []
        assert conn.shipment("demo-chen", "820001000102") is None  # demo-lin's order
        assert conn.cashback("demo-chen", "820001000102") is None


def test_actions_go_to_the_overlay_once_per_key_and_persist(tmp_path: Path) -> None:
    folder = tmp_path / "orders"
    shutil.copytree(DEMO, folder)
    before = (folder / "orders.json").read_bytes()
    conn = FileConnector(folder, state_dir=tmp_path / "state")
    call = ActionCall(
        name="manage_order", customer_id="demo-lin", arguments={"order_id": "820001000101", "action": "取消"}
    )
    first = conn.perform(call, key="k1")
    again = conn.perform(call, key="k1")
    assert first.ok and again == first
    assert {o.order_id: o.status for o in conn.orders("demo-lin")}["820001000101"] == "cancelled"
    assert (folder / "orders.json").read_bytes() == before  # the base folder is never written
    state = json.loads((tmp_path / "state" / "state.json").read_text(encoding="utf-8"))
    assert list(state["performed"]) == ["k1"]
    # A new process (a fresh adapter) sees the same state.
    reopened = FileConnector(folder, state_dir=tmp_path / "state")
    assert {o.order_id: o.status for o in reopened.orders("demo-lin")}["820001000101"] == "cancelled"
    refund = ActionCall(
        name="manage_ecard", customer_id="demo-lin", arguments={"action": "退款", "amount": 99}
    )
    reopened.perform(refund, key="k2")
    reopened.perform(refund, key="k2")
    customer = conn.customer("demo-lin")
    assert customer is not None and customer.ecard_balance == 599  # refunded once, not twice


def test_an_action_on_an_unknown_order_is_refused(files: FileConnector, served: Server) -> None:
    call = ActionCall(name="manage_urgent", customer_id="demo-chen", arguments={"order_id": "820001000101"})
    for conn in _both(files, served):
        with pytest.raises(ActionRefused):
            conn.perform(call, key="x")
    readonly = FileConnector(DEMO)
    with pytest.raises(ActionRefused, match="read-only"):
        readonly.perform(call, key="y")


def test_http_actions_are_idempotent_by_key(files: FileConnector, served: Server) -> None:
    conn = HttpConnector(served.url)
    call = ActionCall(name="manage_urgent", customer_id="demo-chen", arguments={"order_id": "820001000201"})
    assert conn.perform(call, key="same").ok
    assert conn.perform(call, key="same").ok
    state = json.loads((files.state_dir / "state.json").read_text(encoding="utf-8"))  # type: ignore[operator]
    assert list(state["performed"]) == ["same"]
    assert [o.urgent for o in files.orders("demo-chen")] == [True]


class Slow:
    """A connector that takes ``delay`` seconds to answer a look-up (a stuck ERP)."""

    name = "slow"

    def __init__(self, inner: FileConnector, delay: float) -> None:
        self.inner, self.delay, self.calls = inner, delay, 0

    def __getattr__(self, name: str) -> Any:
        target = getattr(self.inner, name)

        def slow(*args: Any, **kwargs: Any) -> Any:
            self.calls += 1
            time.sleep(self.delay)
            return target(*args, **kwargs)

        return slow


def test_a_slow_server_times_out_after_the_retries(files: FileConnector) -> None:
    slow = Slow(files, delay=1.0)
    server = Server(slow)
    try:
        conn = HttpConnector(server.url, timeout_s=0.2, retries=1, backoff_s=0.01)
        started = time.monotonic()
        with pytest.raises(ConnectorUnavailable, match="timed out"):
            conn.orders("demo-lin")
        assert time.monotonic() - started < 1.5
        assert slow.calls == 2  # one try and one retry
    finally:
        server.stop()


def test_a_down_server_is_unavailable_not_empty() -> None:
    conn = HttpConnector(f"http://127.0.0.1:{_port()}", timeout_s=0.5, retries=2, backoff_s=0.01)
    with pytest.raises(ConnectorUnavailable, match="unreachable"):
        conn.customer("demo-lin")
    with pytest.raises(ConnectorUnavailable):
        conn.perform(ActionCall(name="manage_urgent", customer_id="c", arguments={"order_id": "1"}), key="k")


def test_the_server_can_require_a_bearer_token(files: FileConnector) -> None:
    server = Server(files, token="s3cret")
    try:
        with pytest.raises(ConnectorUnavailable, match="401"):
            HttpConnector(server.url).customer("demo-lin")
        assert HttpConnector(server.url, token="s3cret").customer("demo-lin") is not None
    finally:
        server.stop()


def test_the_committed_contract_document_is_current() -> None:
    class _None:
        name = "none"

    generated = build_app(_None()).openapi()  # type: ignore[arg-type]
    committed = json.loads((REPO / "docs" / "connector-openapi.json").read_text(encoding="utf-8"))
    assert committed == generated

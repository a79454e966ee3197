"""A store's order system served from a folder of JSON files (the demo store, the benchmark's `world/`).

The folder holds ``orders.json``, ``logistics.json``, ``users_info.json``, ``invoices.json``,
``service.json`` and ``register_cashback.json`` in any nesting (platform -> shop -> customer -> order is
what ECom-Bench ships); records are found by their keys (Chinese or English, see ``KEYS``), so a store's
own export in another nesting works as well. Product sheets (for exchange options and sellability) come
from ``products.json`` in the folder or the files passed as ``products``.

Actions never touch the base folder: the result of every performed action is written to one overlay file
(``state.json`` in ``state_dir``) that holds the changed files and the results by idempotency key. It is
replaced atomically (write, fsync, rename) under a cross-process file lock, so a crash leaves either the
old or the new state, several processes (server, delivery worker) share it, and a repeated key returns the
first result instead of acting twice. Deleting the overlay resets the demo.
"""

from __future__ import annotations

import ast
import copy
import hashlib
import json
import os
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from filelock import FileLock

from service.connectors.base import ActionRefused, ConnectorUnavailable
from service.connectors.models import (
    ActionCall,
    ActionResult,
    Address,
    Appointment,
    Cashback,
    Customer,
    ExchangeOption,
    Invoice,
    Order,
    OrderItem,
    OrderStatus,
    Product,
    Shipment,
    TrackingEvent,
)
from service.knowledge.products import find_product_records, normalise_id, parse_price, role_of

FILES = ("orders.json", "logistics.json", "users_info.json", "invoices.json", "service.json")
CASHBACK_FILE = "register_cashback.json"
STATE_FILE = "state.json"
MAX_FILE_BYTES = 50_000_000

# Field names a record may use for each role (first match wins).
KEYS: dict[str, tuple[str, ...]] = {
    "order_id": ("订单ID", "order_id", "orderId"),
    "customer_id": ("用户ID", "user_id", "customer_id", "customerId"),
    "status": ("订单状态", "status", "order_status"),
    "total": ("订单总金额", "total", "amount", "order_total"),
    "urgent": ("是否加急", "urgent", "expedited"),
    "items": ("订单商品列表", "items", "line_items"),
    "address": ("收货地址", "shipping_address", "address"),
    "payment": ("支付方式", "payment_method", "payment"),
    "placed_at": ("下单时间", "created_at", "placed_at"),
    "product_id": ("商品ID", "product_id", "sku"),
    "unit_price": ("单价", "unit_price", "price"),
    "quantity": ("数量", "quantity", "qty"),
    "name": ("用户姓名", "收件人姓名", "姓名", "name"),
    "phone": ("电话号码", "收件人电话", "手机号", "phone", "phone_number"),
    "country": ("国家", "country"),
    "region": ("省份", "province", "region", "state"),
    "city": ("城市", "city"),
    "district": ("区县", "district"),
    "street": ("详细地址", "street", "address_line", "收件人地址"),
    "ecard": ("电子卡余额", "ecard_balance", "store_credit"),
    "customer_address": ("地址信息", "address"),
    "tracking": ("物流单号", "tracking_number"),
    "carrier": ("物流公司", "carrier"),
    "eta": ("预计送达时间", "eta", "estimated_delivery"),
    "delivered_at": ("实际送达时间", "delivered_at"),
    "events": ("物流轨迹", "events", "tracking_events"),
    "event_time": ("时间", "time"),
    "event_status": ("状态", "status"),
    "event_location": ("位置", "location"),
    "event_description": ("描述", "description"),
    "invoice_type": ("发票类型", "invoice_type", "type"),
    "invoice_title": ("发票抬头", "title", "invoice_title"),
    "service_type": ("服务类型", "service_type"),
    "service_time": ("预约日期", "预约时间", "service_time", "time"),
    "exchange": ("可换货商品", "exchange_options", "exchangeable_products"),
}

STATUS_WORDS: dict[str, OrderStatus] = {
    "待付款": "pending_payment",
    "pending_payment": "pending_payment",
    "pending": "pending_payment",
    "已付款": "paid",
    "paid": "paid",
    "处理中": "processing",
    "processing": "processing",
    "已发货": "shipped",
    "运输中": "shipped",
    "配送中": "shipped",
    "shipped": "shipped",
    "in_transit": "shipped",
    "已送达": "delivered",
    "已签收": "delivered",
    "已完成": "delivered",
    "delivered": "delivered",
    "completed": "delivered",
    "已取消": "cancelled",
    "cancelled": "cancelled",
    "canceled": "cancelled",
    "已退货": "returned",
    "退货中": "returned",
    "returned": "returned",
    "return_requested": "returned",
}
# The label an action writes, in the store's language (chosen by the labels the data already uses).
WRITTEN_LABELS = {
    "zh": {"cancelled": "已取消", "returned": "退货中", "paid": "已付款"},
    "en": {"cancelled": "cancelled", "returned": "return_requested", "paid": "paid"},
}
UNLISTED = {"已下架", "下架", "停售", "off_shelf", "delisted", "discontinued", "unlisted", "inactive"}

# Action verbs (the benchmark's vocabulary, with English synonyms a store's own tool may send).
CANCEL = {"取消", "cancel"}
MODIFY = {"修改", "modify", "update"}
CREATE = {"增加", "create", "add"}
REFUND = {"退款", "refund"}
SPEND = {"余额使用", "spend", "pay"}
REGISTER = {"返现", "register"}


def pick(record: dict[str, Any], role: str) -> Any:
    for key in KEYS[role]:
        if key in record:
            return record[key]
    return None


def _text(value: Any) -> str | None:
    if value is None or value == "":
        return None
    return normalise_id(value)


def _number(value: Any) -> float | None:
    return parse_price(value) if value is not None else None


def _walk(node: Any, path: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...], dict[str, Any]]]:
    """Every mapping in a parsed file with the keys leading to it."""
    if isinstance(node, dict):
        yield path, node
        for key, value in node.items():
            yield from _walk(value, (*path, str(key)))
    elif isinstance(node, list):
        for value in node:
            yield from _walk(value, path)


def _address(raw: Any) -> Address | None:
    if isinstance(raw, str):
        return Address(street=raw)
    if not isinstance(raw, dict):
        return None
    return Address(
        name=_text(pick(raw, "name")),
        phone=_text(pick(raw, "phone")),
        country=_text(pick(raw, "country")),
        region=_text(pick(raw, "region")),
        city=_text(pick(raw, "city")),
        district=_text(pick(raw, "district")),
        street=_text(pick(raw, "street")),
    )


def _exchange_list(raw: Any) -> list[dict[str, Any]]:
    """The exchange list, which exports sometimes store as the text of a list (Python or JSON syntax)."""
    if isinstance(raw, str) and raw.strip().startswith("[") and len(raw) < 200_000:
        try:
            raw = ast.literal_eval(raw)
        except (ValueError, SyntaxError):
            try:
                raw = json.loads(raw)
            except ValueError:
                return []
    if isinstance(raw, dict):
        raw = [raw]
    return [x for x in raw if isinstance(x, dict)] if isinstance(raw, list) else []


def _listed(label: str | None) -> bool:
    return label is None or label.strip().lower() not in UNLISTED


@dataclass
class _World:
    """The parsed files plus indexes pointing into them (the indexes are rebuilt after each change)."""

    raw: dict[str, Any]
    orders: dict[str, dict[str, Any]] = field(default_factory=dict)
    order_parent: dict[str, dict[str, Any]] = field(default_factory=dict)
    owners: dict[str, str] = field(default_factory=dict)  # order id -> customer id, from any file
    customers: dict[str, dict[str, Any]] = field(default_factory=dict)
    shipments: dict[str, dict[str, Any]] = field(default_factory=dict)
    invoices: dict[str, dict[str, Any]] = field(default_factory=dict)
    services: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    cashback: dict[tuple[str, str], bool] = field(default_factory=dict)
    performed: dict[str, Any] = field(default_factory=dict)
    language: str = "zh"

    @classmethod
    def build(cls, raw: dict[str, Any], performed: dict[str, Any]) -> _World:
        w = cls(raw=raw, performed=performed)
        labels: list[str] = []
        for path, rec in _walk(raw.get("orders.json")):
            oid = pick(rec, "order_id")
            if oid is not None and pick(rec, "status") is not None:
                w.orders[normalise_id(oid)] = rec
                w.owners[normalise_id(oid)] = normalise_id(pick(rec, "customer_id"))
                labels.append(str(pick(rec, "status")))
                if path:
                    parent = raw["orders.json"]
                    for key in path[:-1]:
                        parent = parent[key]
                    if isinstance(parent, dict):
                        w.order_parent[normalise_id(oid)] = parent
        w.language = "en" if labels and all(label.isascii() for label in labels) else "zh"
        for _, rec in _walk(raw.get("users_info.json")):
            cid = pick(rec, "customer_id")
            if cid is not None and pick(rec, "order_id") is None:
                w.customers[normalise_id(cid)] = rec
        for path, rec in _walk(raw.get("logistics.json")):
            if pick(rec, "tracking") is not None or pick(rec, "events") is not None:
                oid = pick(rec, "order_id") or (path[-1] if path else None)
                if oid is not None:
                    w.shipments[normalise_id(oid)] = rec
                    w.own(normalise_id(oid), path[-2] if len(path) > 1 else None)
        for path, rec in _walk(raw.get("invoices.json")):
            if pick(rec, "invoice_type") is not None or pick(rec, "invoice_title") is not None:
                oid = pick(rec, "order_id") or (path[-1] if path else None)
                if oid is not None:
                    w.invoices[normalise_id(oid)] = rec
        for path, rec in _walk(raw.get("service.json")):
            if pick(rec, "service_type") is not None:
                oid = pick(rec, "order_id") or (path[-1] if path else None)
                if oid is not None:
                    w.services.setdefault(normalise_id(oid), []).append(rec)
                    w.own(normalise_id(oid), _text(pick(rec, "customer_id")))
        for path, rec in _walk(raw.get(CASHBACK_FILE)):
            for key, value in rec.items():
                if isinstance(value, bool) and path:
                    w.cashback[(path[-1], normalise_id(key))] = value
                    w.own(normalise_id(key), path[-1])
        return w

    def own(self, order_id: str, customer_id: str | None) -> None:
        """Record who owns an order seen outside orders.json (exports are not always consistent)."""
        if customer_id:
            self.owners.setdefault(order_id, customer_id)

    def label(self, status: str) -> str:
        return WRITTEN_LABELS[self.language].get(status, status)


class FileConnector:
    """Serves a world-shaped folder; actions go to an overlay (see the module docstring)."""

    name = "files"

    def __init__(
        self,
        folder: Path,
        *,
        state_dir: Path | None = None,
        products: list[Path] | None = None,
        first_new_order_id: int | None = None,
    ) -> None:
        """``first_new_order_id`` numbers created orders from that id up (to emulate a system whose
        numbering is known, such as a benchmark's); by default an id is derived from the action's key."""
        self.first_new_order_id = first_new_order_id
        self.folder = Path(folder)
        if not self.folder.is_dir():
            raise ConnectorUnavailable(f"order data folder {self.folder} does not exist")
        self.state_dir = Path(state_dir) if state_dir is not None else None
        product_files = products if products is not None else [self.folder / "products.json"]
        self._products = self._load_products([p for p in product_files if p.exists()])
        self._base = {name: self._read(self.folder / name) for name in (*FILES, CASHBACK_FILE)}
        self._mutex = threading.Lock()
        self._world: _World | None = None
        self._stamp: tuple[int, int] | None = None

    # --- state ------------------------------------------------------------------------------------
    @property
    def _state_path(self) -> Path | None:
        return self.state_dir / STATE_FILE if self.state_dir is not None else None

    @staticmethod
    def _read(path: Path) -> Any:
        if not path.exists():
            return {}
        if path.stat().st_size > MAX_FILE_BYTES:
            raise ConnectorUnavailable(f"{path} is larger than {MAX_FILE_BYTES} bytes")
        try:
            return json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise ConnectorUnavailable(f"cannot read {path}: {exc}") from exc

    def _overlay(self) -> tuple[dict[str, Any], dict[str, Any]]:
        path = self._state_path
        if path is None or not path.exists():
            return {}, {}
        state = self._read(path)
        return dict(state.get("files") or {}), dict(state.get("performed") or {})

    def _current(self) -> _World:
        """The world as the overlay says now; reparsed only when the overlay file changed."""
        path = self._state_path
        stamp = None
        if path is not None and path.exists():
            st = path.stat()
            stamp = (st.st_mtime_ns, st.st_size)
        with self._mutex:
            if self._world is None or stamp != self._stamp:
                files, performed = self._overlay()
                raw = {name: files.get(name, self._base[name]) for name in self._base}
                self._world = _World.build(raw, performed)
                self._stamp = stamp
            return self._world

    # --- look-ups ---------------------------------------------------------------------------------
    def customer(self, customer_id: str) -> Customer | None:
        rec = self._current().customers.get(customer_id)
        if rec is None:
            return None
        return Customer(
            customer_id=customer_id,
            name=_text(pick(rec, "name")),
            phone=_text(pick(rec, "phone")),
            ecard_balance=_number(pick(rec, "ecard")),
            address=_address(pick(rec, "customer_address")),
        )

    def orders(self, customer_id: str) -> list[Order]:
        world = self._current()
        out: list[Order] = []
        for oid, rec in world.orders.items():
            if _text(pick(rec, "customer_id")) == customer_id:
                out.append(self._order(world, oid, rec))
        return out

    def _order(self, world: _World, oid: str, rec: dict[str, Any]) -> Order:
        label = str(pick(rec, "status"))
        items = [
            OrderItem(
                product_id=normalise_id(pick(i, "product_id")),
                unit_price=_number(pick(i, "unit_price")),
                quantity=int(_number(pick(i, "quantity")) or 1),
            )
            for i in pick(rec, "items") or []
            if isinstance(i, dict) and pick(i, "product_id") is not None
        ]
        ship = world.shipments.get(oid)
        return Order(
            order_id=oid,
            customer_id=normalise_id(pick(rec, "customer_id")),
            status=STATUS_WORDS.get(label.strip().lower(), STATUS_WORDS.get(label.strip(), "unknown")),
            status_label=label,
            total=_number(pick(rec, "total")),
            urgent=bool(pick(rec, "urgent")),
            items=items,
            address=_address(pick(rec, "address")),
            payment_method=_text(pick(rec, "payment")),
            placed_at=_text(pick(rec, "placed_at")),
            delivered_at=_text(pick(ship, "delivered_at")) if ship else None,
        )

    @staticmethod
    def _owned(world: _World, customer_id: str, order_id: str) -> bool:
        return world.owners.get(order_id) == customer_id

    def shipment(self, customer_id: str, order_id: str) -> Shipment | None:
        world = self._current()
        if not self._owned(world, customer_id, order_id):
            return None
        rec = world.shipments.get(order_id)
        if rec is None:
            return None
        events = [
            TrackingEvent(
                time=_text(pick(e, "event_time")),
                status=_text(pick(e, "event_status")),
                location=_text(pick(e, "event_location")),
                description=_text(pick(e, "event_description")),
            )
            for e in pick(rec, "events") or []
            if isinstance(e, dict)
        ]
        return Shipment(
            order_id=order_id,
            carrier=_text(pick(rec, "carrier")),
            tracking_number=_text(pick(rec, "tracking")),
            eta=_text(pick(rec, "eta")),
            delivered_at=_text(pick(rec, "delivered_at")),
            events=events,
        )

    def invoice(self, customer_id: str, order_id: str) -> Invoice | None:
        world = self._current()
        rec = world.invoices.get(order_id)
        if rec is None or not self._owned(world, customer_id, order_id):
            return None
        return Invoice(
            order_id=order_id,
            invoice_type=_text(pick(rec, "invoice_type")),
            title=_text(pick(rec, "invoice_title")),
            phone=_text(pick(rec, "phone")),
        )

    def appointments(self, customer_id: str, order_id: str) -> list[Appointment]:
        world = self._current()
        if not self._owned(world, customer_id, order_id):
            return []
        return [
            Appointment(
                order_id=order_id,
                service_type=_text(pick(rec, "service_type")),
                time=_text(pick(rec, "service_time")),
                name=_text(pick(rec, "name")),
                phone=_text(pick(rec, "phone")),
            )
            for rec in world.services.get(order_id, [])
        ]

    def cashback(self, customer_id: str, order_id: str) -> Cashback | None:
        world = self._current()
        if not self._owned(world, customer_id, order_id):
            return None
        return Cashback(order_id=order_id, registered=world.cashback.get((customer_id, order_id), False))

    def product(self, product_id: str) -> Product | None:
        return self._products.get(product_id)

    @staticmethod
    def _load_products(paths: list[Path]) -> dict[str, Product]:
        out: dict[str, Product] = {}
        files: list[Path] = []
        for path in paths:
            if path.is_dir():
                files.extend(sorted(p for p in path.rglob("*") if p.suffix in (".json", ".yaml", ".yml")))
            else:
                files.append(path)
        for path in files:
            if path.stat().st_size > MAX_FILE_BYTES:
                continue
            text = path.read_text(encoding="utf-8")
            data = json.loads(text) if path.suffix == ".json" else yaml.safe_load(text)
            for rec in find_product_records(data):
                roles = {role_of(str(k)): v for k, v in rec.items()}
                if roles.get("id") is None:
                    continue
                pid = normalise_id(roles["id"])
                label = _text(roles.get("status"))
                options = [
                    ExchangeOption(
                        product_id=normalise_id(pick(x, "product_id")),
                        name=_text(x.get("商品描述") or x.get("商品名称") or x.get("name")),
                        listed=_listed(_text(x.get("商品状态") or x.get("status"))),
                    )
                    for x in _exchange_list(pick(rec, "exchange"))
                    if pick(x, "product_id") is not None
                ]
                out[pid] = Product(
                    product_id=pid,
                    name=_text(roles.get("name")),
                    price=_number(roles.get("price")),
                    listed=_listed(label),
                    status_label=label,
                    exchange_options=options,
                )
        return out

    # --- actions ----------------------------------------------------------------------------------
    def perform(self, call: ActionCall, *, key: str) -> ActionResult:
        """Apply ``call`` once per ``key``: under the file lock, a known key returns its stored result."""
        if self.state_dir is None:
            raise ActionRefused("this order folder is read-only (no state folder configured)")
        self.state_dir.mkdir(parents=True, exist_ok=True)
        with FileLock(str(self.state_dir / ".lock"), timeout=30):
            files, performed = self._overlay()
            if key in performed:
                return ActionResult.model_validate(performed[key])
            raw = {name: copy.deepcopy(files.get(name, self._base[name])) for name in self._base}
            world = _World.build(raw, performed)
            result, touched = self._apply(world, call, key)
            for name in touched:
                files[name] = raw[name]
            performed[key] = result.model_dump()
            self._write({"files": files, "performed": performed})
        return result

    def _write(self, state: dict[str, Any]) -> None:
        assert self._state_path is not None
        tmp = self._state_path.with_suffix(".tmp")
        with open(tmp, "w", encoding="utf-8") as fh:
            json.dump(state, fh, ensure_ascii=False)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, self._state_path)

    def _apply(self, w: _World, call: ActionCall, key: str) -> tuple[ActionResult, list[str]]:
        args = call.arguments
        cid = call.customer_id
        verb = str(args.get("action") or "")
        oid = _text(args.get("order_id"))
        rec = w.orders.get(oid) if oid and self._owned(w, cid, oid) else None

        def need_order() -> dict[str, Any]:
            if rec is None:
                raise ActionRefused(f"order {oid} of customer {cid} not found")
            return rec

        name = call.name
        if name == "manage_order" and verb in CANCEL:
            o = need_order()
            o[_key(o, "status")] = w.label("cancelled")
            return ActionResult(ok=True, message=f"order {oid} cancelled"), ["orders.json"]
        if name == "manage_order" and verb in MODIFY:
            o = need_order()
            addr = o.setdefault(_key(o, "address"), {})
            if args.get("address"):
                addr[_key(addr, "street")] = str(args["address"])
            if args.get("phone_number"):
                addr[_key(addr, "phone")] = str(args["phone_number"])
            return ActionResult(ok=True, message=f"order {oid} updated"), ["orders.json"]
        if name == "manage_order" and verb in CREATE:
            return self._create(w, cid, args, key)
        if name == "manage_return":
            o = need_order()
            o[_key(o, "status")] = w.label("returned")
            return ActionResult(ok=True, message=f"return of order {oid} registered"), ["orders.json"]
        if name == "manage_exchange":
            o = need_order()
            old, new = _text(args.get("original_product_id")), _text(args.get("exchange_product_id"))
            for item in pick(o, "items") or []:
                if isinstance(item, dict) and _text(pick(item, "product_id")) == old:
                    item[_key(item, "product_id")] = new
                    return ActionResult(ok=True, message=f"{old} exchanged for {new}"), ["orders.json"]
            raise ActionRefused(f"order {oid} has no item {old}")
        if name == "manage_urgent":
            o = need_order()
            o[_key(o, "urgent")] = True
            return ActionResult(ok=True, message=f"order {oid} expedited"), ["orders.json"]
        if name == "manage_invoice":
            if not oid or not self._owned(w, cid, oid):
                raise ActionRefused(f"order {oid} of customer {cid} not found")
            w.raw["invoices.json"][oid] = {
                "订单ID": oid,
                "发票类型": args.get("invoice_type"),
                "发票抬头": args.get("title"),
                "电话号码": args.get("phone_number"),
            }
            return ActionResult(ok=True, message=f"invoice for order {oid} issued"), ["invoices.json"]
        if name == "schedule_service":
            w.raw["service.json"].setdefault(cid, {})[oid or key] = {
                "服务类型": args.get("service_type"),
                "用户ID": cid,
                "订单ID": oid,
                "电话号码": args.get("phone_number"),
                "用户姓名": args.get("user_name"),
                "预约日期": args.get("service_time"),
            }
            return ActionResult(ok=True, message="appointment booked"), ["service.json"]
        if name == "register_cashback_by_review" and verb in REGISTER:
            if not oid or not self._owned(w, cid, oid):
                raise ActionRefused(f"order {oid} of customer {cid} not found")
            w.raw[CASHBACK_FILE].setdefault(cid, {})[oid] = True
            return ActionResult(ok=True, message=f"cash-back for order {oid} registered"), [CASHBACK_FILE]
        if name == "manage_ecard" and verb in REFUND | SPEND:
            cust = w.customers.get(cid)
            if cust is None:
                raise ActionRefused(f"customer {cid} not found")
            balance = _number(pick(cust, "ecard")) or 0.0
            if verb in REFUND:
                amount = _number(args.get("amount"))
                if amount is None or amount <= 0:
                    raise ActionRefused("a refund needs a positive amount")
                balance += amount
            else:
                product = self.product(str(args.get("product_id")))
                if product is None or product.price is None:
                    raise ActionRefused(f"unknown product {args.get('product_id')}")
                cost = product.price * int(_number(args.get("quantity")) or 1)
                if cost > balance:
                    raise ActionRefused(f"balance {balance:g} is less than {cost:g}")
                balance -= cost
            cust[_key(cust, "ecard")] = round(balance, 2)
            return ActionResult(ok=True, message="balance updated", data={"balance": balance}), [
                "users_info.json"
            ]
        raise ActionRefused(f"unsupported action {name} {verb}".strip())

    def _create(self, w: _World, cid: str, args: dict[str, Any], key: str) -> tuple[ActionResult, list[str]]:
        lines = args.get("product_info_list") or []
        items: list[dict[str, Any]] = []
        total = 0.0
        for line in lines if isinstance(lines, list) else []:
            product = self.product(str(line.get("product_id"))) if isinstance(line, dict) else None
            if product is None or not product.listed:
                raise ActionRefused(f"product {line} cannot be ordered")
            qty = int(_number(line.get("quantity")) or 1)
            items.append({"商品ID": product.product_id, "单价": product.price, "数量": qty})
            total += (product.price or 0) * qty
        if not items:
            raise ActionRefused("an order needs at least one product")
        if self.first_new_order_id is not None:
            number = self.first_new_order_id
            while str(number) in w.orders:
                number += 1
            oid = str(number)
        else:
            digest = int(hashlib.sha256(key.encode()).hexdigest()[:12], 16)
            oid = str(900_000_000_000 + digest % 99_999_999_999)
        cust = w.customers.get(cid) or {}
        parent = next(
            (p for o, p in w.order_parent.items() if _text(pick(w.orders[o], "customer_id")) == cid), None
        )
        if parent is None:
            any_parent = next(iter(w.order_parent.values()), None)
            grand = self._grandparent(w.raw["orders.json"], any_parent)
            parent = (
                grand.setdefault(cid, {}) if grand is not None else w.raw["orders.json"].setdefault(cid, {})
            )
        parent[oid] = {
            "用户ID": cid,
            "订单ID": oid,
            "订单状态": w.label("paid"),
            "订单总金额": round(total, 2),
            "是否加急": False,
            "订单商品列表": items,
            "收货地址": copy.deepcopy(pick(cust, "customer_address")) or {},
            "支付方式": args.get("payment"),
        }
        return ActionResult(ok=True, message=f"order {oid} created", data={"order_id": oid}), ["orders.json"]

    @staticmethod
    def _grandparent(root: Any, child: dict[str, Any] | None) -> dict[str, Any] | None:
        if child is None:
            return None
        for _, node in _walk(root):
            if any(v is child for v in node.values()):
                return node
        return None

    def close(self) -> None:
        pass


def _key(record: dict[str, Any], role: str) -> str:
    """The key ``record`` already uses for ``role`` (so writes keep the store's field names)."""
    for key in KEYS[role]:
        if key in record:
            return key
    return KEYS[role][0]

"""The pipeline's one call into the store's systems: look up what a message needs, decide by policy, and
return citable facts (masked), a short cited lead for the offline draft, and proposed actions.

A connector that fails never fails the draft: the look-up is recorded as ``unavailable``, the draft's
``lookups_status`` says so, and no fact or action is made up in its place.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Protocol, TypeVar

from service.connectors.base import ConnectorError, StoreConnector
from service.connectors.models import Customer, Order, Product
from service.drafting.sources import Source
from service.store import understand as u
from service.store.models import Lookup, LookupsStatus, ProposedAction, StoreFindings
from service.store.policy import Decision, StorePolicy, decide

log = logging.getLogger("replydraft.store")
T = TypeVar("T")

BEFORE_SHIPPING = ("pending_payment", "paid", "processing")
OP_FITS: dict[str, tuple[str, ...]] = {
    "expedite": ("paid", "processing", "shipped"),
    "cancel": BEFORE_SHIPPING,
    "modify": BEFORE_SHIPPING,
    "return": ("delivered",),
    "exchange": (*BEFORE_SHIPPING, "delivered"),
    "shipping": ("shipped",),
}
MAX_ORDERS_SHOWN = 5
LEAD_OPS = (
    "shipping",
    "expedite",
    "cancel",
    "return",
    "modify",
    "cashback",
    "invoice",
    "service",
    "exchange",
)
ADDRESS_QUESTION = re.compile(r"地址|收件|address", re.I)


class Catalogue(Protocol):
    def find_mentions(self, text: str) -> list[Any]: ...


class Asking(Protocol):
    """The parts of a draft request this module reads."""

    customer_message: str
    customer_id: str | None
    order_ids: list[str]

    @property
    def conversation(self) -> Sequence[Any]: ...


@dataclass
class Consultation:
    findings: StoreFindings
    sources: list[Source] = field(default_factory=list)
    lead: str = ""  # cited sentences the offline drafter puts after its greeting
    elapsed_ms: float = 0.0


LABELS = {
    "zh": {
        "order": "订单",
        "status": "状态",
        "total": "金额",
        "items": "商品",
        "payment": "支付方式",
        "urgent": "已加急",
        "address": "收货地址",
        "receiver": "收件人",
        "phone": "电话",
        "hidden": "详细地址已隐藏",
        "carrier": "物流",
        "eta": "预计送达",
        "delivered": "送达时间",
        "latest": "最新轨迹",
        "cashback": "晒单返现",
        "registered": "已登记",
        "not_registered": "未登记",
        "invoice": "发票",
        "none": "无",
        "appointment": "预约服务",
        "options": "可换货商品",
        "not_listed": "未上架",
        "balance": "电子卡余额",
        "customer": "顾客",
        "policy": "按店铺规则",
        "allowed": "可以办理",
        "refused": "不能办理",
        "sep": "；",
        "end": "。",
    },
    "en": {
        "order": "Order",
        "status": "status",
        "total": "amount",
        "items": "items",
        "payment": "payment",
        "urgent": "expedited",
        "address": "delivery address",
        "receiver": "recipient",
        "phone": "phone",
        "hidden": "street hidden",
        "carrier": "carrier",
        "eta": "expected",
        "delivered": "delivered",
        "latest": "latest",
        "cashback": "review cash-back",
        "registered": "registered",
        "not_registered": "not registered",
        "invoice": "invoice",
        "none": "none",
        "appointment": "appointment",
        "options": "may be exchanged for",
        "not_listed": "not on sale",
        "balance": "store-credit balance",
        "customer": "Customer",
        "policy": "Under the store policy",
        "allowed": "can be done",
        "refused": "cannot be done",
        "sep": "; ",
        "end": ".",
    },
}
ACTION_WORDS = {
    "zh": {
        "manage_urgent": "加急",
        "manage_order:取消": "取消订单",
        "manage_order:修改": "修改收货信息",
        "manage_order:增加": "下单",
        "manage_return": "退货",
        "manage_exchange": "换货",
        "manage_invoice": "开具发票",
        "schedule_service": "预约上门服务",
        "register_cashback_by_review": "晒单返现登记（需核对晒单截图）",
        "manage_ecard:退款": "退款至电子卡",
        "manage_ecard:余额使用": "电子卡支付",
    },
    "en": {
        "manage_urgent": "expediting",
        "manage_order:取消": "cancelling the order",
        "manage_order:修改": "changing the delivery details",
        "manage_order:增加": "placing the order",
        "manage_return": "a return",
        "manage_exchange": "an exchange",
        "manage_invoice": "an invoice",
        "schedule_service": "booking a visit",
        "register_cashback_by_review": "registering the review cash-back (check the screenshot)",
        "manage_ecard:退款": "a refund to store credit",
        "manage_ecard:余额使用": "paying with store credit",
    },
}


def mask_phone(phone: str | None) -> str | None:
    if not phone:
        return None
    return phone[:3] + "*" * max(0, len(phone) - 7) + phone[-4:] if len(phone) >= 8 else "*" * len(phone)


def mask_name(name: str | None) -> str | None:
    if not name:
        return None
    return name[0] + "*" * (len(name) - 1) if not name.isascii() else name.split()[0][0] + "."


def _word(name: str, arguments: dict[str, Any], language: str) -> str:
    words = ACTION_WORDS["zh" if language == "zh" else "en"]
    return words.get(f"{name}:{arguments.get('action')}", words.get(name, name))


class StoreDesk:
    def __init__(
        self,
        connector: StoreConnector | None,
        policy: StorePolicy | None = None,
        *,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        self.connector = connector
        self.policy = policy or StorePolicy()
        self.clock = clock or (lambda: datetime.now(UTC))

    # --- entry point ------------------------------------------------------------------------------
    def consult(
        self, req: Asking, *, language: str, catalogue: Catalogue | None, first_marker: int
    ) -> Consultation:
        started = time.perf_counter()
        if not req.customer_id or self.connector is None:
            return Consultation(StoreFindings(customer_id=req.customer_id))
        run = _Run(self, req, language, catalogue, first_marker)
        result = run.go()
        result.elapsed_ms = (time.perf_counter() - started) * 1000
        return result

    def recheck(self, name: str, arguments: dict[str, Any], customer_id: str) -> tuple[bool, str]:
        """Whether the policy allows ``name`` with (a reviewer's edited) ``arguments``, on fresh look-ups."""
        return _recheck(self, name, arguments, customer_id)


class _Run:
    """One consultation: its look-ups, decisions and outputs."""

    def __init__(
        self, desk: StoreDesk, req: Asking, language: str, catalogue: Catalogue | None, first_marker: int
    ) -> None:
        assert desk.connector is not None and req.customer_id
        self.desk = desk
        self.conn: StoreConnector = desk.connector
        self.policy = desk.policy
        self.req = req
        self.cid: str = req.customer_id
        self.lang = "zh" if language == "zh" else "en"
        self.catalogue = catalogue
        self.marker = first_marker
        self.lookups: list[Lookup] = []
        self.products: dict[str, Product | None] = {}
        self.sources: list[Source] = []
        self.lead: list[str] = []
        self.proposals: list[ProposedAction] = []
        self.order_lines: dict[str, list[tuple[str, str]]] = {}
        self.ops: list[str] = []

    # --- look-ups ---------------------------------------------------------------------------------
    def _look(
        self, kind: Any, fetch: Callable[[], T], *, order_id: str | None = None, product_id: str | None = None
    ) -> T | None:
        try:
            value = fetch()
        except ConnectorError as exc:
            log.warning("store look-up failed", extra={"kind": kind, "reason": str(exc)[:200]})
            self.lookups.append(
                Lookup(kind=kind, order_id=order_id, product_id=product_id, status="unavailable")
            )
            return None
        empty = value is None or value == []
        status = "not_found" if empty and kind not in ("orders", "appointments") else "ok"
        self.lookups.append(Lookup(kind=kind, order_id=order_id, product_id=product_id, status=status))
        return value

    def product(self, product_id: str) -> Product | None:
        if product_id not in self.products:
            self.products[product_id] = self._look(
                "product", lambda: self.conn.product(product_id), product_id=product_id
            )
        return self.products[product_id]

    def _is_product(self, candidate: str) -> bool:
        """Whether an id in the text is a product (the knowledge catalogue, else the store system)."""
        get = getattr(self.catalogue, "get", None)
        if callable(get) and get(candidate) is not None:
            return True
        if candidate not in self.products:
            try:
                self.products[candidate] = self.conn.product(candidate)
            except ConnectorError:
                return False
        return self.products[candidate] is not None

    def _mentioned_products(self, text: str) -> list[str]:
        ids = [i for i in u.ids_in(text) if self._is_product(i)]
        if self.catalogue is not None:
            try:
                ids += [str(p.product_id) for p in self.catalogue.find_mentions(text)]
            except Exception:  # a catalogue problem must not cost the draft
                log.exception("catalogue mention search failed")
        return list(dict.fromkeys(ids))

    # --- the run ----------------------------------------------------------------------------------
    def go(self) -> Consultation:
        text = self.req.customer_message
        history = [t.text for t in reversed(self.req.conversation) if t.role == "customer"][:6]
        ops = self.ops = u.operations(text)
        customer = self._look("customer", lambda: self.conn.customer(self.cid))
        orders = self._look("orders", lambda: self.conn.orders(self.cid)) or []
        mentioned = self._mentioned_products(text)
        history_products = [self._mentioned_products(t) for t in history]
        by_id = {o.order_id: o for o in orders}
        if self.req.order_ids:
            targets = [by_id[i] for i in self.req.order_ids if i in by_id]
            for missing in (i for i in self.req.order_ids if i not in by_id):
                self.lookups.append(Lookup(kind="orders", order_id=missing, status="not_found"))
            resolution = u.Resolution(targets, "request")
        else:
            first_action = next((op for op in ops if op in OP_FITS), "")
            resolution = u.resolve(
                text,
                orders,
                history=history,
                mentioned_products=mentioned,
                history_products=history_products,
                fits=OP_FITS.get(first_action, ()),
            )
            if resolution.evidence == "only" and not ops:
                resolution = u.Resolution([], "none")
        targets = resolution.orders[:MAX_ORDERS_SHOWN] if resolution.evidence != "all" else resolution.orders
        for order in targets:
            self.lookups.append(Lookup(kind="orders", order_id=order.order_id, status="ok"))
            self.order_lines[order.order_id] = self._order_facts(order)
        details = u.details(text)
        for order in targets:
            self._order_lookups(order, ops, details)
        for op in ops:
            if op == "create":
                self._propose_create(text, history, history_products, mentioned, customer, orders, targets)
            elif op in u.ACTIONS:
                for order in targets:
                    self._propose(op, order, text, details, customer, multiple=len(targets) > 1)
                if not targets and op == "service" and resolution.unknown_ids:
                    self._propose_service_unknown(resolution.unknown_ids[0], details, customer)
        if not targets and resolution.unknown_ids and {"cashback", "cashback_query"} & set(ops):
            self._propose_cashback_unknown(resolution.unknown_ids[0], customer, propose="cashback" in ops)
        if "balance" in ops and customer is not None and customer.ecard_balance is not None:
            self._customer_source(customer)
        self._order_sources(targets)
        findings = StoreFindings(
            customer_id=self.cid,
            order_ids=[o.order_id for o in targets],
            lookups=self.lookups,
            lookups_status=self._status(),
            proposed_actions=self.proposals[:10],
        )
        return Consultation(findings, self.sources, "".join(self.lead))

    def _status(self) -> LookupsStatus:
        failed = sum(1 for lk in self.lookups if lk.status == "unavailable")
        if not failed:
            return "ok"
        return "unavailable" if failed == len(self.lookups) else "partial"

    # --- facts ------------------------------------------------------------------------------------
    def _order_facts(self, order: Order) -> list[tuple[str, str]]:
        """The order's facts as (tag, text) lines; the tag decides which ones the lead repeats."""
        L = LABELS[self.lang]
        lines = [("id", f"{L['order']} {order.order_id}"), ("status", f"{L['status']}: {order.status_label}")]
        if order.total is not None:
            lines.append(("total", f"{L['total']}: {order.total:g}"))
        items = ", ".join(f"{i.product_id} x{i.quantity}" for i in order.items)
        if items:
            lines.append(("items", f"{L['items']}: {items}"))
        if order.payment_method:
            # Only store credit matters to the reply (where a refund goes); other methods stay in the source.
            tag = "credit" if self.policy.store_credit(order.payment_method) else "payment"
            lines.append((tag, f"{L['payment']}: {order.payment_method}"))
        if order.urgent:
            lines.append(("urgent", L["urgent"]))
        a = order.address
        if a is not None:
            place = (
                "".join(x for x in (a.region, a.city, a.district) if x)
                if self.lang == "zh"
                else ", ".join(x for x in (a.city, a.region) if x)
            )
            hidden = f"（{L['hidden']}）" if self.lang == "zh" else f" ({L['hidden']})"
            lines.append(("address", f"{L['address']}: {place}{hidden}"))
            if a.name:
                lines.append(("address", f"{L['receiver']}: {mask_name(a.name)}"))
            if a.phone:
                lines.append(("address", f"{L['phone']}: {mask_phone(a.phone)}"))
        return lines

    def _order_lookups(self, order: Order, ops: list[str], details: u.Details) -> None:
        L = LABELS[self.lang]
        oid = order.order_id
        lines = self.order_lines[oid]
        if "shipping" in ops or "expedite" in ops:
            ship = self._look("shipment", lambda: self.conn.shipment(self.cid, oid), order_id=oid)
            if ship is not None:
                lines.append(
                    ("shipping", f"{L['carrier']}: {ship.carrier or ''} {ship.tracking_number or ''}".strip())
                )
                if ship.delivered_at:
                    lines.append(("shipping", f"{L['delivered']}: {ship.delivered_at}"))
                elif ship.eta:
                    lines.append(("shipping", f"{L['eta']}: {ship.eta}"))
                for event in ship.events[-1:]:
                    where = " ".join(
                        x for x in (event.time, event.status, event.location, event.description) if x
                    )
                    lines.append(("shipping", f"{L['latest']}: {where}"))
        if "cashback" in ops or "cashback_query" in ops:
            cb = self._look("cashback", lambda: self.conn.cashback(self.cid, oid), order_id=oid)
            if cb is not None:
                word = L["registered"] if cb.registered else L["not_registered"]
                lines.append(("cashback", f"{L['cashback']}: {word}"))
        if "invoice" in ops:
            inv = self._look("invoice", lambda: self.conn.invoice(self.cid, oid), order_id=oid)
            lines.append(
                (
                    "invoice",
                    f"{L['invoice']}: {inv.invoice_type or ''} {mask_name(inv.title) or ''}".strip()
                    if inv
                    else f"{L['invoice']}: {L['none']}",
                )
            )
        if "service" in ops:
            apps = self._look("appointments", lambda: self.conn.appointments(self.cid, oid), order_id=oid)
            for app in apps or []:
                lines.append(
                    ("service", f"{L['appointment']}: {app.service_type or ''} {app.time or ''}".strip())
                )
        if "exchange" in ops:
            for item in order.items:
                product = self.product(item.product_id)
                if product is None:
                    continue
                options = ", ".join(
                    f"{o.product_id} {o.name or ''}".strip() + ("" if o.listed else f" ({L['not_listed']})")
                    for o in product.exchange_options
                )
                lines.append(("exchange", f"{item.product_id} {L['options']}: {options or L['none']}"))

    def _add_source(self, source_id: str, title: str, lines: list[str]) -> int:
        marker = self.marker + len(self.sources)
        L = LABELS[self.lang]
        self.sources.append(
            Source(
                marker=marker,
                kind="passage",
                source_id=source_id,
                title=title,
                text=L["sep"].join(lines) + L["end"],
            )
        )
        return marker

    def _lead_tags(self) -> set[str]:
        tags = {"id", "status"}
        ops = set(self.ops)
        if ops & {"shipping", "expedite"}:
            tags |= {"shipping", "urgent"}
        if ops & {"cancel", "return"}:
            tags |= {"total", "credit"}
        if "modify" in ops or ADDRESS_QUESTION.search(self.req.customer_message):
            tags.add("address")
        if "status" in ops or not ops & set(LEAD_OPS):
            tags.add("items")
        if "cashback_query" in ops:
            tags.add("cashback")
        return tags | (ops & {"cashback", "invoice", "service", "exchange"})

    def _order_sources(self, targets: list[Order]) -> None:
        L = LABELS[self.lang]
        tags = self._lead_tags()
        for order in targets:
            lines = self.order_lines[order.order_id]
            marker = self._add_source(
                f"order:{order.order_id}", f"{L['order']} {order.order_id}", [text for _, text in lines]
            )
            for lookup in self.lookups:
                if lookup.order_id == order.order_id and lookup.status == "ok":
                    lookup.source_id = f"order:{order.order_id}"
            self.lead.append(self._sentence([text for tag, text in lines if tag in tags], marker))
            for p in self.proposals:
                if p.arguments.get("order_id") == order.order_id:
                    self.lead.append(self._verdict(p, order, marker))

    def _verdict(self, p: ProposedAction, order: Order, marker: int) -> str:
        word = _word(p.name, p.arguments, self.lang)
        if self.lang == "zh":
            if p.allowed:
                return f"按店铺规则，该订单可以{word}，确认后我们为您办理[{marker}]。"
            if p.policy == "status":
                return f"该订单当前为“{order.status_label}”状态，按店铺规则暂不能{word}[{marker}]。"
            return f"按店铺规则，该订单暂不能{word}[{marker}]。"
        if p.allowed:
            return f" Under the store policy {word} is possible for this order, once confirmed [{marker}]."
        return f" Under the store policy {word} is not possible for this order ({p.reason}) [{marker}]."

    def _sentence(self, lines: list[str], marker: int) -> str:
        L = LABELS[self.lang]
        body = L["sep"].join(lines)
        return f"{body}[{marker}]{L['end']}" if self.lang == "zh" else f"{body} [{marker}]{L['end']}"

    def _customer_source(self, customer: Customer) -> None:
        L = LABELS[self.lang]
        lines = [f"{L['customer']} {self.cid}", f"{L['balance']}: {customer.ecard_balance:g}"]
        marker = self._add_source(f"customer:{self.cid}", f"{L['customer']} {self.cid}", lines)
        self.lead.append(self._sentence(lines[1:], marker))

    # --- proposals --------------------------------------------------------------------------------
    def _add(
        self, name: str, arguments: dict[str, Any], order: Order | None, customer: Customer | None
    ) -> ProposedAction:
        decision: Decision = decide(
            self.policy,
            name,
            arguments,
            order=order,
            customer=customer,
            products=self.products,
            now=self.desk.clock(),
        )
        proposal = ProposedAction(
            name=name,
            arguments=arguments,
            reason=decision.detail,
            allowed=decision.allowed,
            policy=decision.code,
        )
        if not any(p.name == name and p.arguments == arguments for p in self.proposals):
            self.proposals.append(proposal)
        return proposal

    def _refund(self, order: Order, customer: Customer | None) -> None:
        if self.policy.store_credit(order.payment_method) and order.total:
            self._add("manage_ecard", {"action": "退款", "amount": order.total}, order, customer)

    def _propose(
        self, op: str, order: Order, text: str, d: u.Details, customer: Customer | None, *, multiple: bool
    ) -> None:
        oid = order.order_id
        if op == "expedite":
            p = self._add("manage_urgent", {"order_id": oid}, order, customer)
        elif op == "cancel":
            p = self._add("manage_order", {"order_id": oid, "action": "取消"}, order, customer)
            if p.allowed:
                self._refund(order, customer)
        elif op == "modify":
            args: dict[str, Any] = {"order_id": oid, "action": "修改"}
            if d.new_address:
                args["address"] = d.new_address
            if d.phones and re.search(r"手机|电话|phone", text, re.I):
                args["phone_number"] = d.phones[0]
            if len(args) == 2:
                return
            p = self._add("manage_order", args, order, customer)
        elif op == "return":
            p = self._add("manage_return", {"order_id": oid}, order, customer)
            if p.allowed:
                self._refund(order, customer)
        elif op == "exchange":
            for item in order.items:
                target = self._exchange_target(item.product_id, text)
                if target:
                    p = self._add(
                        "manage_exchange",
                        {
                            "order_id": oid,
                            "action": "换货",
                            "original_product_id": item.product_id,
                            "exchange_product_id": target,
                        },
                        order,
                        customer,
                    )
            return
        elif op == "invoice":
            name = (order.address.name if order.address else None) or (customer.name if customer else None)
            phone = (order.address.phone if order.address else None) or (customer.phone if customer else None)
            p = self._add(
                "manage_invoice",
                {
                    "order_id": oid,
                    "title": d.invoice_title or (customer.name if customer and customer.name else name),
                    "phone_number": d.phones[0]
                    if d.phones
                    else (customer.phone if customer and customer.phone else phone),
                    "invoice_type": d.invoice_type or ("个人发票" if self.lang == "zh" else "personal"),
                },
                order,
                customer,
            )
        elif op == "service":
            if not d.days or not d.service_type:
                return
            name = (
                d.names[0]
                if d.names
                else (
                    order.address.name
                    if order.address and order.address.name
                    else (customer.name if customer else None)
                )
            )
            phone = (
                d.phones[0]
                if d.phones
                else (
                    order.address.phone
                    if order.address and order.address.phone
                    else (customer.phone if customer else None)
                )
            )
            p = self._add(
                "schedule_service",
                {
                    "order_id": oid,
                    "user_name": name,
                    "phone_number": phone,
                    "service_type": d.service_type,
                    "service_time": d.days[-1],
                },
                order,
                customer,
            )
        elif op == "cashback":
            cb = self._cashback(oid)
            if cb is not None and cb.registered:
                return
            p = self._add("register_cashback_by_review", {"order_id": oid, "action": "返现"}, order, customer)
        else:
            return
        if multiple and not p.allowed:
            self.proposals.remove(p)  # "all my orders": the ones the policy excludes are only stated

    def _cashback(self, oid: str) -> Any:
        try:
            return self.conn.cashback(self.cid, oid)
        except ConnectorError:
            return None

    def _propose_cashback_unknown(self, oid: str, customer: Customer | None, *, propose: bool) -> None:
        """An order the order list lacks but the cash-back records know (exports are not always whole)."""
        cb = self._look("cashback", lambda: self.conn.cashback(self.cid, oid), order_id=oid)
        if cb is None or cb.registered:
            return
        L = LABELS[self.lang]
        lines = [f"{L['order']} {oid}", f"{L['cashback']}: {L['not_registered']}"]
        marker = self._add_source(f"order:{oid}", f"{L['order']} {oid}", lines)
        self.lead.append(self._sentence(lines, marker))
        if not propose:
            return
        proposal = ProposedAction(
            name="register_cashback_by_review",
            arguments={"order_id": oid, "action": "返现"},
            reason="no cash-back registered yet; check the customer's review screenshot before approving",
            allowed=True,
        )
        self.proposals.append(proposal)

    def _propose_service_unknown(self, oid: str, d: u.Details, customer: Customer | None) -> None:
        if not d.days or not d.service_type or customer is None:
            return
        self._add(
            "schedule_service",
            {
                "order_id": oid,
                "user_name": d.names[0] if d.names else customer.name,
                "phone_number": d.phones[0] if d.phones else customer.phone,
                "service_type": d.service_type,
                "service_time": d.days[-1],
            },
            None,
            customer,
        )

    def _exchange_target(self, product_id: str, text: str) -> str | None:
        """The exchange option the customer asked for: an id, a capacity ("60升"), or "bigger"/"smaller"."""
        product = self.product(product_id)
        if product is None or not product.exchange_options:
            return None
        options = [o for o in product.exchange_options if o.listed]
        ids = set(u.ids_in(text))
        for o in options:
            if o.product_id in ids:
                return o.product_id
        own = u.capacity(product.name)
        # A size the customer names is what they want, unless it is the size they have.
        wanted = [float(m.group(1)) for m in u.CAPACITY.finditer(text) if float(m.group(1)) != own]
        wanted += [float(x) for x in re.findall(r"(?:最好是|换成|换为)\s*([0-9]{1,4})(?![0-9])", text)]
        for size in wanted:
            hits = [o for o in options if size in _numbers(o.name)]
            if len(hits) == 1:
                return hits[0].product_id
        if own is not None and (u.BIGGER.search(text) or u.SMALLER.search(text)):
            bigger = bool(u.BIGGER.search(text))
            sized = [(u.capacity(o.name), o) for o in options]
            fitting = [(c, o) for c, o in sized if c is not None and (c > own if bigger else c < own)]
            if fitting:
                fitting.sort(key=lambda x: x[0] if bigger else -x[0])
                return fitting[0][1].product_id
        return None

    def _propose_create(
        self,
        text: str,
        history: list[str],
        history_products: list[list[str]],
        mentioned: list[str],
        customer: Customer | None,
        orders: list[Order],
        targets: list[Order],
    ) -> None:
        candidates = [p for p in mentioned if self.product(p) is not None]
        source_text = text
        between = [text]  # the turns from the one naming the products to this one
        if not candidates:
            for turn, products in zip(history, history_products, strict=False):
                found = [p for p in products if self.product(p) is not None]
                if found:
                    candidates, source_text = found, turn
                    break
                between.append(turn)
        if not candidates:
            return
        if len(candidates) > 1 and any(u.SUPERLATIVE.search(t) for t in between):
            sized = [
                (u.capacity(got.name if (got := self.product(c)) else None) or 0.0, c) for c in candidates
            ]
            candidates = [max(sized)[1]]
        pay = u.payment(text, self.policy.store_credit_label)
        if pay is None:
            for turn in history:
                pay = u.payment(turn, self.policy.store_credit_label)
                if pay:
                    break
        if pay is None and u.SAME_PAYMENT.search(text):
            referenced = targets or orders
            pay = referenced[0].payment_method if referenced else None
        if pay is None:
            return
        qty = u.quantities(source_text, candidates)
        lines = [{"product_id": c, "quantity": qty[c]} for c in candidates]
        held = {i.product_id for o in orders if o.status in BEFORE_SHIPPING for i in o.items}
        if all(c in held for c in candidates) and not re.search(r"再|另|又|another|one more", text):
            return  # the customer already has an open order for these: no second one unasked
        p = self._add(
            "manage_order", {"action": "增加", "payment": pay, "product_info_list": lines}, None, customer
        )
        if p.allowed and self.policy.store_credit(pay):
            for line in lines:
                self._add("manage_ecard", {"action": "余额使用", **line}, None, customer)


def _numbers(name: str | None) -> set[float]:
    return {
        float(x)
        for x in re.findall(r"(?<![0-9.])([0-9]+(?:\.[0-9]+)?)(?=\s*(?:L|升|l\b)|(?![0-9.]))", name or "")
    }


def _recheck(desk: StoreDesk, name: str, arguments: dict[str, Any], customer_id: str) -> tuple[bool, str]:
    """Policy check of an action with edited arguments, on fresh look-ups."""
    conn = desk.connector
    if conn is None:
        return False, "no store connector is configured"
    try:
        customer = conn.customer(customer_id)
        orders = {o.order_id: o for o in conn.orders(customer_id)}
        products: dict[str, Product | None] = {}
        ids = [arguments.get("original_product_id"), arguments.get("exchange_product_id")]
        ids += [
            line.get("product_id")
            for line in arguments.get("product_info_list") or []
            if isinstance(line, dict)
        ]
        for pid in ids:
            if pid:
                products[str(pid)] = conn.product(str(pid))
    except ConnectorError as exc:
        return False, f"the store system did not answer ({exc})"
    decision = decide(
        desk.policy,
        name,
        arguments,
        order=orders.get(str(arguments.get("order_id") or "")),
        customer=customer,
        products=products,
        now=desk.clock(),
    )
    return decision.allowed, decision.detail

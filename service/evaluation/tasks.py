"""Action eval over ECom-Bench-style tasks: each task's intents become customer turns, each turn is drafted
with the customer's id, and the proposed actions and look-ups are scored against the task's ground truth.

Conversion (general, no task-specific rule): the goals section of ``instruction`` is split at its intent
tags (``<意图…>…<\\意图…>``; without tags, one turn per non-empty line); bracketed notes addressed to the
simulated customer (those containing 注意/禁止/note) are dropped, since a customer would not say them; the
second person is turned into the first (你 -> 我, "you" -> "I"). The previous turns and the drafts for them
are the conversation of the next turn.

Approval is simulated as a reviewer who approves every proposed action the policy allows and nothing
else: those run against a throw-away overlay of the world, so later turns see their effect (a cancelled
order is not cancelled again). Scoring drops the tenant arguments (``platform``, ``shop_id``: connector
configuration) and compares ``user_id`` with the customer; an action counts when its name and every other
argument match exactly (numbers compared as numbers).
"""

from __future__ import annotations

import contextlib
import json
import re
import statistics
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from service.connectors.base import ConnectorError
from service.connectors.files import FileConnector
from service.connectors.models import ActionCall
from service.drafting.models import DraftRequest, Turn
from service.store.models import StoreFindings

GOALS = re.compile(r"###\s*这是你的目标[:：]?")
INTENT = re.compile(r"<(意图[^>]{0,8})>(.*?)(?=<\\?/?意图|\Z)", re.S)
NOTE = re.compile(r"[（(][^（）()]*?(?:注意|禁止|\bnote\b)[^（）()]*[）)]", re.I)
TENANT = {"platform", "shop_id"}
# Benchmark search names -> the look-up kind that answers them. Knowledge searches (product sheets,
# discounts, store-credit rules) are scored as "the product's sheet was among the draft's sources".
CONNECTOR_SEARCHES = {
    "get_logistics_info_tool": "shipment",
    "manage_order_tool": "orders",
    "register_cashback_by_review_tool": "cashback",
    "manage_exchange_tool": "product",
}
PRODUCT_SEARCHES = {
    "get_installation_service_info_tool",
    "get_gift_info_tool",
    "get_repair_info_tool",
    "get_auxiliary_materials_info_tool",
    "get_fault_code_info_tool",
    "get_product_info_tool",
}


def turns_of(instruction: str) -> list[str]:
    """The customer's messages for one task (see the module docstring)."""
    goals = GOALS.split(instruction, maxsplit=1)[-1]
    parts = [m.group(2) for m in INTENT.finditer(goals)]
    if not parts:
        parts = goals.splitlines()
    out: list[str] = []
    for part in parts:
        text = NOTE.sub("", part)
        text = re.sub(r"<[^>]{0,20}>", "", text)
        text = text.replace("你们", "你们").replace("你", "我")
        text = re.sub(r"\byou\b", "I", re.sub(r"\byour\b", "my", text))
        text = " ".join(text.split())
        if text:
            out.append(text[:3900])
    return out


def normalise(value: Any) -> Any:
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value) if re.fullmatch(r"-?\d+\.\d+", value) else value
        except ValueError:
            return value
    if isinstance(value, list):
        return [normalise(v) for v in value]
    if isinstance(value, dict):
        return {k: normalise(v) for k, v in sorted(value.items())}
    return value


def key_of(name: str, arguments: dict[str, Any], customer_id: str) -> str:
    args = {k: v for k, v in arguments.items() if k not in TENANT}
    if args.get("user_id") == customer_id:
        args.pop("user_id")
    return json.dumps([name, normalise(args)], ensure_ascii=False, sort_keys=True)


def loose_key(name: str, arguments: dict[str, Any]) -> str:
    """Name, verb and order only: the action was right even if a detail differs."""
    return json.dumps([name, arguments.get("action"), arguments.get("order_id")], ensure_ascii=False)


@dataclass
class TaskResult:
    index: int
    customer_id: str
    turns: int
    expected: list[str]
    proposed: list[str]
    refused: list[str]  # proposals the policy did not allow (shown to the reviewer, never run)
    exact: int
    loose: int
    loose_expected: int
    connector_expected: int
    connector_found: int
    product_expected: int
    product_found: int
    lookups_ms: list[float] = field(default_factory=list)
    unavailable_turns: int = 0


Drafter = Callable[[DraftRequest], tuple[StoreFindings, str, list[str]]]


def run_task(
    task: dict[str, Any],
    index: int,
    world: Path,
    products: list[Path],
    draft: Drafter,
    make_connector: Callable[[Path], FileConnector] | None = None,
) -> TaskResult:
    cid = str(task["user_id"])
    turns = turns_of(str(task.get("instruction", "")))
    meta = task.get("metadata") or {}
    expected = [key_of(a["name"], a.get("arguments") or {}, cid) for a in meta.get("actions") or []]
    loose_expected = [loose_key(a["name"], a.get("arguments") or {}) for a in meta.get("actions") or []]
    proposed: list[str] = []
    loose: list[str] = []
    refused: list[str] = []
    looked: set[tuple[str, str | None]] = set()
    retrieved: set[str] = set()
    timings: list[float] = []
    unavailable = 0
    conversation: list[Turn] = []
    with tempfile.TemporaryDirectory(prefix="replydraft-tasks-") as tmp:
        conn = (
            make_connector(Path(tmp))
            if make_connector
            else FileConnector(world, state_dir=Path(tmp), products=products)
        )
        for n, message in enumerate(turns):
            req = DraftRequest(customer_message=message, conversation=conversation[-20:], customer_id=cid)
            started = time.perf_counter()
            findings, text, source_products = draft(req)
            timings.append((time.perf_counter() - started) * 1000)
            if findings.lookups_status in ("partial", "unavailable"):
                unavailable += 1
            retrieved.update(source_products)
            for lk in findings.lookups:
                if lk.status == "ok":
                    looked.add((lk.kind, lk.order_id or lk.product_id))
            for p in findings.proposed_actions:
                if not p.allowed:
                    refused.append(key_of(p.name, p.arguments, cid))
                    continue
                proposed.append(key_of(p.name, p.arguments, cid))
                loose.append(loose_key(p.name, p.arguments))
                # The simulated reviewer approves it: it runs, and later turns see the result.
                with contextlib.suppress(ConnectorError, ValueError):
                    conn.perform(
                        ActionCall(name=p.name, customer_id=cid, arguments=p.arguments),
                        key=f"{index}-{n}-{len(proposed)}",
                    )
            conversation += [Turn(role="customer", text=message), Turn(role="agent", text=text[:3900] or "-")]
    exact = sum((Counter(expected) & Counter(proposed)).values())
    loose_hits = sum((Counter(loose_expected) & Counter(loose)).values())
    conn_expected = conn_found = prod_expected = prod_found = 0
    for search in meta.get("searches") or []:
        args = search.get("arguments") or {}
        kind = CONNECTOR_SEARCHES.get(search["name"])
        if kind is not None and (search["name"] != "manage_order_tool" or args.get("action") == "查询"):
            conn_expected += 1
            ref = args.get("original_product_id") if kind == "product" else args.get("order_id")
            conn_found += (kind, ref) in looked
        elif search["name"] in PRODUCT_SEARCHES and args.get("product_id"):
            prod_expected += 1
            prod_found += str(args["product_id"]) in retrieved
    return TaskResult(
        index=index,
        customer_id=cid,
        turns=len(turns),
        expected=expected,
        proposed=proposed,
        refused=refused,
        exact=exact,
        loose=loose_hits,
        loose_expected=len(loose_expected),
        connector_expected=conn_expected,
        connector_found=conn_found,
        product_expected=prod_expected,
        product_found=prod_found,
        lookups_ms=timings,
        unavailable_turns=unavailable,
    )


def _ratio(a: int, b: int) -> float | None:
    return round(a / b, 3) if b else None


def summarise(results: list[TaskResult]) -> dict[str, Any]:
    expected = sum(len(r.expected) for r in results)
    proposed = sum(len(r.proposed) for r in results)
    exact = sum(r.exact for r in results)
    per_type: dict[str, dict[str, int]] = {}
    for r in results:
        matched = Counter(r.expected) & Counter(r.proposed)
        for key in r.expected:
            per_type.setdefault(json.loads(key)[0], Counter())["expected"] += 1
        for key in r.proposed:
            per_type.setdefault(json.loads(key)[0], Counter())["proposed"] += 1
        for key, n in matched.items():
            per_type[json.loads(key)[0]]["exact"] += n
    timings = [t for r in results for t in r.lookups_ms]
    return {
        "tasks": len(results),
        "turns": sum(r.turns for r in results),
        "actions_expected": expected,
        "actions_proposed": proposed,
        "actions_exact": exact,
        "precision": _ratio(exact, proposed),
        "recall": _ratio(exact, expected),
        "loose_recall": _ratio(sum(r.loose for r in results), sum(r.loose_expected for r in results)),
        "refused_shown": sum(len(r.refused) for r in results),
        "tasks_all_actions_exact": sum(1 for r in results if r.exact == len(r.expected) == len(r.proposed)),
        "connector_lookup_recall": _ratio(
            sum(r.connector_found for r in results), sum(r.connector_expected for r in results)
        ),
        "product_lookup_recall": _ratio(
            sum(r.product_found for r in results), sum(r.product_expected for r in results)
        ),
        "per_action": {
            name: {
                "expected": c["expected"],
                "proposed": c["proposed"],
                "exact": c["exact"],
                "precision": _ratio(c["exact"], c["proposed"]),
                "recall": _ratio(c["exact"], c["expected"]),
            }
            for name, c in sorted(per_type.items())
        },
        "turn_ms_p50": round(statistics.median(timings), 1) if timings else None,
        "turn_ms_p95": round(sorted(timings)[int(0.95 * (len(timings) - 1))], 1) if timings else None,
    }

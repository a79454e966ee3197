"""Store policy decisions, message understanding and the task conversion and scoring of the action eval:
the rules a draft's look-ups and proposals follow, on small hand-made facts."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

from service.cli import app as cli
from service.connectors.models import Customer, ExchangeOption, Order, OrderItem, Product
from service.evaluation.tasks import key_of, turns_of
from service.store import understand as u
from service.store.desk import mask_name, mask_phone
from service.store.policy import StorePolicy, decide
from tests.conftest import REPO

NOW = datetime(2026, 12, 4, 12, 0, tzinfo=UTC)


def _order(status: str, **extra: object) -> Order:
    return Order(order_id="o1", customer_id="c1", status=status, status_label=status, **extra)  # type: ignore[arg-type]


def _decide(name: str, args: dict[str, object], order: Order | None, **kw: object) -> tuple[bool, str]:
    d = decide(
        StorePolicy(),
        name,
        args,
        order=order,
        customer=kw.get("customer"),
        products=kw.get("products", {}),
        now=NOW,
    )  # type: ignore[arg-type]
    return d.allowed, d.code


@pytest.mark.parametrize(
    ("status", "cancel", "expedite", "ret"),
    [
        ("paid", True, True, False),
        ("processing", True, True, False),
        ("shipped", False, True, False),
        ("delivered", False, False, True),
        ("cancelled", False, False, False),
    ],
)
def test_status_rules(status: str, cancel: bool, expedite: bool, ret: bool) -> None:
    order = _order(status, delivered_at="2026-12-01 10:00:00")
    assert _decide("manage_order", {"order_id": "o1", "action": "取消"}, order)[0] is cancel
    assert _decide("manage_urgent", {"order_id": "o1"}, order)[0] is expedite
    assert _decide("manage_return", {"order_id": "o1"}, order)[0] is ret


def test_the_return_window_counts_from_delivery() -> None:
    inside = _order("delivered", delivered_at="2026-11-30 09:00:00")
    outside = _order("delivered", delivered_at="2026-11-20 09:00:00")
    unknown = _order("delivered")
    assert _decide("manage_return", {"order_id": "o1"}, inside) == (True, "ok")
    assert _decide("manage_return", {"order_id": "o1"}, outside) == (False, "window")
    assert _decide("manage_return", {"order_id": "o1"}, unknown) == (False, "window")
    no_window = StorePolicy(return_window_days=None)
    assert decide(no_window, "manage_return", {}, order=outside, customer=None, products={}, now=NOW).allowed


def test_an_exchange_target_must_be_on_the_list_and_on_sale() -> None:
    product = Product(
        product_id="p1",
        exchange_options=[ExchangeOption(product_id="p2"), ExchangeOption(product_id="p3", listed=False)],
    )
    order = _order("paid", items=[OrderItem(product_id="p1")])
    base = {"order_id": "o1", "action": "换货", "original_product_id": "p1"}
    assert _decide("manage_exchange", {**base, "exchange_product_id": "p2"}, order, products={"p1": product})[
        0
    ]
    assert _decide(
        "manage_exchange", {**base, "exchange_product_id": "p3"}, order, products={"p1": product}
    ) == (
        False,
        "not_listed",
    )
    assert _decide(
        "manage_exchange", {**base, "exchange_product_id": "p9"}, order, products={"p1": product}
    ) == (
        False,
        "not_exchangeable",
    )


def test_paying_with_store_credit_needs_the_balance() -> None:
    products = {"p1": Product(product_id="p1", price=300.0)}
    args = {"action": "增加", "payment": "e-card", "product_info_list": [{"product_id": "p1", "quantity": 2}]}
    rich = Customer(customer_id="c1", ecard_balance=1000)
    poor = Customer(customer_id="c1", ecard_balance=500)
    assert _decide("manage_order", args, None, customer=rich, products=products)[0]
    assert _decide("manage_order", args, None, customer=poor, products=products) == (False, "balance")
    off = {"p1": Product(product_id="p1", price=300.0, listed=False)}
    assert _decide("manage_order", args, None, customer=rich, products=off) == (False, "not_listed")


def test_the_policy_file_is_validated(tmp_path: Path) -> None:
    assert StorePolicy.load(REPO / "eval" / "store" / "ecom-bench-policy.yaml").return_window_days is None
    bad = tmp_path / "p.yaml"
    bad.write_text("cancel_statuses: [teleported]\n", encoding="utf-8")
    with pytest.raises(Exception, match="store policy file"):
        StorePolicy.load(bad)


@pytest.mark.parametrize(
    ("text", "ops"),
    [
        ("如果还没有发货，我希望取消订单", ["cancel"]),
        ("帮我把订单加急一下", ["expedite"]),
        ("我不会预约维修服务", []),
        ("我再使用看看，如果还是噪声很大，我会选择退货", []),
        ("Please cancel my order and expedite the other one", ["cancel", "expedite"]),
        ("我之前购买了商品100042754736", []),
        ("我想购买1个电热水器，用E卡支付", ["create", "balance"]),
        ("查询一下订单有没有返现记录", ["status", "cashback_query"]),
        ("如果验证通过，登记返现信息", ["cashback", "cashback_query"]),
        ("热水器的晒单返现登记了吗？", ["cashback_query"]),
    ],
)
def test_operations_are_explicit_requests(text: str, ops: list[str]) -> None:
    assert u.operations(text) == ops


def test_details_and_ids() -> None:
    d = u.details('我想预约周五的安装服务，电话17325959911，名字张三，地址改为"南头街道玉泉路3号"')
    assert (d.days, d.phones, d.names, d.service_type) == (["周五"], ["17325959911"], ["张三"], "安装")
    assert d.new_address == "南头街道玉泉路3号"
    text = "截图 https://x.jd.com/t2026/68143623F82bb7f79/a.jpg 订单313021098954，电话15540534614"
    assert u.ids_in(text) == ["313021098954"]  # not a digit run inside a link, not a phone number
    assert u.ids_in("https://item.jd.com/100042754736.html?sdx=1，订单是313271663680") == [
        "100042754736",
        "313271663680",
    ]
    assert u.quantities(
        "我想购买2台燃气热水器（商品ID：100002076057）和1台电热水器（商品ID：100192946480）",
        ["100002076057", "100192946480"],
    ) == {
        "100002076057": 2,
        "100192946480": 1,
    }


def test_which_order_a_message_is_about() -> None:
    orders = [
        Order(
            order_id="111111111",
            customer_id="c",
            status="paid",
            status_label="已付款",
            items=[OrderItem(product_id="P-A")],
        ),
        Order(
            order_id="222222222",
            customer_id="c",
            status="delivered",
            status_label="已签收",
            items=[OrderItem(product_id="P-B")],
        ),
    ]

    def resolve(
        text: str, history: list[str] = (), products: list[str] = (), fits: tuple[str, ...] = ()
    ) -> tuple[list[str], str]:  # type: ignore[assignment]
        r = u.resolve(
            text,
            orders,
            history=history,
            mentioned_products=products,
            history_products=[[] for _ in history],
            fits=fits,
        )
        return [o.order_id for o in r.orders], r.evidence

    assert resolve("订单222222222到哪了") == (["222222222"], "id")
    assert resolve("所有订单都加急") == (["111111111", "222222222"], "all")
    assert resolve("P-B 坏了想退货", products=["P-B"]) == (["222222222"], "product")
    assert resolve("那就取消吧", history=["订单111111111还没发货吗"]) == (["111111111"], "history")
    assert resolve("帮我取消订单", fits=("paid", "processing")) == (["111111111"], "only")
    assert resolve("帮我看看订单") == ([], "none")
    assert resolve("订单999999999的返现") == ([], "unknown_id")


def test_personal_data_is_masked() -> None:
    assert mask_phone("15540534614") == "155****4614"
    assert mask_name("宋敬明") == "宋**"


def test_task_conversion_and_action_keys() -> None:
    instruction = (
        "### 这是你的画像：\n人设\n### 这是你的目标：\n<意图一>\n"
        "你要求客服取消订单123（注意，你不知道订单ID，禁止透露）\n<\\意图一>\n<意图二>\n最后，你希望加急。\n<\\意图二>\n"
    )
    assert turns_of(instruction) == ["我要求客服取消订单123", "最后，我希望加急。"]
    a = key_of("manage_urgent", {"platform": "jd", "shop_id": "s", "user_id": "u1", "order_id": "1"}, "u1")
    assert a == key_of("manage_urgent", {"order_id": "1"}, "u1")
    assert key_of("manage_ecard", {"amount": 1199}, "u") == key_of("manage_ecard", {"amount": 1199.0}, "u")


def test_eval_tasks_scores_a_small_world(tmp_path: Path) -> None:
    world = tmp_path / "world"
    import shutil

    shutil.copytree(REPO / "demo" / "orders", world)
    tasks = [
        {
            "user_id": "demo-lin",
            "instruction": (
                "### 这是你的目标：\n<意图一>\n你的订单820001000101还没发货，你要求客服取消订单\n<\\意图一>"
            ),
            "metadata": {
                "actions": [
                    {
                        "name": "manage_order",
                        "arguments": {"user_id": "demo-lin", "order_id": "820001000101", "action": "取消"},
                    }
                ],
                "searches": [],
            },
        }
    ]
    (world / "tasks.json").write_text(json.dumps(tasks, ensure_ascii=False), encoding="utf-8")
    report = tmp_path / "report.json"
    env = {"REPLYDRAFT_EMBEDDER": "fake", "REPLYDRAFT_DATA_DIR": str(tmp_path / "data")}
    res = CliRunner().invoke(
        cli,
        ["eval-tasks", "--world", str(world), "--source", str(REPO / "knowledge"), "--report", str(report)],
        env=env,
    )
    assert res.exit_code == 0, res.output
    summary = json.loads(report.read_text(encoding="utf-8"))["summary"]
    assert summary["actions_exact"] == 1 and summary["precision"] == 1.0 and summary["recall"] == 1.0


def test_weave_puts_the_facts_after_the_greeting_and_drops_what_they_replace() -> None:
    from service.drafting.sources import Source
    from service.store.desk import Consultation
    from service.store.hook import weave
    from service.store.models import StoreFindings

    found = Consultation(
        StoreFindings(customer_id="c", order_ids=["o1"]),
        [
            Source(
                marker=3,
                kind="passage",
                source_id="order:o1",
                title="Order o1",
                text="Order o1; status: paid.",
            )
        ],
        "Order o1; status: paid [3].",
    )
    text = (
        "Hello, and thank you for contacting us. Your order o1 is paid [3]. "
        "The 1.5L kettle ships in 2 days [1]. Please send us your order number. Anything else, just ask."
    )
    woven = weave(text, found)
    assert woven.startswith("Hello, and thank you for contacting us. Order o1; status: paid [3].")
    assert "is paid [3]" not in woven and "order number" not in woven
    assert "The 1.5L kettle ships in 2 days [1]." in woven
    zh = weave("亲，您好！订单o1已付款[3]。如还有其他问题，欢迎随时联系我们。", found)
    assert zh == "亲，您好！Order o1; status: paid [3].如还有其他问题，欢迎随时联系我们。"

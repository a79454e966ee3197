"""Synthetic knowledge bases for benchmarks: realistic Chinese product sheets and policies at any size.

Products come in families of near-duplicates (same series, different capacity/model code), as real shops
have, so retrieval at scale is tested on the hard case. Deterministic for a given seed.
"""

from __future__ import annotations

import random
from pathlib import Path

import yaml

CATEGORIES = {
    "家电": (["电热水器", "空气炸锅", "电饭煲", "净水器", "洗碗机", "电暖器"], ["升", "L"]),
    "数码": (["蓝牙耳机", "充电宝", "智能手表", "平板电脑", "机械键盘", "移动硬盘"], ["mAh", "GB"]),
    "服装": (["羽绒服", "冲锋衣", "卫衣", "牛仔裤", "衬衫", "运动鞋"], ["码"]),
    "食品": (["坚果礼盒", "挂耳咖啡", "红枣", "牛肉干", "蜂蜜", "燕麦片"], ["g", "克"]),
    "家居": (["乳胶枕", "四件套", "收纳箱", "落地灯", "办公椅", "懒人沙发"], ["cm"]),
}
BRANDS = ["晨光", "青禾", "云舒", "北辰", "拾光", "木森", "海岚", "星河", "知暖", "松野"]
FEATURES = [
    "采用食品级材质，安全无异味",
    "支持一键智能控制，操作简单",
    "多重安全保护，防干烧防漏电",
    "整机轻量化设计，便于收纳携带",
    "低噪运行，夜间使用不打扰",
    "环保包装，可回收利用",
    "通过国家3C认证",
    "适合2-4人家庭日常使用",
    "细节做工扎实，耐用性好",
    "支持以旧换新活动",
]
POLICY_TOPICS = [
    "退货",
    "换货",
    "退款",
    "发货",
    "运费",
    "发票",
    "保修",
    "价保",
    "赠品",
    "投诉",
    "会员积分",
    "破损",
]


def _product(rng: random.Random, family: int, variant: int, category: str) -> dict[str, object]:
    kinds, units = CATEGORIES[category]
    kind = kinds[family % len(kinds)]
    brand = BRANDS[family % len(BRANDS)]
    code = f"{brand[0].upper() if brand[0].isascii() else 'X'}{family:04d}-{variant + 1}"
    size = (variant + 1) * rng.choice([10, 20, 50, 100])
    price = rng.choice([59, 99, 129, 199, 299, 499, 899, 1299, 1999]) + variant * 50
    return {
        "商品ID": f"SYN-{family:05d}-{variant}",
        "商品名称": f"{brand}{kind} {size}{units[0]} {code}",
        "商品价格": price,
        "商品状态": rng.choice(["在售", "在售", "在售", "已下架", "预售"]),
        "类目": category,
        "型号": code,
        "商品描述": "，".join(rng.sample(FEATURES, 4)) + f"。容量/规格为{size}{units[0]}。",
        "保修说明": f"整机保修{rng.choice([1, 2, 3])}年，核心部件保修{rng.choice([3, 5])}年。",
        "赠品信息": [
            {
                "赠品名称": rng.choice(["收纳袋", "清洁刷", "保温杯", "定制贴纸"]),
                "赠品描述": "随主商品一同发货。",
            }
        ],
        "常见问题": [
            {"问题": "如何清洁？", "解答": "断电后用湿布擦拭表面，请勿直接冲洗。"},
            {"问题": "多久发货？", "解答": "付款后48小时内发货。"},
        ],
    }


def generate(root: Path, products: int, policies: int = 24, seed: int = 7, per_file: int = 200) -> None:
    """Write `products` product sheets (YAML files of `per_file` records) and `policies` Markdown files."""
    rng = random.Random(seed)
    root.mkdir(parents=True, exist_ok=True)
    cats = list(CATEGORIES)
    batch: list[dict[str, object]] = []
    file_no = 0
    for i in range(products):
        family, variant = divmod(i, 3)  # families of three near-duplicates
        batch.append(_product(rng, family, variant, cats[family % len(cats)]))
        if len(batch) == per_file:
            (root / f"products_{file_no:04d}.yaml").write_text(
                yaml.safe_dump(batch, allow_unicode=True), "utf-8"
            )
            batch, file_no = [], file_no + 1
    if batch:
        (root / f"products_{file_no:04d}.yaml").write_text(yaml.safe_dump(batch, allow_unicode=True), "utf-8")
    pol = root / "policies"
    pol.mkdir(exist_ok=True)
    for j in range(policies):
        topic = POLICY_TOPICS[j % len(POLICY_TOPICS)]
        sections = []
        for s in range(4):
            days = rng.choice([3, 7, 15, 30])
            sections.append(
                f"## {topic}规则{s + 1}\n\n"
                f"顾客在签收后{days}天内可以申请{topic}相关服务。客服应先安抚情绪，再核实订单信息。"
                f"处理时效为{rng.choice([24, 48, 72])}小时内给出结果；特殊商品以页面说明为准。"
                f"如有疑问，请在平台内联系在线客服，我们会在{rng.choice([1, 2, 3])}个工作日内回复。\n"
            )
        (pol / f"policy_{j:03d}.md").write_text(
            f"# {topic}政策（第{j + 1}版）\n\n" + "\n".join(sections), "utf-8"
        )

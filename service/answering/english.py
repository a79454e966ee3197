"""English sentences for facts written in Chinese (the offline drafter answering an English customer).

Word-by-word glossary substitution turns Chinese sheets into broken English ("Gift microwave: ... after
delivery 20 days customer service registration, microwave one"), so a Chinese fact is rendered in three
tiers, per clause (a clause ends at a comma or semicolon):

1. **Templates** for the clause shapes product sheets use everywhere (a warranty period, a fee with its
   unit, a gift's claim deadline, a dispatch time): the numbers and units are converted, the slot words
   must be known terms, and the English is written as a whole sentence.
2. **Terms**: a clause made only of known nouns (parts, appliances, gifts, materials), numbers with units
   and list punctuation ("内胆、加热器、温控器等") becomes the English list.
3. **Quote**: anything else is quoted as written inside an English sentence ("the product sheet says:
   “…”"), never guessed; the composer keeps quotes within the reply's language budget (see
   ``CJK_BUDGET``) and leaves out a fact it cannot state that way.

The term table is general e-commerce and appliance vocabulary (not one store's); numbers are kept as
written with English units (升 -> L, 元 -> yuan, 工作日 -> working days, 分钟 -> minutes, 瓦 -> W).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from functools import lru_cache

from service.answering.facts import join_thousands, quantities
from service.answering.gist import gist_en, longest_first
from service.knowledge.products import model_codes

CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]")
LATIN = re.compile(r"[A-Za-z]")
QUOTE_CHARS = 40  # a longer untranslatable clause is not quoted (the English reply would be mostly Chinese)
CJK_BUDGET = 0.08  # share of CJK characters an English reply may carry in quotes (the reviewer's limit: 0.1)

# ---------------------------------------------------------------------------------------------- terms

# General online-retail and appliance vocabulary, Chinese -> English (nouns and noun phrases only, so a
# clause of them reads as an English list). Longest match wins.
TERMS: dict[str, str] = {
    # order statuses, and the operations a store rule allows in them
    "待付款": "pending payment", "已付款": "paid", "处理中": "processing", "已签收": "delivered",
    "已发货": "shipped", "退货申请": "a return request", "退货": "a return", "换货": "an exchange",
    "取消订单": "cancelling the order", "修改订单": "changing the order",
    # walls, fittings and installation materials
    "混凝土": "concrete", "大理石": "marble", "岩板": "sintered stone", "石英石": "quartz stone",
    "瓷砖": "tile", "非承重墙": "non-load-bearing wall", "实心砖墙": "solid brick wall",
    "T型支架": "T-shaped bracket", "T形支架": "T-shaped bracket", "安装支架": "mounting bracket",
    "点火针": "ignition needle", "温控板": "thermostat board",
    # parts and components
    "整机": "whole unit", "主机": "main unit", "内胆": "inner tank", "加热管": "heating element",
    "加热器": "heating element", "加热棒": "heating rod", "电加热管": "electric heating element",
    "电机": "motor", "马达": "motor", "压缩机": "compressor", "电控系统": "electronic controls",
    "主要部件": "main components",
    "核心部件": "core components", "主要零部件": "main components", "零部件": "parts", "部件": "parts",
    "配件": "accessories", "温控器": "thermostat", "传感器": "sensor", "温度传感器": "temperature sensor",
    "主板": "main board", "电源板": "power board", "电脑板": "control board", "控制板": "control board",
    "显示屏": "display", "显示板": "display board", "遥控器": "remote control", "滤芯": "filter cartridge",
    "滤网": "filter", "镁棒": "magnesium rod", "安全阀": "safety valve", "单向阀": "check valve",
    "减压阀": "pressure-reducing valve", "角阀": "angle valve", "阀门": "valve", "水阀": "water valve",
    "燃气阀": "gas valve", "热交换器": "heat exchanger", "换热器": "heat exchanger",
    "主换热器": "main heat exchanger",
    "风机": "fan", "风扇电机": "fan motor", "水泵": "water pump", "循环泵": "circulation pump",
    "增压泵": "booster pump", "点火器": "igniter", "火排": "burner", "燃烧器": "burner", "密封圈": "seal",
    "电源线": "power cord", "插头": "plug", "插座": "socket", "挂板": "wall bracket", "挂架": "wall bracket",
    "支架": "bracket", "膨胀螺栓": "expansion bolts", "膨胀螺丝": "expansion screws", "螺丝": "screws",
    "烟管": "flue pipe", "排烟管": "flue pipe", "烟管弯头": "flue elbow", "弯头": "elbow",
    "波纹管": "corrugated hose", "不锈钢波纹管": "stainless steel corrugated hose",
    "燃气波纹管": "gas corrugated hose", "水路波纹管": "water corrugated hose", "软管": "hose",
    "进出水管": "inlet and outlet pipes", "进水管": "inlet pipe", "出水管": "outlet pipe",
    "水管": "water pipe",
    "排水管": "drain hose", "冷凝水": "condensate", "燃气管": "gas pipe", "PPR管": "PPR pipe", "三通": "tee",
    "直接头": "straight coupling",
    "接头": "connector", "活接": "union", "生料带": "PTFE tape", "管帽": "pipe cap", "堵头": "plug",
    "电机保修": "motor warranty", "面板": "front panel", "外壳": "casing", "灯板": "light board",
    "刷头": "brush head", "电池": "battery", "充电器": "charger", "充电盒": "charging case",
    "数据线": "cable", "说明书": "manual", "保修卡": "warranty card", "包装清单": "package contents",
    "4分": "1/2-inch", "6分": "3/4-inch",
    # appliances and gifts
    "热水器": "water heater", "电热水器": "electric water heater", "燃气热水器": "gas water heater",
    "小厨宝": "kitchen water heater", "油烟机": "range hood", "吸油烟机": "range hood", "燃气灶": "gas hob",
    "灶具": "hob", "洗碗机": "dishwasher", "净水器": "water purifier", "净水龙头": "water-purifying faucet",
    "龙头": "faucet", "水龙头": "faucet", "电风扇": "electric fan", "风扇": "fan", "落地扇": "floor fan",
    "台扇": "desk fan", "空气炸锅": "air fryer", "微波炉": "microwave oven", "烤箱": "oven",
    "电饭煲": "rice cooker", "电煮锅": "electric cooking pot", "煎锅": "frying pan", "炒锅": "wok",
    "不粘锅": "non-stick pan", "电水壶": "electric kettle", "水壶": "kettle", "吹风机": "hair dryer",
    "电吹风": "hair dryer", "剃须刀": "shaver", "花洒": "shower head", "花洒套装": "shower set",
    "淋浴套装": "shower set", "毛巾": "towel", "浴巾": "bath towel", "保温杯": "vacuum flask",
    "水杯": "cup", "餐具": "tableware", "刀具": "knife set", "砧板": "chopping board",
    "收纳盒": "storage box",
    "E卡": "JD E-card", "e卡": "JD E-card", "京东E卡": "JD E-card", "礼品卡": "gift card",
    "购物卡": "shopping card",
    "积分卡": "points card", "京豆": "JD beans", "优惠券": "coupon", "延保券": "extended-warranty voucher",
    "延保卡": "extended-warranty card", "安装工具包": "installation tool kit", "工具包": "tool kit",
    "赠品": "free gift", "礼品": "gift", "安装服务": "installation service",
    "免费安装服务": "free installation service", "延长保修期": "extended warranty",
    "延保": "extended warranty",
    "会员": "membership", "美的会员": "Midea membership",
    # fees, services, documents
    "安装费": "installation fee", "基础安装费": "basic installation fee", "安装费用": "installation fee",
    "人工费": "labour", "材料费": "materials", "辅材": "installation materials",
    "辅材包": "installation materials kit", "安装辅材包": "installation materials kit",
    "安装配件包": "installation fittings kit", "辅材费": "materials fee",
    "费用": "fee", "管道": "pipe", "补差": "surcharge", "山区": "mountain areas",
    "上门费": "call-out fee", "远程费": "remote-area fee", "空跑费": "wasted-trip fee",
    "维修费": "repair fee",
    "运费": "shipping fee", "发票": "invoice", "电子发票": "e-invoice",
    "增值税专用发票": "VAT special invoice",
    "订单截图": "order screenshot", "购买凭证": "proof of purchase", "订单": "order", "电子订单": "e-order",
    "原始购买发票": "original purchase invoice", "订单号": "order number", "SN码": "SN code",
    "保修政策": "warranty policy", "保修范围": "warranty coverage", "保修期": "warranty period",
    "质保期": "warranty period", "保修凭证": "proof for warranty", "维修服务": "repair service",
    "维修流程": "repair process", "安装说明": "installation", "安装要求": "installation requirements",
    "基本要求": "basic requirements", "安装流程": "installation steps", "免费服务": "free services",
    "额外收费": "extra charges", "额外收费项目": "extra charges", "收费标准": "charges",
    "注意事项": "notes", "维修说明": "repairs and warranty", "常见故障": "common faults",
    "故障代码": "fault code", "故障名称": "fault", "故障解决方案": "what to do", "解决方案": "what to do",
    "赠品名称": "gift", "赠品描述": "details", "辅材名称": "material", "辅材描述": "details",
    "产品尺寸": "dimensions", "尺寸": "dimensions", "重量": "weight", "净重": "net weight",
    "毛重": "gross weight", "包装重量": "packed weight", "功率": "power", "额定功率": "rated power",
    "容量": "capacity", "电压": "voltage", "能效": "energy efficiency", "一级能效": "energy class 1",
    "颜色": "colour", "材质": "material", "产地": "origin", "型号": "model", "档位": "speed settings",
    "水压": "water pressure", "进水压力": "inlet water pressure", "温度": "temperature",
    "出水温度": "outlet water temperature", "加热时间": "heating time", "额定容量": "rated capacity",
    "搪瓷内胆": "enamel inner tank", "不锈钢": "stainless steel", "金属": "metal", "塑料": "plastic",
    "天然气": "natural gas", "液化气": "LPG", "液化石油气": "LPG",
    "一线城市": "first-tier cities", "偏远地区": "remote areas", "城市地区": "urban areas",
    "工作日": "working days", "节假日": "public holidays",
    "已上架": "on sale", "在售": "on sale", "上架": "on sale", "预售": "on pre-order",
    "已下架": "no longer sold",
    "下架": "no longer sold", "缺货": "out of stock", "售罄": "sold out", "停产": "discontinued",
    "有货": "in stock",
    "现货": "in stock",
    # common faults (appliance fault tables)
    "漏水": "water leak", "内胆漏水": "inner tank leak", "加热缓慢": "slow heating",
    "无法加热": "not heating",
    "不加热": "not heating", "加热器故障": "heating element fault",
    "加热管不工作": "heating element not working",
    "水温不升": "water temperature not rising", "水温不稳定": "unstable water temperature",
    "水温波动": "fluctuating water temperature", "水温过高": "water too hot", "无法点火": "no ignition",
    "点火失败": "ignition failure", "熄火": "flame goes out", "噪音过大": "too much noise", "噪音大": "noisy",
    "异响": "abnormal noise", "不出热水": "no hot water", "热水水压小": "low hot-water pressure",
    "不上水": "no water inflow", "风道堵塞": "blocked air duct", "排水不畅": "poor drainage",
    "漏电": "current leakage", "漏电保护": "leakage protection",
    "温度显示异常": "abnormal temperature display",
    "显示异常": "abnormal display", "传感器故障": "sensor fault", "通讯故障": "communication fault",
    "超温保护": "over-temperature protection", "干烧保护": "dry-heating protection",
    "防冻保护": "anti-freeze protection",
    "缺水": "no water", "水流量不足": "low water flow", "风压异常": "abnormal air pressure",
    "水温异常": "abnormal water temperature", "水压异常": "abnormal water pressure",
    "加热异常": "abnormal heating", "水质浑浊": "cloudy water", "意外熄火": "unexpected flame-out",
    "火力不稳": "unstable flame", "无法启动": "does not start", "不启动": "does not start",
    "不转动": "not turning", "无法排水": "not draining", "不排水": "not draining", "不烘干": "not drying",
    "不制冷": "not cooling", "吸力不足": "weak suction", "排烟不畅": "poor exhaust",
    "水量不足": "low water flow", "加热效果变差": "weaker heating", "加热问题": "heating problem",
    # what fault steps check (fault tables)
    "电源连接": "power connection", "连接处": "connections", "连接部件": "connecting parts",
    "连接件": "fittings", "连接": "connection", "燃气供应": "gas supply", "气源": "gas supply",
    "燃气阀门": "gas valve", "进水阀": "inlet valve", "进水阀门": "inlet valve",
    "进出水阀": "inlet and outlet valves", "燃气管道": "gas pipe", "水路": "water circuit",
    "开关": "switch", "风扇叶片": "fan blades", "叶片": "blades", "网罩": "guard",
    "安装位置": "installation position", "水温设置": "water temperature setting",
    "温度设置": "temperature setting", "温控器设置": "thermostat setting", "设置": "setting",
    "电池电量": "battery level", "水质": "water quality", "过滤器": "filter",
    "排水泵": "drain pump", "水箱": "water tank", "密封件": "seals", "电源插座": "power socket",
    "所有连接部件": "all connecting parts", "所有连接件": "all fittings", "排水管组件": "drain hose",
    "供气压力": "gas supply pressure",
    "燃气压力": "gas pressure", "水伺服": "water servo", "进水滤网": "inlet filter",
    "液化气瓶阀": "LPG cylinder valve", "气瓶阀": "cylinder valve", "压力": "pressure",
    # more parts, fittings and wiring (installation conditions, fee tables)
    "混水阀": "mixing valve", "止逆阀": "non-return valve", "三通阀": "tee valve", "编织": "braided",
    "编织进水管": "braided inlet hose", "不锈钢编织进水管": "stainless steel braided inlet hose",
    "电源线路": "power circuit", "独立电源线路": "dedicated power circuit", "空气开关": "circuit breaker",
    "地线": "earth wire", "油网": "grease filter", "风帽": "wall cap", "止逆风帽": "non-return wall cap",
    "感应窗": "sensor window", "喷臂": "spray arm", "碗篮": "dish rack", "水箱模式": "water tank mode",
    "充电座": "charging dock", "边刷": "side brush", "拖布": "mop", "尘盒": "dust box",
    # faults and their causes (fault tables)
    "进水超时": "water inlet timeout", "溢水保护": "overflow protection", "溢水": "overflow",
    "无法回充": "cannot return to the dock", "吸力变小": "weaker suction", "积水": "standing water",
    "泡沫": "foam", "普通洗洁精": "ordinary dish soap", "洗洁精": "dish soap", "油污": "grease",
    "干烧保护触发": "dry-heating protection triggered",
    # the parts a warranty names apart (a stroller's frame and fabric, a shaver's foil)
    "车架": "frame", "面料": "fabric", "轮子": "wheels", "其他部件": "other parts", "刀网": "shaver foil",
    "刀头": "blade head", "腕带": "strap", "耗材": "consumables", "易损件": "wearing parts",
    # clothing care (wash labels)
    "手洗": "hand wash", "机洗": "machine wash", "干洗": "dry clean", "拧干": "wring out",
    "烘干": "tumble dry", "漂白": "bleach", "熨烫": "iron", "低温熨烫": "iron on low heat",
    "晾干": "dry", "平铺晾干": "dry flat", "阴干": "dry in the shade", "暴晒": "direct sunlight",
    "反面晾晒": "dry inside out", "洗涤剂": "detergent", "羽绒专用洗涤剂": "down detergent",
    "中性洗涤剂": "mild detergent", "柔顺剂": "fabric softener", "洗衣袋": "laundry bag",
    "轻柔模式": "gentle cycle", "深浅色分开洗": "wash darks and lights separately", "掉色": "colour bleeding",
    "缩水": "shrinkage", "跑绒": "down leaking",
    # pre-sales, payments and points
    "定金": "deposit", "尾款": "balance", "全款": "full payment", "全额退款": "full refund",
    "积分": "points", "开票金额": "invoice amount", "实付金额": "amount paid", "抬头": "invoice title",
    "秒杀活动": "flash sales", "限时抢购": "limited-time sales", "直播间专享价": "live-stream-only prices",
    "整点抢券": "on-the-hour coupon grabs", "短时优惠": "short-term promotions",
    "客服主管": "customer service supervisor", "主管": "supervisor",
    "登机": "boarding a plane", "随身携带": "carry-on", "托运": "checked baggage",
    # product categories of warranty and shipping tables
    "婴儿推车": "baby stroller", "儿童安全座椅": "child car seat", "安全座椅": "car seat",
    "电动牙刷": "electric toothbrush", "电动剃须刀": "electric shaver", "移动电源": "power bank",
    "蓝牙耳机": "Bluetooth earbuds", "蓝牙音箱": "Bluetooth speaker", "智能手环": "smart band",
    "扫地机器人": "robot vacuum", "空气净化器": "air purifier", "大家电": "large appliances",
    "服装": "clothing", "食品": "food", "银卡": "silver members", "金卡": "gold members",
    "无门槛券": "no-minimum coupon", "无理由退货期": "no-reason return period",
}  # fmt: skip
# Light words and common verbs of sheet sentences whose English word order is the same as the Chinese
# (subject-verb-object, modifier before noun): with them a simple clause reads as plain English. Negations
# are here so that they are translated, never dropped; a clause with any word outside the tables is quoted.
WORDS: dict[str, str] = {
    "采用": "uses", "使用": "use", "配合": "with", "搭配": "with", "搭载": "with", "配备": "with",
    "具备": "has", "具有": "has", "拥有": "has", "支持": "supports", "提供": "provides", "包括": "including",
    "包含": "including", "内含": "containing", "含": "including", "约为": "about", "约": "about",
    "仅为": "only",
    "为": "", "是": "is", "可": "can", "可以": "can", "能": "can", "能够": "can", "需": "must",
    "需要": "must",
    "须": "must", "需提供": "must provide", "需要提供": "must provide", "请": "please", "应": "should",
    "建议": "we recommend to", "实现": "achieve", "满足": "meets",
    "确保": "ensure", "适合": "suitable for", "适用于": "suitable for", "用于": "used for", "防止": "prevent",
    "长": "long",
    "避免": "avoid", "延长": "extend", "减少": "reduce", "提升": "improve", "节省": "save", "保持": "keep",
    "检查": "check", "联系": "contact", "更换": "replace", "调整": "adjust", "清理": "clean", "打开": "open",
    "关闭": "turn off", "重启": "restart", "关机": "switch off", "通风": "ventilate", "排查": "check for",
    "开启": "open", "定期": "regularly", "及时": "promptly", "快速": "fast", "高效": "efficient",
    "节能": "energy-saving", "安全": "safe", "稳定": "stable", "方便": "convenient", "简单": "simple",
    "优质": "high-quality", "高功率": "high-power", "大功率": "high-power", "紧凑": "compact",
    "小巧": "small",
    "耐用": "durable", "坚固": "sturdy", "静音": "quiet", "加热": "heating", "加热元件": "heating element",
    "水温": "water temperature", "热水": "hot water", "冷水": "cold water", "用户": "user",
    "客服": "customer service", "售后": "after-sales service", "售后服务": "after-sales service",
    "售后服务中心": "after-sales service centre", "厨房": "kitchen", "浴室": "bathroom", "家庭": "home",
    "办公室": "office", "墙面": "wall", "墙体": "wall", "承重墙": "load-bearing wall", "电源": "power supply",
    "水源": "water supply", "燃气": "gas", "进水": "water inlet", "水流": "water flow", "烟道": "flue",
    "并": "and", "且": "and", "若": "if", "如果": "if", "则": "then", "否则": "otherwise", "以免": "to avoid",
    "不": "not", "无": "no", "禁止": "do not", "请勿": "do not", "勿": "do not", "无法": "cannot",
    "不能": "cannot", "不可": "cannot", "免费": "free", "收费": "charged", "正常": "normal",
    "是否": "whether",
    "签收后": "after delivery", "收货后": "after receipt", "安装前": "before installation",
    "安装后": "after installation", "登记后": "after registration", "购买后": "after purchase",
    "使用前": "before use", "使用后": "after use", "长期不使用": "if unused for a long time", "排空": "drain",
    "一台": "", "一个": "", "一份": "", "一套": "", "一次": "once", "每年": "every year", "每次": "each time",
    "最高": "up to", "最多": "up to", "以上": "or more", "以下": "or less", "左右": "or so",
    "全国": "nationwide",
    "联保": "nationwide warranty", "上门": "on-site", "上门服务": "on-site service", "维修": "repair",
    "安装": "installation", "保修": "warranty", "质保": "warranty", "包修": "warranty", "故障": "fault",
    "问题": "problem", "质量问题": "quality problem", "人为损坏": "damage caused by misuse",
    "非人为损坏": "not caused by misuse", "产品": "product", "商品": "product", "机器": "unit",
    "设备": "unit",
    "功能": "function", "设计": "design", "技术": "technology", "模式": "mode", "系统": "system",
    "材质": "material", "外观": "appearance", "颜色": "colour", "尺寸": "dimensions", "水量": "water volume",
    "出水": "output", "升温": "heating up", "恒温": "constant temperature", "智能": "smart",
    "预约": "scheduling",
    "远程": "remote", "控制": "control", "操作": "operation", "旋钮": "knob", "触控": "touch control",
    "按键": "buttons", "显示": "display", "水垢": "limescale", "结垢": "scaling", "细菌": "bacteria",
    "滋生": "growth", "防冻": "anti-freeze", "冬季": "in winter", "冬天": "in winter",
    "通电": "keep powered on",
    "保持通电": "keep it powered on", "断电": "power off", "防冻功能": "anti-freeze function",
    "零冷水": "zero-cold-water (preheating)", "零冷水功能": "zero-cold-water (preheating) function",
    "即开即热": "instant hot water", "预热": "preheating", "减压阀": "pressure-reducing valve",
    "加装": "install", "安装减压阀": "install a pressure-reducing valve", "安全检查": "safety check",
    "安装方便": "easy to install", "使用安全": "safe to use", "使用方便": "easy to use",
    "出水断电": "power cut-off while water runs", "操作简单": "simple to operate",
    "其": "its", "日常": "daily", "洗碗": "dish washing", "洗菜": "washing vegetables", "需求": "needs",
    "洗浴": "bathing", "淋浴": "showering", "人": "people",
    "温控": "temperature control", "故障现象": "symptom", "现象": "symptom", "可能原因": "possible cause",
    "原因": "cause", "处理方法": "what to do", "处理方式": "what to do", "使用提示": "tips for use",
    "烧水时间": "boiling time", "常温水": "room-temperature water", "可选温度": "selectable temperatures",
    "保温": "keep warm", "选温度": "choose a temperature", "自动关闭": "switches off automatically",
    "自动断电": "automatic power-off", "沸腾": "boiling", "防干烧": "dry-boil protection", "底座": "base",
    "旋转": "rotating", "壶身": "kettle body", "指示灯": "indicator light", "不亮": "not lit",
    "只能": "can only", "烧开": "boil", "选定温度": "the chosen temperature", "最长": "at most",
    "外壳": "casing", "双层": "double-layer", "防烫": "anti-scald", "常见问题": "common questions",
    "充电": "charging", "续航": "battery life", "防水": "waterproof", "蓝牙": "Bluetooth",
    "降噪": "noise cancelling", "重新": "again", "再试": "try again", "换一个": "another",
    "寄修": "send it in for repair", "除垢": "descale", "柠檬酸": "citric acid", "浸泡": "soak",
    "煮沸": "boil", "倒掉": "pour away", "重复": "repeat", "装满水": "fill with water", "新机": "new unit",
    "首次使用": "first use", "气味": "smell", "水位": "water level", "超过": "exceed", "刻度线": "mark",
    "空壶通电": "switch it on empty",
    "享": "", "享受": "", "享有": "", "本产品": "", "服务": "service", "钻": "drilling", "孔": "hole",
    "电梯": "lift", "楼层": "floor", "搬运": "carrying", "余额": "balance", "/孔": " per hole",
    "/层": " per floor", "加长": "extension", "二次上门": "second visit", "加固": "reinforcement",
    "墙体加固支架": "wall reinforcement bracket", "特殊墙体": "special walls", "打孔": "drilling",
    "每个孔": "per hole", "每孔": "per hole", "关键部件": "key components",
    "免费更换或维修": "free replacement or repair",
    "免费更换": "free replacement", "免费维修": "free repair", "更换或维修": "replacement or repair",
    "旧机拆除": "removal of the old unit", "移机": "relocation", "调试": "commissioning", "注册": "register",
    "绑定": "link", "可获": "to get", "晒单": "post a photo review", "好评": "positive review",
    "领取": "claim", "登记": "register", "赠送": "free", "赠品": "free gift",
    "仅限": "only for", "仅": "only", "只": "only", "只支持": "only supports",
    "仅支持": "only supports", "单笔": "a single", "不超过": "no more than", "预售商品": "pre-order items",
    "冷链食品": "cold-chain food", "邮费": "postage",
    "不支持": "not supported", "企业": "companies", "公司名称": "company name",
    "税号": "tax number", "注册地址": "registered address", "电话": "phone number", "开户行": "bank",
    "账号": "account number", "纸质发票": "paper invoice", "顺丰寄出": "sent by SF Express",
    "防汗": "sweat-proof", "防溅": "splash-proof", "游泳佩戴": "be worn swimming", "扫地机": "robot vacuum",
    "切换": "switch", "路由器": "router", "频段": "band", "后重新配网": "and then reconnect it to Wi-Fi",
    "重新配网": "reconnect it to Wi-Fi", "重新点火": "try igniting again", "杂物": "debris",
    "卡住": "stuck", "配网": "connect it to Wi-Fi", "货到付款": "cash on delivery",
    "微信支付": "WeChat Pay", "支付宝": "Alipay", "银联借记卡": "UnionPay debit cards",
    "借记卡": "debit cards", "信用卡": "credit cards", "花呗分期": "Huabei instalments",
    "信用卡分期": "credit-card instalments", "分期": "instalments", "免息": "interest-free",
    # fault steps and usage tips
    "冷却": "let it cool", "加水": "add water", "重新使用": "use it again",
    "倒掉底部积水": "pour away the standing water",
    "显示屏显示": "the display shows", "会产生": "which produces", "产生": "produces", "大量": "a lot of",
    "过多": "too much", "先": "first", "再": "then", "师傅": "the technician",
    "报价": "quotes a price", "施工": "does the work", "按实际使用收费": "charged as actually used",
    "按实际使用": "as actually used", "可抵扣": "can offset", "抵扣": "offset", "反向安装": "rear-facing",
    "正向安装": "forward-facing", "自行安装": "install it yourself", "冲奶粉": "making formula",
    "生水": "unboiled water", "降到": "let it drop to", "直接": "directly", "不要": "do not",
    "擦拭": "wipe", "软布": "a soft cloth", "拆下": "remove", "清洗": "clean", "自清洗": "self-cleaning",
    "启动": "start", "启动自清洗": "start self-cleaning", "紧固": "tighten", "拆机": "take the unit apart",
    "自行拆机": "take the unit apart yourself", "留": "leave", "两侧各留": "leave on each side",
    "前方留": "leave in front", "空间": "space", "两侧": "both sides", "前方": "in front",
    "水温不超过": "water no hotter than", "建议手洗": "hand wash recommended",
    # the verbs of store rules: refunds, cancellations, invoices, points
    "不退": "not refunded", "不予退还": "not refunded", "不退还": "not refunded",
    "可取消": "can be cancelled",
    "取消": "cancel", "付清": "paying off", "发货前": "before dispatch", "发货后": "after dispatch",
    "已付": "paid", "未付": "unpaid", "换开": "reissue", "申请": "apply for", "可申请": "you can apply for",
    "作废": "voided", "重开": "reissued", "填写错误": "filled in wrongly", "不计入": "not counted in",
    "到账": "credited", "确认收货": "confirming receipt", "转给": "pass it to", "升级": "escalate",
    "要求升级": "ask to escalate", "属": "are", "属于": "are", "不在保修范围": "not covered by the warranty",
    "不在保修范围内": "not covered by the warranty", "随身携带登机": "be carried on board",
    "不可托运": "cannot go in checked baggage", "可随身携带登机": "can be carried on board",
    "提前": "in advance", "至少提前": "at least in advance", "告知": "tell", "改约": "rescheduling",
    "每笔订单": "each order", "每个订单": "each order", "低于": "below", "高于": "above",
    "不含": "excluding", "您": "you", "不满意": "not satisfied", "对方案": "with the solution",
    "一线客服": "frontline agents", "当场解决": "solve it on the spot", "会": "will",
    "按倍数计算": "multiplied accordingly", "小数部分舍去": "fractions are dropped", "每月": "per month",
    "生日当月": "in your birthday month", "近": "in the last", "累计实付满": "total payments of",
    "专用发票": "special invoice", "寄回": "send back", "原票": "the original invoice",
    "使用了": "used", "用了": "used", "充满": "fully charged", "充电时使用": "use while charging",
    "视使用环境": "depending on the environment", "机身宽度": "body width",
    "挥手感应开关": "wave-sensor switch",
    "自动清洗": "automatic cleaning", "价格": "price", "普通会员": "regular members",
    "注册即可": "just register",
    "有效期": "validity", "重新计算": "restarts", "未修改": "unaltered", "裤长": "leg length",
    "无理由退货": "no-reason returns",
    "结束后": "ends", "按": "based on", "条件": "condition", "主要权益": "main benefits",
    "已预约安装": "installation is booked", "安装时": "at installation",
    "退货时": "on return", "已安装的": "already installed", "无需拆回": "need not be removed",
    "由师傅免费安装": "installed free by the technician", "抵扣的部分": "deductions",
    "按您实际支付的金额开具": "issued for the amount you actually paid", "开具": "issued",
}  # fmt: skip
_LIST_SEP = {"、": ", ", "和": " and ", "及": " and ", "与": " and ", "或": " or ", "/": "/", "+": " + "}
_FILLER = re.compile(r"[的等]")

# numbers with their units (and ranges), in the order tried
_NUM = r"\d+(?:\.\d+)?(?:\s*[-–~～至到]\s*\d+(?:\.\d+)?)?"
UNITS: list[tuple[str, str, str]] = [  # (Chinese unit, English singular, English plural)
    ("个工作日", "working day", "working days"), ("工作日", "working day", "working days"),
    ("个自然日", "calendar day", "calendar days"), ("自然日", "calendar day", "calendar days"),
    ("个小时", "hour", "hours"), ("小时", "hour", "hours"), ("分钟", "minute", "minutes"),
    ("秒", "second", "seconds"), ("天", "day", "days"), ("日", "day", "days"), ("周", "week", "weeks"),
    ("个月", "month", "months"), ("年", "year", "years"), ("元/次", "yuan per visit", "yuan per visit"),
    ("元/公里", "yuan per km", "yuan per km"), ("元/米", "yuan per metre", "yuan per metre"),
    ("元/个", "yuan each", "yuan each"), ("元/只", "yuan each", "yuan each"), ("元/套", "yuan per set",
    "yuan per set"),
    ("元/条", "yuan each", "yuan each"), ("元/根", "yuan each", "yuan each"), ("元/盘", "yuan per roll",
    "yuan per roll"),
    ("元/台", "yuan per unit", "yuan per unit"), ("元/处", "yuan per point", "yuan per point"),
    ("元/孔", "yuan per hole", "yuan per hole"), ("元", "yuan", "yuan"), ("块钱", "yuan", "yuan"), ("块",
    "yuan",
    "yuan"),
    ("分贝", "dB", "dB"),  # (no m³ or m²: the claim check would read them as metres, unsupported)
    ("毫升", "ml", "ml"), ("升", "L", "L"), ("千瓦", "kW", "kW"), ("瓦", "W", "W"), ("公斤", "kg", "kg"),
    ("千克", "kg", "kg"), ("克", "g", "g"), ("厘米", "cm", "cm"), ("公分", "cm", "cm"), ("毫米", "mm", "mm"),
    ("公里", "km", "km"), ("英寸", "inch", "inches"), ("米", "m", "m"), ("℃", "°C", "°C"), ("度", "°", "°"),
    ("次", "time", "times"),
    ("台", "unit", "units"), ("个", "piece", "pieces"), ("件", "piece", "pieces"), ("套", "set", "sets"),
    ("条", "piece", "pieces"), ("只", "piece", "pieces"), ("张", "piece", "pieces"), ("倍", "x", "x"),
]  # fmt: skip
_UNIT_ALT = "|".join(re.escape(u) for u, _, _ in sorted(UNITS, key=lambda u: -len(u[0])))
_QTY = re.compile(rf"(?P<cur>[¥￥]\s*)?(?P<num>{_NUM})(?:\s*(?P<wan>万))?(?:\s*(?P<unit>{_UNIT_ALT}))?")
_UNIT_EN = {u: (one, many) for u, one, many in UNITS}
_ZH_NUM = {"一": "1", "两": "2", "二": "2", "三": "3", "四": "4", "五": "5", "六": "6", "七": "7", "八": "8",
           "九": "9", "十": "10"}  # fmt: skip
_ZH_QTY = re.compile(r"([一两二三四五六七八九十])(个工作日|工作日|天|个月|年|小时|台|个|次)")


def quantity_en(m: re.Match[str]) -> str:
    """A matched number with its Chinese unit in English ("20个工作日" -> "20 working days", "¥50" ->
    "50 yuan", "2万" -> "20,000")."""
    num = re.sub(r"\s*[-–~～至到]\s*", "-", m.group("num"))
    if m.group("wan"):
        try:
            num = f"{float(num) * 10000:,.0f}"
        except ValueError:
            num = f"{num}0,000"
    unit = m.group("unit")
    if unit is None:
        return f"{num} yuan" if m.group("cur") else num
    one, many = _UNIT_EN[unit]
    english = one if num in ("1", "1.0") else many
    if english == "x":
        return f"{num}x"
    return f"{num}{english}" if english == "°" else f"{num} {english}"


def numbers_en(text: str) -> str:
    """Every number with its unit in English, the rest unchanged."""
    text = _ZH_QTY.sub(lambda m: _ZH_NUM[m.group(1)] + m.group(2), join_thousands(text))
    return _QTY.sub(quantity_en, text)


@lru_cache(maxsize=2)
def _term_pattern(words: bool) -> tuple[re.Pattern[str], dict[str, str]]:
    table = {**WORDS, **TERMS} if words else TERMS
    keys = sorted(table, key=len, reverse=True)
    return re.compile("|".join(re.escape(k) for k in keys)), table


def _per_yuan(m: re.Match[str]) -> str:
    points = m.group(2)
    return f"【{points} point{'' if points == '1' else 's'} per {m.group(1)} yuan】"


_WITHIN = re.compile(rf"(?:在)?(?P<n>{_NUM}\s*(?:个工作日|工作日|个小时|小时|分钟|天|日|个月|年))(?:之)?内")


# a word-by-word gloss keeps the Chinese order, which English cannot take for a cause
# ("条件不满足导致无法安装" is not "condition not meets causing cannot installation")
_UNORDERED = re.compile(r"导致|造成|引起|致使|使得|以致|从而")
# a gloss whose English is broken: a negation before a verb's third-person form ("not meets"), two modals
_UNGRAMMATICAL = re.compile(
    r"\b(?:not|no)\s+(?:meets|has|supports|provides|uses|includes|achieves)\b"
    r"|\b(?:can|cannot|must|should)\s+(?:\w+\s+)?(?:can|cannot|must|should)\b"
)


def terms_en(text: str, words: bool = False) -> str | None:
    """A clause made only of known terms (with ``words``: also the light words and common verbs), numbers
    with units and list punctuation, in English; None when any Chinese word is left that the tables do not
    know (it would be guessed)."""
    text = re.sub(r"([（(])(?:如|例如|比如)", r"\1such as ", text.strip())
    text = text.replace("等其他", "和其他")  # "面料、轮子等其他部件": fabric, wheels and other parts
    text = re.sub(r"每(?:消费)?(\d+)元得(\d+)积分", _per_yuan, text)  # points earned per yuan
    text = re.sub(r"满(\d+)减(\d+)元?券", r"【\2 yuan off \1 yuan coupon】", text)
    # "带漏电保护的16A插座" -> "16A socket with leakage protection": the feature follows the noun
    text = re.sub(r"带([\u4e00-\u9fff]{2,8})的([\u4e00-\u9fffA-Za-z0-9]{2,10})$", r"\2【with】\1", text)
    if words and _UNORDERED.search(text):
        return None  # a cause: word order a gloss cannot give
    if words:  # "24小时内响应" -> "响应 within 24 hours": English puts the time after the verb
        text = _WITHIN.sub(lambda m: f"【within {numbers_en(m.group('n'))}】", text)
    text = numbers_en(text)
    pattern, table = _term_pattern(words)
    out = pattern.sub(lambda m: f"\x01{table[m.group(0)]}\x02", text)
    # "实付金额的10%" -> "10% of the amount paid": English puts the share first
    out = re.sub(r"\x01([^\x01\x02]*)\x02\s*的\s*(\d+(?:\.\d+)?\s*%)", r" \2 of \1 ", out)
    out = out.replace("\x01", " ").replace("\x02", " ")
    out = out.replace("【", " ").replace("】", " ")
    etc = out.rstrip().endswith("等")
    out = _FILLER.sub(" ", out)
    for zh, en in _LIST_SEP.items():
        out = out.replace(zh, en)
    if CJK.search(out) or (words and _UNGRAMMATICAL.search(out)):
        return None
    out = re.sub(r"\s+([,)])", r"\1", out.replace("（", " (").replace("）", ")"))
    out = re.sub(r"\(\s+", "(", out)
    out = re.sub(r"\s{2,}", " ", out).strip(" ,")
    if etc and out:
        out += ", etc."
    return out or None


# ---------------------------------------------------------------------------------------------- templates

# (never the digits of a code: "显示E1" is the display showing E1, not "E: 1")
_N = rf"(?<![A-Za-z\d.])(?P<n>(?:[¥￥]\s*)?{_NUM}\s*万?\s*(?:{_UNIT_ALT})?)"
_T = r"(?P<t>[\u4e00-\u9fffA-Za-z0-9、和及与/（）()\s]{1,24}?)"
_PAY = r"(?:收取|收费|加收|另收|另计|需付|支付|收)"
# the states a fault step checks for ("检查燃气阀是否打开" -> "check that the gas valve is open")
STATES: dict[str, str] = {
    "正常": "normal", "打开": "open", "开启": "open", "已打开": "open", "接通": "connected",
    "连接正常": "connected properly", "松动": "loose", "损坏": "damaged", "堵塞": "blocked",
    "紧固": "secure", "牢固": "secure", "稳固": "secure", "紧密": "tight", "有电": "live",
    "通电": "powered", "稳定": "stable", "完好": "intact", "安装正确": "fitted correctly",
    "安装到位": "fitted correctly", "正确": "correct", "通畅": "clear", "充足": "sufficient",
    "关闭": "closed", "漏水": "leaking", "破裂": "cracked", "有问题": "faulty", "异常": "abnormal",
    "卡住": "stuck", "放置平稳": "standing level", "平稳": "level", "开启状态": "on",
    "弯折": "kinked", "折弯": "kinked", "加满": "full", "注满": "full", "注满水": "full of water",
}  # fmt: skip
_STATES = longest_first(STATES)

# (pattern of a whole clause, English with {n} and {t}); {t} must be a term clause (terms_en)
TEMPLATES: list[tuple[re.Pattern[str], str]] = [
    # the steps of appliance fault tables ("检查X是否Y", "确保X", "必要时更换X", "如问题持续", "请报修")
    (re.compile(r"^(?:请)?(?:检查|确认)是否(?P<t>[\u4e00-\u9fffA-Za-z0-9、（）()]{2,30})$"),
     "check whether {t}"),
    (re.compile(rf"^(?:请)?(?:检查|确认|查看){_T}是否(?:已|已经)?(?P<st>{_STATES})[、和及]"
                rf"(?P<t2>[\u4e00-\u9fffA-Za-z0-9]{{1,12}}?)是否(?:已|已经)?(?P<st2>{_STATES})$"),
     "check whether the {t} is {st} and whether the {t2} is {st2}"),
    (re.compile(rf"^(?:请)?(?:检查|确认|查看){_T}是否(?:已|已经)?(?P<st>{_STATES})$"),
     "check whether the {t} is {st}"),
    (re.compile(rf"^(?:请)?(?:确保|保证)(?:无|没有){_T}(?P<st>{_STATES})$"), "make sure no {t} is {st}"),
    (re.compile(rf"^(?:请)?(?:确保|保证){_T}(?:无|没有|不)(?P<st>{_STATES})$"),
     "make sure the {t} is not {st}"),
    (re.compile(rf"^(?:请)?(?:确保|保证){_T}(?:已|已经)?(?P<st>{_STATES})$"), "make sure the {t} is {st}"),
    (re.compile(rf"^{_T}是否(?:已|已经)?(?P<st>{_STATES})$"),
     "check whether the {t} is {st}"),
    (re.compile(rf"^(?:请)?确认{_T}(?:已|已经)(?P<st>{_STATES})$"), "make sure the {t} is {st}"),
    (re.compile(rf"^(?:请)?(?:检查|排查|查看){_T}$"), "check the {t}"),
    (re.compile(rf"^(?:必要时|如有需要|如需要)(?:请)?(?:联系售后(?:服务)?(?:中心)?)?(?P<v>更换|清理|清洗|调整|重新安装){_T}$"),
     "if necessary, {v} the {t}"),
    (re.compile(rf"^(?:如|若|如果)(?:有)?(?P<st>{_STATES}|有问题)$"), "if it is {st}"),
    (re.compile(rf"^(?:如|若|如果)(?:有)?(?P<st>{_STATES}|有问题)(?:需|请|则|可)?(?P<v>更换|清理|清洗|调整|重新安装)"
                rf"(?:新的)?{_T}$"), "if it is {st}, {v} the {t}"),
    (re.compile(rf"^(?:请)?联系售后(?:服务)?(?:中心)?(?P<v>更换|清理|清洗|调整|检修|检查){_T}$"),
     "contact after-sales service to {v} the {t}"),
    (re.compile(r"^(?:如|若|如果)(?:问题|故障)?(?:持续|依旧|依然存在|仍然存在|仍存在|仍未解决|未解决|无改善|仍无效|仍异常)$"),
     "if the problem persists"),
    (re.compile(r"^(?:请)?(?:联系|拨打)(?:售后|客服)(?:服务)?(?:中心)?(?:进行)?(?:进一步检查|维修|检修|检测|预约维修|上门维修)?$"),
     "please contact after-sales service"),
    (re.compile(r"^(?:请|可)?报修$"), "please request a repair"),
    (re.compile(rf"^(?:请)?(?:重启|重新启动){_T}?(?:后再试)?$"), "restart the unit"),
    (re.compile(rf"^(?:提供)?{_N}{_T}?(?:免费)?(?:质保|保修|包修)(?:服务)?$"), "{t} warranty: {n}"),
    (re.compile(rf"^{_T}?(?:免费)?(?:质保|保修|包修|保)(?:期)?(?:为|是)?{_N}$"), "{t} warranty: {n}"),
    (re.compile(rf"^{_T}?{_N}(?:免费)?(?:质保|保修|包修)$"), "{t} warranty: {n}"),
    (re.compile(rf"^(?:本产品|该产品)?(?:享受|享有|提供)?{_T}(?:享受|享有|提供)?{_N}(?:免费)?的?(?:质保|保修|包修)"
                r"(?:服务)?$"), "{t} warranty: {n}"),
    (re.compile(rf"^{_T}{_N}(?:内)?漏水(?:免费)?包换(?:新机)?$"),
     "{t}: replaced free if it leaks within {n}"),
    (re.compile(rf"^{_T}漏水(?:免费)?(?:更换|包换)(?:同价位段)?新机$"),
     "{t}: a leaking {t} is replaced with a new unit free of charge"),
    (re.compile(rf"^{_T}需(?:加装|安装|使用|配备)(?P<t2>[\u4e00-\u9fffA-Za-z0-9]{{2,12}})$"),
     "{t} needs a {t2}"),
    # store rules: an operation allowed only in some order statuses
    (re.compile(r"^(?:[^：:“”]{2,12}[：:])?(?:订单)?仅在(?:订单状态为|订单为|订单)?(?P<s>(?:[“\"][^”\"]{2,6}[”\"][、，,]?){1,4})(?:状态)?(?:下|时)?"
                r"(?:才)?可(?:以)?(?:进行|提交|申请)?(?P<t2>[\u4e00-\u9fff]{2,6})$"),
     "{t2} is only possible when the order is {s}"),
    (re.compile(r"^(?:质保期内|保修期内)(?:免费维修|维修免费)?(?:（非人为损坏）)?$"),
     "repairs are free during the warranty period"),
    (re.compile(r"^(?:质保期内|保修期内)不收(?:取)?人工费(?:及|和|与)材料费$"),
     "no labour or material charges during the warranty period"),
    (re.compile(r"^(?:若产品故障属于保修范围内，?)?维修服务免费$"),
     "repairs covered by the warranty are free"),
    (re.compile(r"^因质量问题无法维修(?:包|可)换新机$"),
     "if a quality fault cannot be repaired, the unit is replaced"),
    (re.compile(rf"^(?:基础)?安装费(?:用)?(?:为|是)?{_N}$"), "the basic installation fee is {n}"),
    (re.compile(rf"^(?:基础)?安装费(?:用)?(?:为|是)?(?:最高|最多)?{_N}(?:封顶|以内|为上限)$"),
     "the basic installation fee is at most {n}"),
    (re.compile(rf"^(?:保修|质保|包修)(?:范围)?(?:包括|包含|涵盖|覆盖){_T}$"), "the warranty covers {t}"),
    (re.compile(rf"^基础安装费(?:为|是)?{_N}[（(](?:含|包含){_T}[)）]$"),
     "the basic installation fee is {n} (including {t})"),
    (re.compile(r"^(?:基础安装|安装)(?:服务)?(?:免费|0元|0 元)$"), "basic installation is free"),
    (re.compile(r"^首次(?:上门)?安装(?:服务)?(?:免费|0元|0 元)$"), "the first installation is free"),
    (re.compile(r"^(?:免费|包)(?:上门)?安装$"), "installation is free"),
    (re.compile(rf"^{_T}{_PAY}?{_N}$"), "{t}: {n}"),
    (re.compile(rf"^{_T}每(?:米|个|次|套)?{_PAY}?{_N}$"), "{t}: {n} each"),
    (re.compile(rf"^{_T}超(?:出|过)?(?P<m>\d+(?:\.\d+)?)\s*(?:米|m)(?:的)?部分每米{_PAY}?{_N}$"),
     "{t} beyond {m} m: {n} per metre"),
    (re.compile(rf"^超出标准长度的{_T}每米{_PAY}{_N}$"), "{t} beyond the standard length: {n} per metre"),
    (re.compile(rf"^{_N}(?:，|,)?用于{_T}(?:安装)?$"), "{n}, used for installing the {t}"),
    (re.compile(r"^用于(?:热水器|产品|机器)?安装$"), "used for the installation"),
    # gifts: how to claim and when they are sent
    (re.compile(rf"^(?:订单|主机|商品)?(?:签收|收货)(?:后|日起|之日起){_N}内(?:按要求晒单并)?(?:联系(?:在线)?客服)?登记(?:信息)?$"),
     "register with customer service within {n} of delivery"),
    (re.compile(rf"^需?在(?:订单)?(?:签收|收货)(?:后|日起|之日起){_N}内(?:按要求晒单并)?(?:联系(?:在线)?客服)?登记(?:信息)?$"),
     "register with customer service within {n} of delivery"),
    (re.compile(rf"^晒单(?:后)?{_N}内(?:联系客服)?登记$"),
     "post a review with photos and register within {n}"),
    (re.compile(rf"^(?:赠品)?(?:将)?(?:在)?(?P<a>登记成功|登记|审核通过|官方审核|订单签收)后(?:将)?(?:在)?{_N}内(?:发出|寄出|发放|发货|发送)$"),
     "it is sent within {n} after {a}"),
    (re.compile(rf"^{_N}内(?:发出|寄出|发放|发货)$"), "it is sent within {n}"),
    (re.compile(rf"^(?:赠品)?{_T}?(?:将)?(?:在)?(?:订单)?(?:签收|收货)后(?:将)?(?:在)?{_N}内"
                r"(?:发出|寄出|发放|发货|发送)$"),
     "it is sent within {n} after delivery"),
    (re.compile(rf"^(?:赠品)?{_T}?(?:将)?(?:在)?(?:订单)?(?:签收|收货)后(?:将)?(?:在)?{_N}内"
                r"通过邮件(?:形式)?发送至您的邮箱(?:账号)?$"),
     "it is sent to your email within {n} after delivery"),
    (re.compile(r"^(?:赠品)?将?按照?您原来的(?:收货)?地址发货$"),
     "it is sent to your original delivery address"),
    (re.compile(rf"^(?:目前)?购买(?:即)?可享{_T}(?:赠品|礼品)?$"), "buying it now comes with a free {t}"),
    (re.compile(r"^详情(?:见|请见|以)[^，。]{0,12}$"), ""),
    (re.compile(rf"^{_T}?(?P<p>官方指导价|官方售价|售价|日常价|京东日常价|活动售价|京东平台活动售价|秒杀价|到手价|"
                rf"活动到手价|实付价格?|会员价)(?:为|是|约|低至|约为)*{_N}(?:左右)?$"),
     "{p}: {n}"),
    (re.compile(rf"^叠加优惠后实付(?:价格)?(?:低至|约为|为)?{_N}$"),
     "the price paid after discounts can be as low as {n}"),
    (re.compile(r"^(?:需要|需|须)(?:有)?(?P<tn>[\u4e00-\u9fffA-Za-z0-9、和及与\s]{2,30})$"), "it needs {tn}"),
    (re.compile(r"^(?P<t>[\u4e00-\u9fff]{2,10})在(?P<n>\d+(?:\.\d+)?\s*[-–~～至到]\s*\d+(?:\.\d+)?\s*[A-Za-z]+)之间$"),
     "{t} between {n}"),
    (re.compile(rf"^(?:缺失|遗失|丢失)?(?:的)?按{_N}从退款中扣除$"), "{n} is deducted from the refund"),
    (re.compile(rf"^(?:请)?(?:至少|最晚)?提前{_N}(?:告知|通知|联系)(?:客服|我们)$"),
     "please tell customer service at least {n} in advance"),
    (re.compile(rf"^{_T}在{_T.replace('P<t>', 'P<t2>')}后{_N}到账$"), "{t} are credited {n} after {t2}"),
    # pre-sales deposits, gift vouchers
    (re.compile(rf"^(?:已付|已支付|付了){_T}(?:但|而)?(?:未付|未支付|没有支付|没付)"
                rf"{_T.replace('P<t>', 'P<t2>')}的?$"),
     "if the {t} is paid but the {t2} is not"),
    (re.compile(rf"^{_T}不(?:退|退还|予退还|予退回)$"), "the {t} is not refunded"),
    (re.compile(rf"^(?:签收|收货)满{_N}后(?:可|方可|才可)(?:预约|使用)$"),
     "it can be booked from {n} after delivery"),
    (re.compile(rf"^有效期(?:为)?{_N}$"), "valid for {n}"),
    # a step after a step ("加水后重新使用": add water, then use it again)
    (re.compile(r"^(?P<t>[^后，。；]{2,16}?)(?:之)?后(?:再|即可)?(?P<t2>[^后，。；]{2,16})$"),
     "{t}, then {t2}"),
    (re.compile(r"^(?:赠品|赠送|赠品为)?(?P<t>[\u4e00-\u9fffA-Za-z0-9]{2,12})$"), "{t}"),
    (re.compile(r"^(?:即可)?(?:获得|获赠|赠送)(?P<t>[\u4e00-\u9fffA-Za-z0-9]{2,12}?)(?:一台|一个|一份|一套|一张)?$"),
     "you receive a {t}"),
    (re.compile(r"^晒单(?:好评)?(?:后)?(?:联系客服)?(?:领取|赠送)?(?P<t>[\u4e00-\u9fffA-Za-z0-9]{0,12})$"),
     "post a review with photos to get it"),
    (re.compile(r"^请耐心等待$"), ""),
    (re.compile(rf"^仅限(?:单笔)?(?:实付|订单金额|金额)?(?:不超过|不高于|不满){_N}的订单$"),
     "only for orders paying no more than {n}"),
    (re.compile(rf"^{_T}由(?:店铺|商家|卖家|本店)承担$"), "{t} paid by the store"),
    # paying: instalment plans and their interest-free threshold
    (re.compile(r"^可选(?P<k>\d+期(?:[、，和或]\d+期)*)$"), "{k} instalments available"),
    (re.compile(rf"^(?:单笔)?(?:实付|订单金额)?满{_N}(?:可享|可|享)(?P<m>\d+)期免息$"),
     "orders paying {n} or more can pay in {m} instalments interest-free"),
    (re.compile(r"^其他分期的手续费以支付页面(?:显示)?为准$"),
     "fees of other plans are as shown at checkout"),
    # paying safely: how a store takes money and what its staff never ask for
    (re.compile(r"^(?:本店|我们|店铺)(?:只|仅)通过(?:平台)?(?:收银台|官方渠道)收款$"),
     "we only take payment through the platform's checkout"),
    (re.compile(r"^(?:客服|我们)?(?:不会|从不)发送(?:站外)?(?:付款|支付|退款)?链接$"),
     "customer service never sends payment links outside the platform"),
    (re.compile(r"^(?:也)?不会要求您转账(?:到|至)(?:个人|私人)(?:账户|账号)$"),
     "never asks you to pay into a private account"),
    (re.compile(r"^(?:也)?不会索要(?:您的)?(?:银行卡)?密码(?:和|或|及)(?:短信)?验证码$"),
     "and never asks for your card password or SMS code"),
    # claims after delivery: the window, the proof, and what the store does once it has checked
    (re.compile(rf"^(?:从付款时起)?(?:到|至)?(?:签收|收货)后{_N}内$"), "up to {n} after delivery"),
    (re.compile(r"^(?:如果|如|若)?同一商品(?:[（(][^）)]{0,30}[)）])?在本店降价$"),
     "if the same item drops in price in our store"),
    (re.compile(r"^(?:可以|可)申请退(?:还)?差价$"), "you can claim the price difference"),
    (re.compile(rf"^(?:客服|我们)(?:会)?在{_N}内审核$"), "customer service reviews it within {n}"),
    (re.compile(r"^(?:请)?联系在线客服$"), "contact our online customer service"),
    (re.compile(r"^(?:并)?提供订单号(?:和|及|与)降价后的商品页(?:面)?截图$"),
     "with your order number and a screenshot of the lowered price"),
    (re.compile(rf"^审核通过后{_N}内原路退(?:回|还)差价$"),
     "once approved, the price difference is refunded to your original payment method within {n}"),
    (re.compile(r"^到账时间与退款(?:时间)?相同$"), "it arrives as a refund does"),
    (re.compile(r"^(?:详)?(?:见|参见|详见)《[^》]{1,20}》$"), ""),
    (re.compile(r"^收到时(?:已)?解冻(?:、包装破损)?(?:或有异味)?(?:的)?$"),
     "if it arrives thawed, with damaged packaging or an odd smell"),
    (re.compile(rf"^(?:请)?(?:在)?(?:签收|收货)后{_N}内拍照联系(?:在线)?客服$"),
     "please take photos and contact customer service within {n} of delivery"),
    (re.compile(r"^(?:客服)?核实后(?:为您)?(?:补发|重新发货)或退款$"), "once verified, we reship or refund"),
    # parcels that stall, go missing or arrive damaged: what the store does and within which window
    (re.compile(rf"^(?:如|若)?(?:物流|快递)(?:信息)?(?:超过|已超过|连续){_N}(?:没有|未|无)更新"
                r"[（(]偏远地区(?P<n2>\d+\s*(?:天|小时|个工作日))[)）]$"),
     "if tracking has not updated for more than {n} ({n2} for remote areas)"),
    (re.compile(rf"^(?:如|若)?(?:物流|快递)(?:信息)?(?:超过|已超过|连续){_N}(?:没有|未|无)更新$"),
     "if tracking has not updated for more than {n}"),
    (re.compile(r"^(?:客服|我们)(?:会)?(?:主动)?(?:向|联系)快递(?:公司)?(?:查件|核实|催件)$"),
     "customer service chases the courier for you"),
    (re.compile(r"^(?:并)?(?:在订单中)?(?:及时)?(?:告知|通知)您(?:处理)?进展$"), "and keeps you updated"),
    (re.compile(r"^(?:如|若)?快递(?:公司)?确认(?:丢件|丢失)(?:的)?$"),
     "if the courier confirms the parcel is lost"),
    (re.compile(rf"^(?:或)?查件{_N}后仍(?:没有|无)结果(?:的)?$"), "or the trace has no result after {n}"),
    (re.compile(r"^(?:我们|店铺|本店)?(?:会)?(?:为您|给您)?(?:补发|重新发货)或(?:全额)?退款$"),
     "we reship the item or refund you in full"),
    (re.compile(r"^由您(?:选择|决定)$"), "the choice is yours"),
    (re.compile(rf"^(?:请)?(?:在)?(?:签收|收货)(?:后)?{_N}内联系(?:在线)?客服$"),
     "please contact customer service within {n} of delivery"),
    (re.compile(rf"^{_T}请(?:在)?(?:签收|收货)(?:后)?{_N}内联系(?:在线)?(?:客服)?$"), "{t}: within {n}"),
    # sizes and specifications
    (re.compile(r"^(?:产品|机身|整机)?(?:尺寸|外形尺寸|长宽高)(?:为|是|约)?(?P<d>[\d.]+\s*[×xX*]\s*[\d.]+\s*[×xX*]\s*[\d.]+)"
                r"\s*(?P<u>mm|cm|毫米|厘米)(?:[（(]长×宽×高[)）])?$"), "the dimensions are {d} {u} (L×W×H)"),
    (re.compile(r"^(?:产品|机身|整机)?(?:尺寸|外形尺寸)(?:为|是|约)?长\s*(?P<x>[\d.]+)\s*(?:mm|毫米)?\s*[×xX*]\s*宽\s*"
                r"(?P<y>[\d.]+)\s*(?:mm|毫米)?\s*[×xX*]\s*高\s*(?P<z>[\d.]+)\s*(?:mm|毫米)$"),
     "the dimensions are {x} × {y} × {z} mm (L×W×H)"),
    (re.compile(rf"^(?:产品)?(?:净重|重量|整机重量)(?:为|仅为|约为|约|是)?{_N}$"), "it weighs {n}"),
    (re.compile(rf"^(?:额定)?(?:功率|加热功率)(?:为|是)?{_N}$"), "the power is {n}"),
    (re.compile(rf"^(?:额定)?容量(?:为|是)?{_N}$"), "the capacity is {n}"),
    (re.compile(r"^如(?:问题持续|仍未解决|仍有问题)，?请联系售后(?:服务)?(?:中心)?$"),
     "if it persists, please contact after-sales service"),
    (re.compile(r"^请联系售后(?:服务)?(?:中心)?$"), "please contact after-sales service"),
]  # fmt: skip


_PRICE_WORDS = {
    "官方指导价": "the official list price", "官方售价": "the official price", "售价": "the price",
    "日常价": "the everyday price", "活动售价": "the promotion price", "秒杀价": "the flash-sale price",
    "到手价": "the price paid", "活动到手价": "the promotion price paid", "实付价": "the price paid",
    "实付价格": "the price paid", "会员价": "the member price",
}  # fmt: skip


def template_en(clause: str) -> str | None:
    """The clause through the first template whose slots are known terms; None when none fits."""
    for pattern, english in TEMPLATES:
        m = pattern.match(clause)
        if m is None:
            continue
        groups = m.groupdict()
        values: dict[str, str] = {}
        ok = True
        for key, raw in groups.items():
            if raw is None:
                values[key] = ""
                continue
            if key == "s":  # quoted statuses: each one a known term, joined with "or"
                said = [TERMS.get(x) for x in re.findall(r"[“\"]([^”\"]+)[”\"]", raw)]
                if not said or None in said:
                    ok = False
                    break
                values[key] = " or ".join(f"“{x}”" for x in said if x)
                continue
            if key == "tn":  # a thing, not an action ("需…插座" needs a socket; never "it needs install")
                verb = re.match(r"自行|亲自|安装|使用|更换|联系|检查|提供|拆|加|去|到|在|先|再|按", raw)
                t = None if verb else terms_en(raw) or terms_en(raw, words=True)
                if t is None:
                    ok = False
                    break
                values[key] = t
            elif key.startswith("t"):
                t = terms_en(raw) or terms_en(raw, words=True)
                if t is None:
                    ok = False
                    break
                values[key] = t
            elif key == "a":
                values[key] = "delivery" if "签收" in raw else "approval" if "审核" in raw else "registration"
            elif key == "p":
                values[key] = _PRICE_WORDS.get(raw.replace("京东", "").replace("平台", ""), "price")
            elif key.startswith("st"):
                values[key] = STATES.get(raw, "faulty")
            elif key == "v":
                values[key] = {
                    "更换": "replace",
                    "清理": "clean",
                    "清洗": "clean",
                    "调整": "adjust",
                    "重新安装": "refit",
                    "检修": "check",
                    "检查": "check",
                }.get(raw, "replace")
            elif key == "k":  # a list of counts ("3期、6期、12期")
                counts = re.findall(r"\d+", raw)
                values[key] = ", ".join(counts[:-1]) + f" or {counts[-1]}" if len(counts) > 1 else raw
            elif key == "u":
                values[key] = {"毫米": "mm", "厘米": "cm"}.get(raw, raw)
            else:
                values[key] = numbers_en(raw)
        if not ok:
            continue
        out = english.format(**values).strip()
        out = re.sub(r"^\s*warranty", "warranty", out)
        return re.sub(r"\s{2,}", " ", out)
    return None


# ---------------------------------------------------------------------------------------------- clauses

_CONDITION = re.compile(r"^if\b", re.IGNORECASE)

_SPLIT = re.compile(r"(?<=[，,；;。！!？?])")
_STRIP = " ，,；;。！!？?\n"


@dataclass(frozen=True)
class Piece:
    """One clause: its English, or the Chinese to quote (``english`` empty)."""

    english: str
    chinese: str = ""


def clauses_en(text: str) -> list[Piece]:
    """The clauses of a Chinese text, each in English (template, then terms) or kept for a quote."""
    text = re.sub(r"^【[^】]{1,12}】", "", text.strip())
    # a bracket is one clause: "IPX4（防汗，不可游泳）"
    text = re.sub(r"（[^）]{0,40}）", lambda m: m.group(0).replace("，", "、"), text)
    out: list[Piece] = []
    # a table row ("商品类别：电热水器，保修期：整机3年"): its first cell's header is the name of the column
    # that says what the row is about, a field name no English reader needs (the cell's value says it)
    row = bool(_TABLE_ROW.match(text))
    for raw in _SPLIT.split(text.replace("\\n", "\n")):
        clause = raw.strip(_STRIP)
        if not clause or re.fullmatch(r"[\d.、\s]+", clause):
            continue  # a list number left over from the sheet's layout
        first, row = row, False
        lead = re.match(r"^([\u4e00-\u9fff][\u4e00-\u9fff、]{1,15})[：:]\s*(?=\S)", clause)
        head = terms_en(lead.group(1), words=True) if lead else None
        if lead and head:  # "货到付款：…" -> "cash on delivery: …"
            rest = clauses_en(clause[lead.end() :])
            if rest and rest[0].english:
                out.append(Piece(f"{head}: {rest[0].english}"))
                out.extend(rest[1:])
                continue
        if not CJK.search(clause):
            out.append(Piece(numbers_en(clause)))
            continue
        english = None
        for tier in (template_en, terms_en, _terms_and_words, gist_en):
            english = tier(clause)
            if english is not None and same_figures(clause, english):
                break
            english = None  # a tier that would change a figure ("29公斤" as "2: 9 kg") is not used
        if english is None and first and lead and head is None:
            # the row's key cell: its value alone, in English or quoted without the column's name
            value = clause[lead.end() :]
            said = clauses_en(value)
            out.extend(said if len(said) == 1 else [Piece("", value)])
            continue
        if english is None:
            out.append(Piece("", clause))
        elif english:
            out.append(Piece(english))
    return out


# a table row made readable (service/drafting/passages.py): "header：value，header：value…"
_TABLE_ROW = re.compile(r"^[\u4e00-\u9fff][^，：:]{0,11}：[^，：:]+，[^，：:]{1,12}：")


def _terms_and_words(clause: str) -> str | None:
    return terms_en(clause, words=True)


_FIGURE = re.compile(r"\d+(?:\.\d+)?")


def same_figures(chinese: str, english_text: str) -> bool:
    """The English says the same figures as the Chinese clause, no more and no fewer (thousands
    separators and 万 read as written)."""

    def figures(text: str) -> list[str]:
        return sorted(_FIGURE.findall(re.sub(r"(?<=\d),(?=\d{3})", "", text)))

    return figures(numbers_en(chinese)) == figures(english_text)


def sentence_en(text: str, quote: Callable[[str], str | None]) -> str | None:
    """A Chinese text as English: translated clauses joined, untranslatable runs through ``quote`` (which
    returns the quoted form or None to give up); None when nothing can be said."""
    pieces = clauses_en(text)
    parts: list[str] = []
    pending: list[str] = []

    def flush() -> bool:
        if pending:
            quoted = quote("，".join(pending))
            pending.clear()
            if quoted is None:
                return False
            if quoted:
                parts.append(quoted)
        return True

    for piece in pieces:
        if piece.english:
            if not flush():
                return None
            parts.append(piece.english)
        else:
            pending.append(piece.chinese)
    if not flush():
        return None
    if not parts and pieces:
        return ""  # every clause was detail the quote left out: nothing to say, nothing garbled
    out, condition = "", False
    for part in (p for p in parts if p):
        # a condition runs on into what follows it ("if the courier confirms it is lost, or …, we reship")
        more = bool(re.match(r"(?:and|or|with)\b", part))
        out = f"{out}{', ' if condition or more else '; '}{part}" if out else part
        condition = bool(_CONDITION.match(part)) or (condition and more)
    return out or None


def steps_en(text: str, quote: Callable[[str], str | None]) -> str:
    """The steps of a fault row in English, said up to the first one that can be neither rendered nor
    quoted (the steps after it may depend on it); a condition leads its step ("if it persists, contact…");
    '' when none can be said."""
    parts: list[str] = []
    pending: list[str] = []
    for piece in [*clauses_en(text), Piece("\0")]:
        if not piece.english:
            pending.append(piece.chinese)
            continue
        if pending:
            quoted = quote("，".join(pending))
            pending.clear()
            if quoted is None:
                break
            if quoted:
                parts.append(quoted)
        if piece.english != "\0":
            parts.append(piece.english)
    while parts and _CONDITION.match(parts[-1]) and "," not in parts[-1]:
        parts.pop()  # a condition without its step says nothing
    out = ""
    for part in parts:
        sep = (
            ", " if out and _CONDITION.match(out.split("; ")[-1]) and "," not in out.split("; ")[-1] else "; "
        )
        out = f"{out}{sep}{part}" if out else part
    return out


# (需 of 所需, "needed for", qualifies nothing)
_QUALIFIES = re.compile(
    r"若|如果|如需|如有|如问题|除|非|不|无|未|仅|只|禁|勿|但|否则|超出|超过|须|(?<!所)需|应"
)


def omit_quote(chinese: str) -> str | None:
    """No quotes (the reply is at its Chinese budget): a clause that only adds detail is left out (''),
    but one that qualifies the rest (a condition, a negation, a limit) takes the whole fact with it."""
    return None if _QUALIFIES.search(chinese) else ""


SHORT_QUOTE_CHARS = 12


def short_quote(chinese: str) -> str | None:
    """Near the Chinese budget: only short clauses that state a number are quoted; other detail is left
    out, and a left-out clause that qualifies the rest takes the whole fact with it (None)."""
    kept: list[str] = []
    figures: list[str] = []
    for clause in re.split(r"[，,；;]", chinese):
        if len(CJK.findall(clause)) <= SHORT_QUOTE_CHARS and re.search(r"\d", clause):
            kept.append(clause.strip())
        elif re.search(r"\d", clause) and not _QUALIFIES.search(_FIGURE_WORDS.sub("", clause)):
            # too long to quote: its figures with their units in English, not left out
            said_en = figures_quote(clause)
            if said_en:
                figures.append(said_en)
        elif _QUALIFIES.search(clause):
            return None
    if not kept and not figures:
        return ""
    said = "，".join(kept)
    quoted = f"the product sheet says “{said}”{figures_gloss(said)}" if kept else ""
    return "; ".join(x for x in (quoted, *figures) if x)


def plain_quote(chinese: str) -> str | None:
    """The default quote: short runs only, marked as the sheet's own words."""
    if len(CJK.findall(chinese)) > QUOTE_CHARS:
        return short_quote(chinese)  # too long to quote whole: its short clauses with numbers
    return f"the product sheet says “{chinese}”{figures_gloss(chinese)}"


_GLOSS_SPLIT = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff，,；;。、：:（）()【】“”]+")


def figures_gloss(chinese: str) -> str:
    """The figures a quoted Chinese clause states, with their units in English, after the quote
    (" (3 years)", " (645x340 mm)"): an English reader gets the number and unit even when the words around
    them stay Chinese. '' when the clause states no figure with a Chinese unit."""
    found: list[str] = []
    if re.search(r"零下|负\s*\d", chinese):
        return ""  # a sign written in words ("零下10度") would be lost
    # figures written in digits only: a Chinese numeral is often no count (二次调试 is a second tuning)
    for seg in _GLOSS_SPLIT.split(_QTY.sub(quantity_en, join_thousands(chinese))):
        seg = seg.strip(" ./")
        if seg in chinese or seg[:1] in "-~–":
            # already readable as written (10cm, a model code); a negative figure or a range of them
            # ("-20~55 °C") is not restated, so a sign is never dropped
            continue
        if re.search(r"\d", seg) and re.search(r"[A-Za-z°%]", seg) and seg not in found:
            found.append(seg)
    return f" ({'; '.join(found)})" if found else ""


# the words that place or bound a figure in a sheet's clause ("右侧…至少300mm": right side, at least)
FIGURE_WORDS: dict[str, str] = {
    "至少": "at least", "不少于": "at least", "不低于": "at least", "最少": "at least", "最多": "at most",
    "不超过": "at most", "最高": "up to", "封顶": "at most", "超过": "over", "超出": "over",
    "以上": "or more",
    "约": "about", "大约": "about", "左侧": "left side", "右侧": "right side", "两侧": "both sides",
    "顶部": "top", "上方": "above", "底部": "bottom", "下方": "below", "前方": "front", "后方": "back",
    "墙面": "wall", "墙体": "wall", "天花板": "ceiling", "地面": "floor", "每": "per", "价格": "price",
    "低于": "below", "高于": "above", "上调": "raised by", "下调": "lowered by",
    "左右各": "left and right each", "左右两侧": "left and right", "右端": "right end", "左端": "left end",
    "墙壁": "wall",
    # the lead-in of a requirement ("安装时需确保烟管直径60mm"): no word of what the figure is
    "安装时需确保": "", "需确保": "", "请确保": "", "确保": "", "建议": "", "该产品为": "", "本产品为": "",
    "各": "each", "预留": "", "预留空间": "", "距离": "", "间距": "spacing", "高约": "height about",
    "高度": "height",
    "宽度": "width", "深度": "depth", "厚度": "thickness", "尺寸规格为": "",
    "直径": "diameter", "孔径": "hole diameter", "开孔": "cut-out", "原价": "original price",
    "促销价": "promotion price", "净重": "net weight", "包装重量": "packed weight", "容量": "capacity",
    "北上广深": "in Beijing, Shanghai, Guangzhou and Shenzhen",
    "一线城市": "in first-tier cities", "偏远地区": "in remote areas",
}  # fmt: skip
# the words after a figure that say what it is ("6年保修", "3年包换")
AFTER_FIGURE: dict[str, str] = {
    "保修": "warranty", "质保": "warranty", "包修": "warranty", "包换": "replacement",
}  # fmt: skip
_AFTER_FIGURE = re.compile(r"\s*(?:的)?(" + "|".join(AFTER_FIGURE) + ")")
_NEGATED = re.compile(r"[不无非未禁勿除]")
_FIGURE_WORDS = re.compile(longest_first(FIGURE_WORDS))


def figures_quote(chinese: str, asked: frozenset[str] = frozenset()) -> str | None:
    """No quote at all, for a part's only answer at the reply's Chinese budget (rather than no answer):
    each figure with its unit in English, after the known nouns and bounding words before it ("basic
    installation fee 150 yuan", "right side wall at least 300mm"); a figure is never changed. A figure
    after mostly unknown words, a bare number without a unit, and every figure of a clause with a negation
    the words above do not account for ("不含", "非承重": it might mean the opposite) are left out, except
    that a figure in a unit the customer asks for (``asked``: kg for "how heavy", yuan for "how much do I
    need to spend") is said even when the words before it are unknown: the question says what it is of.
    None when no figure can be said so."""
    asked = asked or ASKED.get()
    pattern, table = _term_pattern(False)
    said: list[str] = []
    for clause in re.split(r"[，,；;。]", chinese):
        plain = _ZH_QTY.sub(lambda m: _ZH_NUM[m.group(1)] + m.group(2), join_thousands(clause.strip()))
        if not re.search(r"\d", plain) or _NEGATED.search(_FIGURE_WORDS.sub("", plain)):
            continue
        if re.search(r"\d\s*[:：]\s*\d|[《》]|\d\s*块", plain):
            continue  # a clock time, a named document, 块 (a piece or a yuan): no amount to restate
        converted = _QTY.sub(quantity_en, plain)
        start = 0
        for m in re.finditer(r"[^\u3400-\u4dbf\u4e00-\u9fff，,；;。、：:（）()【】“”]+", converted):
            figure = m.group(0).strip(" ./")
            if not re.search(r"\d", figure):
                continue
            head, start = converted[start : m.start()], m.end()
            if not re.search(r"[A-Za-z°%×]", figure) or re.search(r"[A-Za-z]\d", figure):
                continue  # a bare number ("2-3" people) says nothing without its unit; a model code
            if re.match(r"[A-Za-z]+[-‑]\d", figure):
                # a model code with a hyphen ("与EW-60A同系列": a sibling the sheet compares with): its
                # digits are no figure ("60 A"), and said beside this product's figures it reads as the
                # model they belong to
                continue
            words = [(w.start(), table[w.group(0)], w.group(0)) for w in pattern.finditer(head)]
            spans = [(w.start(), w.end()) for w in pattern.finditer(head)]
            for w in _FIGURE_WORDS.finditer(head):
                if not any(a < w.end() and w.start() < b for a, b in spans):
                    words.append((w.start(), FIGURE_WORDS[w.group(0)], w.group(0)))
            known = sum(len(CJK.findall(zh)) for _, _, zh in words)
            unknown_head = len(CJK.findall(head)) > 2 and known < 0.5 * len(CJK.findall(head))
            if unknown_head and not any(q.unit in asked for q in quantities(figure)):
                continue  # most words before the figure unknown: what it is of would be guessed
            lead = " ".join(dict.fromkeys(en for _, en, _ in sorted(words) if en))
            # what the figure is, said after it ("享6年保修"): kept, or "6 years" beside "components" reads
            # as a spec rather than the warranty it is
            after = _AFTER_FIGURE.match(converted, m.end())
            if after is not None:
                start = after.end()
                figure = f"{figure} {AFTER_FIGURE[after.group(1)]}"
            said.append(f"{lead} {figure}".strip())
    # nothing with a figure: None, so the fact is not said by its translated clauses alone (the clauses
    # this left out may qualify them)
    return "; ".join(said) if said else None


# the units the question part being answered asks for, while the composer renders its facts: every quote
# style that falls back to figures (short_quote inside plain_quote too) keeps the asked ones
ASKED: ContextVar[frozenset[str]] = ContextVar("asked_units", default=frozenset())


@contextmanager
def asking(units: frozenset[str]) -> Iterator[None]:
    token = ASKED.set(units)
    try:
        yield
    finally:
        ASKED.reset(token)


MONEY_UNITS = frozenset({"yuan", "yuan/time", "yuan/km", "yuan/m"})
TIME_UNITS = frozenset({"minute", "hour", "day", "workday", "week", "month", "year"})


def asked_of(units: frozenset[str], money: bool, time: bool) -> frozenset[str]:
    """The units a question part's answer is stated in: its spec units, money for "how much", time for
    "how long"."""
    return units | (MONEY_UNITS if money else frozenset()) | (TIME_UNITS if time else frozenset())


def cjk_share(text: str) -> float:
    cjk, latin = len(CJK.findall(text)), len(LATIN.findall(text))
    return cjk / max(1, cjk + latin)


# ---------------------------------------------------------------------------------------------- products


def product_label_en(name: str) -> str:
    """How an English reply names a product from its Chinese name: model code and capacity ("F6032-RW7(HE)
    60L"); '' when the name has neither."""
    codes = [c for c in model_codes(name) if re.search(r"\d", c) and re.search(r"[A-Za-z]", c)]
    size = re.search(r"(\d+(?:\.\d+)?)\s*(?:升|L)(?![A-Za-z])", name)
    label = codes[0] if codes else ""
    if size:
        label = f"{label} {size.group(1)}L".strip()
    return label


def status_en(text: str) -> str | None:
    """A product status word in English (已上架 -> on sale), None when unknown."""
    return terms_en(text)


# ---------------------------------------------------------------------------------------------- facts

KIND_EN = {
    "price": "price", "warranty": "warranty", "install_fee": "installation",
    "materials": "installation materials",
    "gift": "free gift", "size": "size", "spec": "specifications", "stock": "availability",
    "shipping": "shipping",
    "remote_fee": "remote-area fee", "return": "returns", "exchange": "exchanges", "refund": "refunds",
    "invoice": "invoices", "fault": "fault", "usage": "use", "other": "details",
}  # fmt: skip
_LABEL_JUNK = re.compile(r"^[\s◎●○■□◆◇★☆·•\-*#\d①-⑳、.]+|[：:]$")


def label_en(label: str, kind: str) -> str:
    """A field label in English words when the table knows it (保修政策 -> warranty policy), else the
    kind's English name: a raw field name is never shown."""
    label = _LABEL_JUNK.sub("", re.sub(r"#\d+$", "", label.split("/")[-1])).strip()
    if label and not CJK.search(label):
        return label.replace("_", " ").lower()
    found = terms_en(label) if label else None
    return found if found and len(found) <= 40 else KIND_EN.get(kind, "details")


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def _pair(pairs: tuple[tuple[str, str], ...], *words: str) -> str:
    return next((v for k, v in pairs if any(w in k.lower() for w in words)), "")


def record_en(
    kind: str, pairs: tuple[tuple[str, str], ...], quote: Callable[[str], str | None]
) -> str | None:
    """A record of a Chinese sheet (a gift, a fault row, an exchangeable product, a material) as one
    English sentence, or None when its key value cannot be said."""
    if not pairs:
        return None
    name_value = _pair(pairs, "名称", "name") or pairs[0][1]
    rest = [(k, v) for k, v in pairs if v != name_value]
    if kind == "exchange" or any("商品id" in k.lower() for k, _ in pairs):
        desc = _pair(pairs, "描述", "名称", "name") or name_value
        label = product_label_en(desc)
        pid = _pair(pairs, "商品id", "id")
        if not label and not pid:
            return None
        status = status_en(_pair(pairs, "状态", "status")) if _pair(pairs, "状态", "status") else None
        who = f"{label} (product ID {pid})" if label and pid else label or f"product ID {pid}"
        return f"You can exchange it for the {who}" + (f", which is {status}" if status else "")
    if kind == "fault" or _pair(pairs, "代码", "code"):
        code = _pair(pairs, "代码", "code")
        fault = _pair(pairs, "故障名称", "现象", "名称", "name", "symptom")
        cause = _pair(pairs, "原因", "cause")
        fix = _pair(pairs, "方案", "解决", "处理", "solution")
        # a fault record is the answer to "what does E1 mean": its code and whatever of its meaning and
        # steps can be said stay, never the whole record dropped for one clause the budget cannot quote
        fault_en = (sentence_en(fault, quote) or "") if fault else ""
        cause_en = steps_en(cause, quote) if cause else ""
        fix_en = steps_en(fix, quote) if fix else ""
        if not (code or fault_en or fix_en):
            return None
        if not (code or fault_en):
            # a symptom the tables cannot say: the customer described it, what to do is the answer
            return f"What to do: {fix_en}" + (f" (possible cause: {cause_en})" if cause_en else "")
        head = f"Fault code {code}" + (f" ({fault_en})" if fault_en else "") if code else f"If {fault_en}"
        # one sentence: the code, its cause and the fix stay together (and beside the source marker)
        if cause_en:
            head += f"; possible cause: {cause_en}"
        return f"{head}; what to do: {fix_en}" if fix_en else head
    name_en = sentence_en(name_value, quote)
    if not name_en:
        return None
    bodies: list[str] = []
    for key, value in rest:
        body = sentence_en(value, quote)
        if body is None:
            return None
        if body:
            bodies.append(body if len(rest) == 1 else f"{label_en(key, kind)}: {body}")
    body = "; ".join(b for b in bodies if b)
    # a description that repeats the gift's name ("赠品空气炸锅，…") says it once
    again = {name_en.lower(), f"free gift {name_en.lower()}"}
    body = "; ".join(b for b in body.split("; ") if b.lower() not in again)
    lead = f"Free gift: {name_en}" if kind == "gift" else _cap(name_en)
    return f"{lead}; {body}" if body else lead  # one sentence, so the details stay with the name


def fact_en(
    kind: str,
    text: str,
    label: str,
    pairs: tuple[tuple[str, str], ...],
    name: str,
    *,
    product: bool,
    quote: Callable[[str], str | None] = plain_quote,
) -> str | None:
    """One fact of a Chinese sheet or policy as an English sentence (without end punctuation); None when
    it cannot be said faithfully (it is then left out, never garbled)."""
    if kind == "price" and product and not CJK.search(text):
        value = numbers_en(text)
        if not re.search(r"yuan|[¥$]", value, re.IGNORECASE):
            value = f"{value} yuan"
        return f"The price of {name} is {value}"
    if kind == "stock" and product:
        status = status_en(text)
        if status:
            return f"{_cap(name)} is currently {status}"
        if len(text) > 8:  # a rule of its sale (a pre-order's deposit): said as a sentence, as any rule
            said = sentence_en(text, quote)
            if said and not said.startswith("the product sheet says"):
                return f"About the availability of {name}: {said}"
        quoted = quote(text)
        return f"About the availability of {name}, {quoted}" if quoted else None
    if pairs:
        return record_en(kind, pairs, quote)
    body = sentence_en(text, quote)
    if not body:
        return None
    if not product:
        return _cap(body.replace("the product sheet says", "our store policy says"))
    topic = label_en(label, kind)
    if ": " in body:
        # the body names its own topic ("whole unit warranty: 8 years"); else the topic leads it, so that
        # "whole unit: 3 years" still reads (and is checked) as a warranty, not a spec
        return _cap(body) if topic.lower() in body.lower() else f"{_cap(topic)} — {body}"
    return f"{_cap(topic)}: {body}"


@lru_cache(maxsize=1)
def _reverse() -> tuple[re.Pattern[str], dict[str, list[str]]]:
    # every Chinese word of an English rendering, nouns and other words alike
    same: dict[str, set[str]] = {}
    for table in (WORDS, TERMS):
        for zh, en in table.items():
            if en and CJK.search(zh):
                same.setdefault(en.lower(), set()).add(zh)
    by_en: dict[str, list[str]] = {}
    for zh, en in TERMS.items():
        if len(en) >= 3 and CJK.search(zh):
            # a term holding a shorter word of the same English ("安装说明" and "安装": installation) is that
            # word plus a label's or a qualifier's characters (说明, 项目, 组件): the question asks the word
            inner = sorted((w for w in same[en.lower()] if w != zh and w in zh), key=len)
            found = by_en.setdefault(en.lower(), [])
            word = inner[0] if inner else zh
            if word not in found:
                found.append(word)
    alts = "|".join(re.escape(e) for e in sorted(by_en, key=len, reverse=True))
    return re.compile(rf"(?<![a-z0-9])(?:{alts})(?:e?s)?(?![a-z0-9])"), by_en


def chinese_terms(text: str) -> str:
    """The Chinese sheet terms of the parts, appliances and fees an English question names ("flue pipe"
    -> 烟管), space-separated: so an English question finds the Chinese field that holds it."""
    pattern, by_en = _reverse()
    found: list[str] = []
    for m in pattern.finditer(text.lower()):
        word = m.group(0)
        zh = by_en.get(word) or by_en.get(re.sub(r"e?s$", "", word)) or []
        found.extend(zh)
    return " ".join(dict.fromkeys(found))

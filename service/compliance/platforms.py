"""Default link allow-lists per selling platform (``REPLYDRAFT_COMPLIANCE_PLATFORM``).

A reply may point the customer at the platform's own item, order and help pages: those links are not
phishing. Each platform's list names the domains the platform serves them from (subdomains included);
``REPLYDRAFT_COMPLIANCE_ALLOWED_DOMAINS`` / ``REPLYDRAFT_ALLOWED_DOMAINS`` add the store's own.
"""

from __future__ import annotations

from typing import Literal

Platform = Literal["jd", "taobao", "tmall", "pdd", "douyin", "none"]

PLATFORM_DOMAINS: dict[str, tuple[str, ...]] = {
    # JD: item pages, help centre, short links, JD Worldwide, logistics, payment, the old 360buy.com.
    "jd": ("jd.com", "jd.hk", "3.cn", "jdl.com", "jdpay.com", "360buy.com"),
    # Taobao and Tmall share item, order and help pages (and the tb.cn short links).
    "taobao": ("taobao.com", "tb.cn", "tmall.com", "alipay.com"),
    "tmall": ("tmall.com", "taobao.com", "tb.cn", "alipay.com"),
    "pdd": ("pinduoduo.com", "yangkeduo.com"),
    "douyin": ("douyin.com", "jinritemai.com", "iesdouyin.com"),
    "none": (),
}


def platform_domains(platform: str) -> tuple[str, ...]:
    """The default allowed link domains of ``platform`` (``none`` or unknown: none)."""
    return PLATFORM_DOMAINS.get(platform, ())

"""Default link allow-lists per selling platform (``REPLYDRAFT_COMPLIANCE_PLATFORM``).

A reply may point the customer at the platform's own item, order and help pages: those links are not
phishing. Each platform's list names the domains the platform serves them from (subdomains included);
``REPLYDRAFT_COMPLIANCE_ALLOWED_DOMAINS`` / ``REPLYDRAFT_ALLOWED_DOMAINS`` add the store's own.
"""

from __future__ import annotations

from collections.abc import Iterable
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


# A platform's home domain: a store that allows it allows the platform, so the platform's other and older
# domains (360buy.com is JD's former name for jd.com, 3.cn its short links) are its pages too.
PLATFORM_HOMES: dict[str, str] = {
    "jd.com": "jd",
    "taobao.com": "taobao",
    "tmall.com": "tmall",
    "pinduoduo.com": "pdd",
    "yangkeduo.com": "pdd",
    "douyin.com": "douyin",
}


def platform_domains(platform: str) -> tuple[str, ...]:
    """The default allowed link domains of ``platform`` (``none`` or unknown: none)."""
    return PLATFORM_DOMAINS.get(platform, ())


def with_platform_aliases(domains: Iterable[str]) -> list[str]:
    """``domains`` plus every domain of each platform whose home domain is among them, so an allow-list
    written as ``[jd.com]`` does not block the platform's own pages on 360buy.com or 3.cn. Domains are
    expected normalised (lower case, no scheme or ``www.``)."""
    out = list(dict.fromkeys(domains))
    for domain in list(out):
        platform = PLATFORM_HOMES.get(domain)
        if platform is not None:
            out += [d for d in platform_domains(platform) if d not in out]
    return out

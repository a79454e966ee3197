"""Reviewer console through FastAPI's TestClient: sign-in, CSRF, roles, escaping, actions, language."""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr

from service.api.auth import Principal, Role, StaticKeyStore
from service.console import i18n
from service.container import Container
from service.drafting.models import Repair
from service.settings import Settings
from tests.conftest import KEYS, static_keys
from tests.test_console_support import (
    Clock,
    FakeDrafter,
    ScriptedCompliance,
    StaleIndex,
    csrf_of,
    generated,
    migrated_db,
    review_service,
)

OTHER = Principal("k-other", "other reviewer", Role.REVIEWER)


@dataclass
class Console:
    client: TestClient
    reviews: Any
    compliance: ScriptedCompliance
    keys: StaticKeyStore
    clock: Clock
    index: StaleIndex

    def sign_in(self, role: Role | None, key: str | None = None) -> None:
        page = self.client.get("/console")
        token = key if key is not None else KEYS[role] if role else ""
        res = self.client.post(
            "/console/login", data={"key": token, "csrf": csrf_of(page.text)}, follow_redirects=False
        )
        assert res.status_code == 303, res.text

    def page(self, path: str) -> str:
        res = self.client.get(path)
        assert res.status_code == 200, res.text
        return res.text

    def post(self, path: str, data: dict[str, object], page: str | None = None) -> Any:
        html = page or self.page("/console/queue")
        return self.client.post(path, data={"csrf": csrf_of(html), **data}, follow_redirects=False)


@pytest.fixture(scope="session")
def template_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return migrated_db(tmp_path_factory.mktemp("console-db"))


def _console_container(
    make_container: Callable[..., Container], settings: Settings, template_db: Path, **overrides: Any
) -> tuple[Container, Any, ScriptedCompliance, Clock, StaleIndex]:
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    db_file = settings.data_dir / "replydraft.db"
    if not db_file.exists():
        shutil.copy(template_db, db_file)
    compliance, clock, index = ScriptedCompliance(), Clock(), StaleIndex()
    container = make_container(settings=settings, compliance=compliance, index=index, **overrides)
    reviews = review_service(
        container, compliance=compliance, index=index, drafter=FakeDrafter(compliance), clock=clock
    )
    container.provide("reviews", reviews)
    return container, reviews, compliance, clock, index


@pytest.fixture
def console(
    make_container: Callable[..., Container],
    client_for: Callable[[Container], TestClient],
    settings: Settings,
    template_db: Path,
) -> Iterator[Console]:
    keys = static_keys()
    container, reviews, compliance, clock, index = _console_container(
        make_container, settings, template_db, keys=keys
    )
    yield Console(client_for(container), reviews, compliance, keys, clock, index)


def _statuses(c: Console, draft_id: str) -> list[str]:
    return [e.action for e in c.reviews.audit(draft_id)]


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


# --- sign-in and session -----------------------------------------------------------------------------
def test_sign_in_sets_an_httponly_strict_session_cookie_and_opens_the_queue(console: Console) -> None:
    page = console.client.get("/console")
    assert page.status_code == 200
    res = console.client.post(
        "/console/login",
        data={"key": KEYS[Role.REVIEWER], "csrf": csrf_of(page.text)},
        follow_redirects=False,
    )
    assert res.status_code == 303 and res.headers["location"] == "/console/queue"
    cookie = res.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=strict" in cookie and "path=/console" in cookie
    queue = console.client.get("/console/queue")
    assert queue.status_code == 200 and "reviewer tester" in queue.text


def test_sign_in_refuses_a_form_without_the_session_csrf_token(console: Console) -> None:
    console.client.get("/console")
    res = console.client.post("/console/login", data={"key": KEYS[Role.REVIEWER], "csrf": "forged"})
    assert res.status_code == 403
    assert console.client.get("/console/queue", follow_redirects=False).status_code == 303


def test_wrong_key_and_a_role_without_read_access_cannot_sign_in(console: Console) -> None:
    page = console.client.get("/console?lang=en")
    bad = console.client.post("/console/login", data={"key": "nope", "csrf": csrf_of(page.text)})
    assert bad.status_code == 401 and i18n.STRINGS["login.invalid"]["en"] in bad.text
    ops = console.client.post("/console/login", data={"key": KEYS[Role.OPS], "csrf": csrf_of(bad.text)})
    assert ops.status_code == 403 and i18n.STRINGS["login.role_denied"]["en"] in ops.text
    assert console.client.get("/console/queue", follow_redirects=False).status_code == 303


def test_pages_redirect_to_sign_in_and_back_only_to_console_paths(console: Console) -> None:
    res = console.client.get("/console/drafts/abc", follow_redirects=False)
    assert res.status_code == 303 and res.headers["location"].startswith("/console?next=%2Fconsole%2Fdrafts")
    page = console.client.get("/console?next=https://evil.example/")
    res = console.client.post(
        "/console/login",
        data={"key": KEYS[Role.REVIEWER], "csrf": csrf_of(page.text), "next": "https://evil.example/"},
        follow_redirects=False,
    )
    assert res.headers["location"] == "/console/queue"


def test_sign_out_ends_the_session(console: Console) -> None:
    console.sign_in(Role.REVIEWER)
    html = console.page("/console/queue")
    res = console.client.post("/console/logout", data={"csrf": csrf_of(html)}, follow_redirects=False)
    assert res.status_code == 303
    assert console.client.get("/console/queue", follow_redirects=False).status_code == 303


def test_a_tampered_cookie_is_a_signed_out_session(console: Console) -> None:
    console.sign_in(Role.REVIEWER)
    raw = console.client.cookies.get("rd_console")
    assert raw
    payload, _, signature = raw.rpartition(".")
    console.client.cookies.clear()
    console.client.cookies.set("rd_console", raw)
    assert console.client.get("/console/queue", follow_redirects=False).status_code == 200
    console.client.cookies.clear()
    console.client.cookies.set("rd_console", f"{payload}.{signature[::-1]}")
    assert console.client.get("/console/queue", follow_redirects=False).status_code == 303


def test_a_revoked_key_ends_its_console_session(console: Console) -> None:
    console.sign_in(Role.REVIEWER)
    console.keys._keys.pop(KEYS[Role.REVIEWER])
    assert console.client.get("/console/queue", follow_redirects=False).status_code == 303


def test_a_configured_secret_keeps_sessions_valid_across_app_instances(
    make_container: Callable[..., Container],
    client_for: Callable[[Container], TestClient],
    settings: Settings,
    template_db: Path,
) -> None:
    shared = settings.model_copy(update={"console_secret": SecretStr("s3cret-for-all-replicas")})
    first = client_for(_console_container(make_container, shared, template_db)[0])
    second = client_for(_console_container(make_container, shared, template_db)[0])
    page = first.get("/console")
    first.post("/console/login", data={"key": KEYS[Role.REVIEWER], "csrf": csrf_of(page.text)})
    second.cookies.set("rd_console", first.cookies["rd_console"])
    assert second.get("/console/queue", follow_redirects=False).status_code == 200
    other = client_for(_console_container(make_container, settings, template_db)[0])  # random secret
    other.cookies.set("rd_console", first.cookies["rd_console"])
    assert other.get("/console/queue", follow_redirects=False).status_code == 303


# --- queue -------------------------------------------------------------------------------------------
def _ids(html: str) -> list[str]:
    return re.findall(r'<tr class="row" data-id="(\w+)"', html)


def test_queue_lists_pending_drafts_with_counts_filters_and_order(console: Console) -> None:
    r, clock = console.reviews, console.clock
    clock.at_minutes_ago(300)
    a = r.create_draft(generated("整机保修1年[1]", customer="保修多久？"))
    clock.at_minutes_ago(30)
    b = r.create_draft(generated("这是最好的水壶[1]", customer="哪个好？", old_facts=True))
    clock.reset()
    c = r.create_draft(generated("我们保证按时发货", customer="何时发货？"))
    done = r.create_draft(generated("已处理"))
    r.approve(done.id, version=1, text=None, principal=OTHER)
    console.sign_in(Role.REVIEWER)

    html = console.page("/console/queue?lang=en")
    counts = dict(re.findall(r'data-count="(\w+)"><span class="n">(\d+)</span>', html))
    assert counts == {"pending": "3", "block": "1", "warn": "1", "stale": "1", "shown": "3"}
    assert _ids(html) == [c.id, b.id, a.id]
    assert _ids(console.page("/console/queue?order=oldest")) == [a.id, b.id, c.id]
    assert _ids(console.page("/console/queue?verdict=block")) == [b.id]
    assert _ids(console.page("/console/queue?stale=yes")) == [b.id]
    assert _ids(console.page("/console/queue?age=1h")) == [a.id]
    assert _ids(console.page("/console/queue?status=approved")) == [done.id]
    assert _ids(console.page("/console/queue?status=bogus&verdict=nope")) == [c.id, b.id, a.id]


def test_queue_pages_with_a_cursor(console: Console) -> None:
    for i in range(5):
        console.clock.at_minutes_ago(10 - i)
        console.reviews.create_draft(generated(f"草稿 {i}"))
    console.sign_in(Role.REVIEWER)
    first = console.page("/console/queue?limit=2")
    assert len(_ids(first)) == 2
    seen = list(_ids(first))
    html = first
    while match := re.search(r'href="([^"]+)" rel="next"', html):
        html = console.page(match.group(1).replace("&amp;", "&"))
        seen += _ids(html)
    assert len(seen) == 5 and len(set(seen)) == 5


# --- draft page: roles and state -----------------------------------------------------------------------
def _buttons(html: str) -> set[str]:
    return set(re.findall(r'<button type="submit"[^>]* id="(approve|reject|regenerate|send|withdraw)"', html))


def test_reviewer_sees_review_actions_and_an_agent_sees_none(console: Console) -> None:
    d = console.reviews.create_draft(generated("整机保修1年[1]"))
    console.sign_in(Role.REVIEWER)
    assert _buttons(console.page(f"/console/drafts/{d.id}")) == {"approve", "reject", "regenerate"}
    console.client.cookies.clear()
    console.sign_in(Role.AGENT)
    html = console.page(f"/console/drafts/{d.id}")
    assert _buttons(html) == set() and 'id="read-only"' in html and 'id="edit"' not in html
    assert 'id="audit"' not in html  # agents may not read the audit trail, as in the API


def test_qa_reads_drafts_and_their_audit_but_cannot_act(console: Console) -> None:
    d = console.reviews.create_draft(generated("整机保修1年[1]"))
    console.sign_in(Role.QA)
    html = console.page(f"/console/drafts/{d.id}")
    assert _buttons(html) == set() and 'id="read-only"' in html
    assert 'data-action="created"' in html
    assert console.client.get("/console/dashboard").status_code == 200


def test_send_is_offered_only_for_approved_drafts(console: Console) -> None:
    d = console.reviews.create_draft(generated("整机保修1年[1]"))
    console.reviews.approve(d.id, version=1, text=None, principal=OTHER)
    console.sign_in(Role.REVIEWER)
    assert _buttons(console.page(f"/console/drafts/{d.id}")) == {"send", "withdraw"}
    console.reviews.send(d.id, principal=OTHER)
    html = console.page(f"/console/drafts/{d.id}")
    assert _buttons(html) == set() and 'id="no-actions"' in html


def test_withdrawing_an_approval_in_the_console_puts_it_back_in_review(console: Console) -> None:
    d = console.reviews.create_draft(generated("整机保修1年[1]"))
    console.reviews.approve(d.id, version=1, text=None, principal=OTHER)
    console.sign_in(Role.REVIEWER)
    page = console.page(f"/console/drafts/{d.id}?lang=en")
    assert 'action="/console/drafts/' + d.id + '/withdraw"' in page
    res = console.post(f"/console/drafts/{d.id}/withdraw", {"version": 2, "reason": "wrong customer"}, page)
    assert res.status_code == 303 and res.headers["location"].endswith("?done=withdrawn")
    after = console.page(res.headers["location"] + "&lang=en")
    assert "Approval withdrawn" in after and _buttons(after) == {"approve", "reject", "regenerate"}
    record = console.reviews.get_draft(d.id)
    assert (record.status, record.version) == ("pending_review", 3)
    assert _statuses(console, d.id)[-1] == "withdrawn"
    # The send form of the old page is useless now: nothing is sent.
    res = console.post(f"/console/drafts/{d.id}/send", {}, page)
    assert res.status_code == 409 and console.reviews.get_draft(d.id).status == "pending_review"
    # A second withdrawal from the stale page is a conflict, shown on the page.
    res = console.post(f"/console/drafts/{d.id}/withdraw", {"version": 2}, page)
    assert res.status_code == 409


def test_agent_posting_an_action_directly_is_refused_and_nothing_runs(console: Console) -> None:
    d = console.reviews.create_draft(generated("整机保修1年[1]"))
    console.sign_in(Role.AGENT)
    html = console.page(f"/console/drafts/{d.id}")
    for action in ("approve", "reject", "regenerate", "send", "withdraw"):
        res = console.post(f"/console/drafts/{d.id}/{action}", {"version": 1, "reason": "x"}, html)
        assert res.status_code == 403
    assert console.reviews.get_draft(d.id).status == "pending_review"
    assert _statuses(console, d.id) == ["created"]


def test_draft_page_shows_sources_generator_fallback_stale_sources_and_findings(console: Console) -> None:
    d = console.reviews.create_draft(
        generated("这是最好的水壶，整机保修1年[1]", provider="openai-compatible", old_facts=True)
    )
    reason = "upstream timeout after 2 retries"
    f = console.reviews.create_draft(generated("整机保修1年[1]", fallback_reason=reason))
    console.sign_in(Role.REVIEWER)
    html = console.page(f"/console/drafts/{d.id}?lang=en")
    assert 'id="stale-warning"' in html and "<code>products/kettles.yaml#KT-150</code>" in html
    assert html.index('id="stale-warning"') < html.index('id="approve"')  # seen before approving
    assert 'id="cite-1" class="stale"' in html and "保修: 整机保修1年" in html
    assert 'href="#cite-1"' in html  # the [1] marker links to its source
    assert "qwen-test" in html
    mark = re.search(r'<mark class="finding sev-block"[^>]*>([^<]*)<span class="tip"', html)
    assert mark and mark.group(1) == "最好"
    assert "ad.superlative" in html and "改为客观描述" in html
    fb = console.page(f"/console/drafts/{f.id}?lang=en")
    assert 'id="fallback-reason">upstream timeout after 2 retries' in fb
    assert i18n.STRINGS["draft.generator.offline"]["en"] in fb and 'id="stale-warning"' not in fb


def test_draft_page_shows_the_review_text_the_customer_text_and_the_repairs(console: Console) -> None:
    g = generated("整机保修1年[1]。\n【资料】（编号 [1]）", provider="openai-compatible")
    g.generator.repairs = [
        Repair(
            action="replaced",
            reason="wrong_product",
            sentence="整机保修3年[1]。",
            claim="3年",
            replacement="整机保修1年[1]。",
            expected="1年",
        )
    ]
    d = console.reviews.create_draft(g)
    console.sign_in(Role.REVIEWER)
    html = console.page(f"/console/drafts/{d.id}?lang=en")
    shown = re.search(r'id="customer-text"[^>]*>([^<]*)<', html)
    assert shown and shown.group(1) == "整机保修1年。"
    assert 'href="#cite-1"' in html  # the reviewer's copy keeps the marker
    repairs = re.search(r'<ul class="repairs" id="repairs">(.*?)</ul>', html, re.DOTALL)
    assert repairs and "整机保修3年[1]。" in repairs.group(1) and "another product" in repairs.group(1)


def test_draft_page_shows_a_fact_added_after_generation_without_an_empty_struck_sentence(
    console: Console,
) -> None:
    g = generated("整机保修1年[1]。", provider="openai-compatible")
    g.generator.repairs = [
        Repair(
            action="added", reason="missing_fact", sentence="", claim="8年", replacement="内胆保修8年[1]。"
        )
    ]
    d = console.reviews.create_draft(g)
    console.sign_in(Role.REVIEWER)
    html = console.page(f"/console/drafts/{d.id}?lang=en")
    repairs = re.search(r'<ul class="repairs" id="repairs">(.*?)</ul>', html, re.DOTALL)
    assert repairs and "Added" in repairs.group(1) and "a fact the draft left out" in repairs.group(1)
    assert '<ins class="text">内胆保修8年[1]。</ins>' in repairs.group(1) and "<del" not in repairs.group(1)


def test_customer_and_model_text_is_escaped_everywhere(console: Console) -> None:
    evil_customer = '<script>alert("c")</script><img src=x onerror=alert(1)>'
    evil_draft = '最好<img src=x onerror="alert(2)"><script>alert(3)</script>'
    d = console.reviews.create_draft(generated(evil_draft, customer=evil_customer))
    console.sign_in(Role.REVIEWER)
    for html in (console.page(f"/console/drafts/{d.id}"), console.page("/console/queue")):
        assert "<script>alert" not in html and "<img src" not in html
        assert "&lt;script&gt;" in html
    html = console.page(f"/console/drafts/{d.id}")
    assert "&lt;img src=x onerror=alert(1)&gt;" in html
    # the finding right before the markup is still highlighted, with the markup as text after it
    assert re.search(r'<mark class="finding sev-block"[^>]*>最好<span class="tip"', html)


# --- actions -------------------------------------------------------------------------------------------
def test_actions_without_the_csrf_token_are_refused(console: Console) -> None:
    d = console.reviews.create_draft(generated("整机保修1年[1]"))
    console.sign_in(Role.REVIEWER)
    for action in ("approve", "reject", "regenerate"):
        res = console.client.post(f"/console/drafts/{d.id}/{action}", data={"version": 1, "reason": "x"})
        assert res.status_code == 403
        res = console.client.post(
            f"/console/drafts/{d.id}/{action}", data={"version": 1, "reason": "x", "csrf": "wrong"}
        )
        assert res.status_code == 403
    assert _statuses(console, d.id) == ["created"]


def test_a_cross_origin_post_is_refused_even_with_the_token(console: Console) -> None:
    d = console.reviews.create_draft(generated("整机保修1年[1]"))
    console.sign_in(Role.REVIEWER)
    html = console.page(f"/console/drafts/{d.id}")
    res = console.client.post(
        f"/console/drafts/{d.id}/approve",
        data={"version": 1, "csrf": csrf_of(html)},
        headers={"origin": "https://evil.example"},
    )
    assert res.status_code == 403 and _statuses(console, d.id) == ["created"]


def test_approve_unchanged_then_send_and_the_audit_shows_both(console: Console) -> None:
    d = console.reviews.create_draft(generated("整机保修1年\n退货7天[1]"))
    console.sign_in(Role.REVIEWER)
    html = console.page(f"/console/drafts/{d.id}")
    # browsers submit textarea lines with CRLF: an untouched text is not an edit
    res = console.post(
        f"/console/drafts/{d.id}/approve", {"version": 1, "text": "整机保修1年\r\n退货7天[1]"}, html
    )
    assert res.status_code == 303
    assert res.headers["location"] == f"/console/drafts/{d.id}?done=approved"
    approved = console.reviews.audit(d.id)[-1]
    assert approved.action == "approved" and approved.diff is None and approved.actor == "reviewer tester"
    assert console.reviews.stats(1).edit_rate == 0.0
    html = console.page(f"/console/drafts/{d.id}?done=approved&lang=en")
    assert "Approved." in html and _buttons(html) == {"send", "withdraw"}
    res = console.post(f"/console/drafts/{d.id}/send", {}, html)
    assert res.status_code == 303
    assert console.reviews.get_draft(d.id).status == "sent"
    html = console.page(f"/console/drafts/{d.id}")
    assert re.findall(r'class="audit-entry" data-action="(\w+)"', html) == ["created", "approved", "sent"]


def test_approve_with_an_edit_stores_the_normalised_text(console: Console) -> None:
    d = console.reviews.create_draft(generated("这是最好的水壶。\n整机保修1年[1]"))
    console.sign_in(Role.REVIEWER)
    html = console.page(f"/console/drafts/{d.id}")
    edited = "这是一款好水壶。\r\n整机保修1年[1]"
    res = console.post(f"/console/drafts/{d.id}/approve", {"version": 1, "text": edited}, html)
    assert res.status_code == 303
    record = console.reviews.get_draft(d.id)
    assert record.status == "approved" and record.text == "这是一款好水壶。\n整机保修1年[1]"
    assert record.compliance.verdict.value == "pass"
    html = console.page(f"/console/drafts/{d.id}")
    assert '<pre class="diff">' in html and "-这是最好的水壶。" in html


def test_a_blocked_edit_shows_the_findings_and_keeps_the_reviewers_text(console: Console) -> None:
    d = console.reviews.create_draft(generated("整机保修1年[1]"))
    console.sign_in(Role.REVIEWER)
    html = console.page(f"/console/drafts/{d.id}?lang=en")
    res = console.post(f"/console/drafts/{d.id}/approve", {"version": 1, "text": "加微信聊<b>x</b>"}, html)
    assert res.status_code == 422
    body = res.text
    assert i18n.STRINGS["error.blocked"]["en"] in body
    assert re.search(r'id="live-text"><mark class="finding sev-block"[^>]*>加微信<span', body)
    assert "加微信聊&lt;b&gt;x&lt;/b&gt;</textarea>" in body
    assert console.reviews.get_draft(d.id).status == "pending_review"


def test_approving_a_blocked_draft_unedited_is_refused_with_its_findings(console: Console) -> None:
    d = console.reviews.create_draft(generated("这是最好的水壶[1]"))
    console.sign_in(Role.REVIEWER)
    html = console.page(f"/console/drafts/{d.id}?lang=en")
    res = console.post(f"/console/drafts/{d.id}/approve", {"version": 1, "text": "这是最好的水壶[1]"}, html)
    assert res.status_code == 422 and i18n.STRINGS["error.blocked"]["en"] in res.text
    assert console.reviews.get_draft(d.id).status == "pending_review"


def test_a_stale_version_shows_who_won_instead_of_acting(console: Console) -> None:
    d = console.reviews.create_draft(generated("整机保修1年[1]"))
    console.sign_in(Role.REVIEWER)
    html = console.page(f"/console/drafts/{d.id}?lang=en")
    console.reviews.reject(d.id, version=1, reason="other reviewer was faster", principal=OTHER)
    res = console.post(f"/console/drafts/{d.id}/approve", {"version": 1}, html)
    assert res.status_code == 409
    assert "it is now Rejected" in res.text and _buttons(res.text) == set()
    assert "other reviewer was faster" in res.text  # the audit shows why


def test_reject_without_a_reason_shows_the_services_refusal(console: Console) -> None:
    d = console.reviews.create_draft(generated("整机保修1年[1]"))
    console.sign_in(Role.REVIEWER)
    html = console.page(f"/console/drafts/{d.id}?lang=en")
    res = console.post(f"/console/drafts/{d.id}/reject", {"version": 1, "reason": "  "}, html)
    assert res.status_code == 422 and "Invalid input" in res.text
    ok = console.post(f"/console/drafts/{d.id}/reject", {"version": 1, "reason": "wrong product"}, html)
    assert ok.status_code == 303
    assert console.reviews.get_draft(d.id).status == "rejected"


def test_regenerate_opens_the_new_draft(console: Console) -> None:
    d = console.reviews.create_draft(generated("整机保修1年[1]"))
    console.sign_in(Role.REVIEWER)
    html = console.page(f"/console/drafts/{d.id}")
    res = console.post(f"/console/drafts/{d.id}/regenerate", {"version": 1}, html)
    assert res.status_code == 303
    new_id = console.reviews.get_draft(d.id).superseded_by
    assert new_id and res.headers["location"] == f"/console/drafts/{new_id}?done=regenerated"
    html = console.page(res.headers["location"])
    assert f'href="/console/drafts/{d.id}"' in html and "重新生成：整机保修1年" in html


def test_four_eyes_refusal_is_shown(
    make_container: Callable[..., Container],
    client_for: Callable[[Container], TestClient],
    settings: Settings,
    template_db: Path,
) -> None:
    strict = settings.model_copy(update={"four_eyes": True})
    container, reviews, *_ = _console_container(make_container, strict, template_db)
    client = client_for(container)
    me = static_keys().authenticate(KEYS[Role.REVIEWER])
    d = reviews.create_draft(generated("整机保修1年[1]"), requested_by=me)
    page = client.get("/console?lang=en")
    client.post("/console/login", data={"key": KEYS[Role.REVIEWER], "csrf": csrf_of(page.text)})
    html = client.get(f"/console/drafts/{d.id}").text
    res = client.post(f"/console/drafts/{d.id}/approve", data={"version": 1, "csrf": csrf_of(html)})
    assert res.status_code == 403 and "four-eyes" in res.text
    assert reviews.get_draft(d.id).status == "pending_review"


def test_unknown_draft_is_a_404_page(console: Console) -> None:
    console.sign_in(Role.REVIEWER)
    res = console.client.get("/console/drafts/nope?lang=en")
    assert res.status_code == 404 and "No such draft." in res.text
    assert "text/html" in res.headers["content-type"]


# --- live check --------------------------------------------------------------------------------------
def test_live_check_returns_segments_for_the_edited_text(console: Console) -> None:
    d = console.reviews.create_draft(generated("整机保修1年[1]"))
    console.sign_in(Role.REVIEWER)
    html = console.page(f"/console/drafts/{d.id}")
    token = csrf_of(html)
    body = {"draft_id": d.id, "text": "请加微信<img src=x>"}
    assert console.client.post("/console/api/check", json=body).status_code == 403
    res = console.client.post("/console/api/check", json=body, headers={"x-csrf-token": token})
    assert res.status_code == 200
    data = res.json()
    assert data["verdict"] == "block" and data["edited"] is True
    assert [s["text"] for s in data["segments"]] == ["请", "加微信", "<img src=x>"]
    assert data["segments"][1]["findings"] == [0] and data["findings"][0]["rule_id"] == "offplatform.wechat"
    call = console.compliance.calls[-1]
    assert call["customer_text"] == d.customer_message and call["sources"] == ["保修: 整机保修1年"]


def test_live_check_judges_an_edit_exactly_as_approving_it_does(console: Console) -> None:
    # The draft was checked against whole retrieved sources, not only the cited excerpt: the live check
    # must use the same evidence, or it shows a verdict that approval then contradicts.
    sources = ["晨光电热水壶 1.5L KT-150：整机保修1年，售价89元，支持7天无理由退货。"]
    d = console.reviews.create_draft(generated("整机保修1年[1]", source_texts=sources))
    console.sign_in(Role.REVIEWER)
    html = console.page(f"/console/drafts/{d.id}")
    edited = "整机保修1年，售价89元，我们保证品质[1]"
    res = console.client.post(
        "/console/api/check", json={"draft_id": d.id, "text": edited}, headers={"x-csrf-token": csrf_of(html)}
    )
    assert res.status_code == 200 and res.json()["verdict"] == "warn"
    live = console.compliance.calls[-1]
    assert live["sources"] == sources
    done = console.post(f"/console/drafts/{d.id}/approve", {"version": 1, "text": edited}, html)
    assert done.status_code == 303
    approval = console.compliance.calls[-1]
    assert approval == live
    stored = console.reviews.get_draft(d.id)
    assert stored.text == edited and stored.compliance.verdict.value == res.json()["verdict"]


def test_live_check_needs_a_session(console: Console) -> None:
    res = console.client.post("/console/api/check", json={"draft_id": "x", "text": "a"})
    assert res.status_code == 401 and res.json()["error"]["code"] == "unauthorized"


# --- dashboard, language, assets -----------------------------------------------------------------------
def test_dashboard_shows_the_review_stats_to_reviewers_only(console: Console) -> None:
    r = console.reviews
    console.clock.at_minutes_ago(2)
    texts = ("整机保修1年[1]", "最好的[1]", "好的[1]", "可以[1]")
    drafts = [r.create_draft(generated(t, provider="openai-compatible")) for t in texts]
    r.create_draft(generated("整机保修1年[1]", fallback_reason="model timed out"))
    console.clock.reset()
    r.approve(drafts[0].id, version=1, text=None, principal=OTHER)
    r.approve(drafts[1].id, version=1, text="更好的[1]", principal=OTHER)
    r.reject(drafts[2].id, version=1, reason="wrong product", principal=OTHER)
    r.regenerate(drafts[3].id, version=1, principal=OTHER)
    console.sign_in(Role.REVIEWER)
    text = _text(console.page("/console/dashboard?lang=en&days=7"))
    assert "50.0% Acceptance rate" in text  # 2 approvals of 4 decisions
    assert "50.0% Edit rate" in text  # 1 of 2 approvals edited
    assert "20.0% Fallback rate (model failed)" in text  # 1 of the 5 drafts that asked the model
    # The regenerated draft was written offline without a model: in the mix, not a fallback.
    assert (
        "Model 4" in text
        and "Fallback (model failed) 1" in text
        and "Offline (no model configured) 1" in text
    )
    assert "2 min Time to review" in text
    assert "Advertising law" in text and "wrong product" in text
    console.client.cookies.clear()
    console.sign_in(Role.AGENT)
    assert console.client.get("/console/dashboard").status_code == 403
    assert 'href="/console/dashboard"' not in console.page("/console/queue")


def test_language_switch_is_remembered(console: Console) -> None:
    console.sign_in(Role.REVIEWER)
    assert "审核队列" in console.page("/console/queue")
    assert "Review queue" in console.page("/console/queue?lang=en")
    assert "Review queue" in console.page("/console/queue")
    assert "审核队列" in console.page("/console/queue?lang=zh")


def test_pages_carry_a_strict_content_security_policy(console: Console) -> None:
    res = console.client.get("/console")
    csp = res.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert not re.search(r"<script(?![^>]*(src=|application/json))", res.text)  # no inline scripts


def test_static_assets_are_served_by_the_app(console: Console) -> None:
    js = console.client.get("/console/static/console.js")
    assert js.status_code == 200 and js.headers["content-type"].startswith("text/javascript")
    assert "innerHTML" not in js.text
    css = console.client.get("/console/static/console.css")
    assert css.status_code == 200 and "text/css" in css.headers["content-type"]
    assert console.client.get("/console/static/../routes.py").status_code == 404
    cached = console.client.get("/console/static/console.js", headers={"if-none-match": js.headers["etag"]})
    assert cached.status_code == 304


# --- strings -----------------------------------------------------------------------------------------
def test_every_string_exists_in_both_languages_and_templates_use_known_keys() -> None:
    from service.console import page

    for key, values in i18n.STRINGS.items():
        assert set(values) == set(i18n.LANGS) and all(v.strip() for v in values.values()), key
    templates = page.HERE / "templates"
    used = set()
    for path in templates.glob("*.html"):
        used |= set(re.findall(r"t\('([\w.]+)'[,)]", path.read_text()))
    missing = {k for k in used if k not in i18n.STRINGS}
    assert used and not missing
    assert all(k in i18n.STRINGS for k in page.JS_STRINGS)

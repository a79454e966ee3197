"""The reviewer console in real headless Chromium against the whole service: an agent asks for drafts
through the API, a reviewer reviews, edits, approves and sends them in the console.

Screenshots of the main pages go to a temporary folder; `make screenshots` writes them to
docs/screenshots/ for the README.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import Dialog, Page, expect

from service.api.auth import Role
from service.console.views import percent
from tests.browser.conftest import Console

pytestmark = pytest.mark.browser

RISKY = "这款水壶是最好的选择，整机保修1年[1]。"
FIXED = "这款水壶做工扎实，整机保修1年[1]。"


def _dialogs(page: Page) -> list[str]:
    seen: list[str] = []

    def record(dialog: Dialog) -> None:
        seen.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", record)
    return seen


def test_reviewer_reviews_edits_approves_and_sends_a_draft(
    open_console: Callable[[], Console], screenshots: Path
) -> None:
    c = open_console()
    server = c.server
    draft = server.draft("KT-150 保修多久？哪款最值得买？", RISKY)
    assert draft["compliance"]["verdict"] == "block"
    for question in ("KT-150 多久发货？", "可以七天无理由退货吗？", "羽绒服怎么选尺码？"):
        server.draft(question)
    page = c.sign_in(c.key(Role.REVIEWER))

    row = page.locator(f'#queue tr.row[data-id="{draft["id"]}"]')
    expect(row).to_be_visible()
    expect(row.locator(".verdict-block")).to_be_visible()
    page.screenshot(path=str(screenshots / "queue.png"), full_page=True)

    row.locator("a.open").click()
    page.wait_for_url(f"**/console/drafts/{draft['id']}")
    mark = page.locator("#draft-text mark.finding")
    expect(mark.first).to_contain_text("最好")
    mark.first.focus()
    tip = mark.first.locator(".tip")
    expect(tip).to_be_visible()
    finding = draft["compliance"]["findings"][0]
    expect(tip).to_contain_text(finding["rule_id"])  # focus shows the rule, its message and the fix
    expect(tip).to_contain_text(finding["message"])
    expect(tip).to_contain_text(finding["suggestion"])
    expect(page.locator("#cite-1")).to_be_visible()
    expect(page.locator("#generator")).to_contain_text(server.container.settings.llm_model)
    page.screenshot(path=str(screenshots / "draft.png"), full_page=True)

    page.locator("h1").click()  # leave the highlight so the shortcut is not typed into a field
    page.keyboard.press("e")
    expect(page.locator("#edit")).to_be_focused()
    page.fill("#edit", FIXED)
    expect(page.locator("#live")).to_have_attribute("data-state", "done")
    expect(page.locator("#live-verdict")).to_have_attribute("data-verdict", "pass")
    expect(page.locator("#live-text mark")).to_have_count(0)

    page.click("#approve")
    page.wait_for_url("**?done=approved")
    expect(page.locator("#status")).to_have_text("Approved")
    expect(page.locator("#draft-text")).to_have_text(FIXED)
    page.click("#send")
    page.wait_for_url("**?done=sent")
    expect(page.locator("#status")).to_have_text("Sent")
    entries = page.locator("#audit .audit-entry")
    kinds = entries.evaluate_all("els => els.map(e => e.dataset.action)")
    assert kinds == ["created", "approved", "sent"]
    expect(entries.nth(1)).to_contain_text("reviewer tester")
    entries.nth(1).locator("summary").click()
    expect(entries.nth(1).locator("pre.diff")).to_contain_text("+" + FIXED)
    sent = server.container.reviews.get_draft(draft["id"])
    assert sent.status == "sent" and sent.text == FIXED

    page.goto(server.url + "/console/dashboard")
    stats = server.container.reviews.stats(30)
    expect(page.locator("#tile-acceptance .n")).to_have_text(percent(stats.acceptance_rate))
    expect(page.locator("#tile-decisions .n")).to_have_text(str(stats.decisions))
    kpi = stats.acceptance
    assert kpi is not None and kpi.total.decisions >= 1
    expect(page.locator("#tile-kpi-accepted .n")).to_have_text(percent(kpi.total.accepted_rate))
    expect(page.locator("#kpi-generators tbody tr")).to_have_count(len(kpi.by["generator"]))
    expect(page.locator("#acceptance-kpis svg.stack rect").first).to_be_visible()
    page.screenshot(path=str(screenshots / "dashboard.png"), full_page=True)


def test_reviewer_and_agent_see_different_buttons(open_console: Callable[[], Console]) -> None:
    reviewer, agent = open_console(), open_console()
    draft = reviewer.server.draft("KT-150 保修多久？")
    for c, role in ((reviewer, Role.REVIEWER), (agent, Role.AGENT)):
        c.sign_in(c.key(role))
        c.goto(f"/console/drafts/{draft['id']}")
    for button in ("#approve", "#reject", "#regenerate"):
        expect(reviewer.page.locator(button)).to_be_visible()
        expect(agent.page.locator(button)).to_have_count(0)
    expect(agent.page.locator("#read-only")).to_be_visible()
    expect(agent.page.locator("#edit")).to_have_count(0)
    expect(agent.page.locator('a[href="/console/dashboard"]')).to_have_count(0)
    expect(reviewer.page.locator('a[href="/console/dashboard"]')).to_be_visible()


def test_markup_from_customers_and_models_renders_as_text(open_console: Callable[[], Console]) -> None:
    c = open_console()
    customer = '<script>window.__pwned = "c"</script><img src=x onerror="window.__pwned = \'c2\'">'
    reply = '最好的<img src=x onerror="window.__pwned = \'d\'"><script>window.__pwned = "d2"</script>[1]'
    draft = c.server.draft(customer, reply)
    page = c.sign_in(c.key(Role.REVIEWER))
    dialogs = _dialogs(page)
    expect(page.locator(f'tr.row[data-id="{draft["id"]}"] td.msg').first).to_contain_text("<script>")
    c.goto(f"/console/drafts/{draft['id']}")
    expect(page.locator("#customer-message")).to_have_text(customer)
    expect(page.locator("#draft-text mark.finding").first).to_contain_text("最好")
    expect(page.locator("#draft-text")).to_contain_text('<img src=x onerror="window.__pwned')
    assert page.locator("#draft-text img, #customer-message img, main script").count() == 0
    # the live check renders the reviewer's own markup as text too
    page.fill("#edit", "<img src=x onerror=\"window.__pwned = 'live'\">最好的选择")
    expect(page.locator("#live")).to_have_attribute("data-state", "done")
    # the reviewer's markup is itself a finding now (it would be sent), beside the superlative
    expect(page.locator("#live-text mark.finding", has_text="最好")).to_have_count(1)
    expect(page.locator("#live-text mark.finding", has_text="<img")).to_have_count(1)
    expect(page.locator("#live-text")).to_contain_text("<img src=x")
    assert page.locator("#live-text img").count() == 0
    assert page.evaluate("window.__pwned") is None
    assert dialogs == []


def test_keyboard_moves_through_the_queue_and_drafts(open_console: Callable[[], Console]) -> None:
    c = open_console()
    for question in ("KT-150 保修多久？", "多久发货？", "可以退货吗？"):
        c.server.draft(question)
    page = c.sign_in(c.key(Role.REVIEWER))
    order = page.locator("#queue tr.row").evaluate_all("els => els.map(e => e.dataset.id)")
    assert len(order) >= 3
    page.keyboard.press("j")
    page.keyboard.press("j")
    expect(page.locator("#queue tr.row.current")).to_have_attribute("data-id", order[1])
    page.keyboard.press("k")
    expect(page.locator("#queue tr.row.current")).to_have_attribute("data-id", order[0])
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/console/drafts/{order[0]}")
    page.keyboard.press("j")
    page.wait_for_url(f"**/console/drafts/{order[1]}")
    page.keyboard.press("k")
    page.wait_for_url(f"**/console/drafts/{order[0]}")
    page.keyboard.press("r")
    expect(page.locator("#reason")).to_be_focused()
    page.keyboard.type("wrong product")
    page.keyboard.press("Enter")
    page.wait_for_url("**?done=rejected")
    expect(page.locator("#status")).to_have_text("Rejected")
    page.goto(f"{c.server.url}/console/drafts/{order[1]}")
    page.keyboard.press("a")
    page.wait_for_url("**?done=approved")
    expect(page.locator("#status")).to_have_text("Approved")


def test_language_switch_and_sign_out(open_console: Callable[[], Console]) -> None:
    c = open_console()
    page = c.sign_in(c.key(Role.REVIEWER), lang="zh")
    expect(page.locator("h1")).to_have_text("审核队列")
    page.click("a[hreflang=en]")
    expect(page.locator("h1")).to_have_text("Review queue")
    page.reload()
    expect(page.locator("h1")).to_have_text("Review queue")
    page.click("#signout")
    page.wait_for_url("**/console?bye=1")
    c.goto("/console/queue")
    expect(page.locator("#key")).to_be_visible()

"""Verified answers end to end over HTTP: keep from a reviewed draft, draft from it, product scoping,
staleness after a reindex, retire, edit conflicts, import (YAML/CSV, bad input), coaching signals.

Real components: the app, the review service, the drafting pipeline, a real Chroma index of a small
knowledge base (fake embedder), SQLite and PostgreSQL.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from service.api.auth import Role
from service.app import create_app
from service.container import Container
from service.drafting.llm import OpenAICompatibleChatModel
from service.embeddings.fake import FakeEmbedder
from service.review.db import Database
from service.review.orm import AuditEntryRow, VerifiedAnswerRow
from service.settings import Settings
from tests import test_review_support as support
from tests.conftest import INDEX_KB, auth, static_keys
from tests.fake_llm import FakeLLM, fake_llm  # noqa: F401

backend, db = support.backend, support.db  # fixtures

KETTLE_Q = "KT-150 这款水壶保修多久？"


def unmarked(text: str) -> str:
    return re.sub(r"\[\d+\]", "", text)


@dataclass
class Env:
    client: TestClient
    container: Container
    kb: Path

    def call(self, method: str, path: str, role: Role = Role.REVIEWER, **kw: Any) -> Any:
        return self.client.request(method, path, headers=auth(role), **kw)

    def draft(self, message: str, **extra: Any) -> dict[str, Any]:
        res = self.call("POST", "/v1/drafts", Role.AGENT, json={"customer_message": message, **extra})
        assert res.status_code == 201, res.text
        return dict(res.json())

    def approve(self, draft: dict[str, Any], **extra: Any) -> dict[str, Any]:
        res = self.call(
            "POST", f"/v1/drafts/{draft['id']}/approve", json={"version": draft["version"], **extra}
        )
        assert res.status_code == 200, res.text
        return dict(res.json())

    def keep(self, draft: dict[str, Any], **body: Any) -> Any:
        return self.call("POST", f"/v1/drafts/{draft['id']}/verified-answer", json=body)

    def reindex(self) -> None:
        self.container.index.reindex(self.kb)


def make_env(db: Database, tmp_path: Path, **overrides: Any) -> Env:
    kb = tmp_path / "kb"
    shutil.copytree(INDEX_KB, kb)
    settings = Settings(data_dir=tmp_path / "data", knowledge_dir=kb, embedder="fake", verified_threshold=0.9)
    container = Container(settings, db=db, embedder=FakeEmbedder(), keys=static_keys(), **overrides)
    container.index.reindex(kb)
    return Env(TestClient(create_app(container)), container, kb)


@pytest.fixture
def env(db: Database, tmp_path: Path) -> Iterator[Env]:
    made = make_env(db, tmp_path)
    yield made
    made.client.close()
    made.container.close()


def kept(env: Env, message: str = KETTLE_Q, **body: Any) -> dict[str, Any]:
    draft = env.approve(env.draft(message))
    res = env.keep(draft, **body)
    assert res.status_code == 201, res.text
    return dict(res.json())


def test_a_kept_answer_drafts_the_same_question_later(env: Env) -> None:
    answer = kept(env, answer="KT-150 整机保修1年，凭订单即可申请保修。")
    assert answer["status"] == "active" and answer["origin"] == "review"
    assert answer["product_ids"] == ["KT-150"] and answer["intent"] == "warranty"
    assert "products/kettles.yaml#KT-150" in answer["source_ids"]
    assert all(answer["source_digests"][s] for s in answer["source_ids"])

    again = env.draft("KT-150 这款水壶保修多久呢？")
    gen = again["generator"]
    assert gen["provider"] == "verified" and gen["verified_answer_id"] == answer["id"]
    assert gen["verified_similarity"] >= 0.9
    assert again["text"].startswith("KT-150 整机保修1年")
    assert again["compliance"]["verdict"] in ("pass", "warn")
    # the keep is in the draft's audit trail
    trail = env.call("GET", f"/v1/drafts/{answer['origin_draft_id']}/audit").json()
    assert any(e["action"] == "kept_verified" and answer["id"] in (e["note"] or "") for e in trail)


def test_never_used_for_another_product_or_another_question(env: Env) -> None:
    kept(env, answer="KT-150 整机保修1年。")
    other_product = env.draft("KT-170T 这款水壶保修多久？")
    assert other_product["generator"]["provider"] != "verified"
    by_id = env.draft("这款水壶保修多久？", product_ids=["KT-170"])
    assert by_id["generator"]["provider"] != "verified"
    unrelated = env.draft("KT-150 多少钱？")
    assert unrelated["generator"]["provider"] != "verified"
    same_by_id = env.draft("KT-150 这款水壶保修多久？", product_ids=["KT-150"])
    assert same_by_id["generator"]["provider"] == "verified"


def test_a_changed_source_makes_the_answer_stale_and_unused(env: Env) -> None:
    answer = kept(env, answer="KT-150 整机保修1年。")
    sheet = env.kb / "products" / "kettles.yaml"
    sheet.write_text(
        sheet.read_text(encoding="utf-8").replace(
            "保修: 整机保修1年\n  描述: 1.5升", "保修: 整机保修3年\n  描述: 1.5升"
        ),
        encoding="utf-8",
    )
    env.reindex()
    after = env.draft(KETTLE_Q)
    assert after["generator"]["provider"] != "verified"
    got = env.call("GET", f"/v1/verified-answers/{answer['id']}", Role.QA).json()
    assert got["status"] == "stale" and got["stale_sources"] == ["products/kettles.yaml#KT-150"]
    listed = env.call("GET", "/v1/verified-answers?status=stale", Role.OPS).json()
    assert [a["id"] for a in listed["items"]] == [answer["id"]]
    # a person fixes the text and confirms it against the live index: in use again
    res = env.call(
        "PATCH",
        f"/v1/verified-answers/{answer['id']}",
        Role.OPS,
        json={"version": got["version"], "answer": "KT-150 整机保修3年。", "status": "active"},
    )
    assert res.status_code == 200 and res.json()["status"] == "active", res.text
    assert env.draft(KETTLE_Q)["generator"]["verified_answer_id"] == answer["id"]


def test_an_unchanged_source_survives_a_reindex_of_other_files(env: Env) -> None:
    answer = kept(env, answer="KT-150 整机保修1年。")
    policy = env.kb / "policies" / "shipping.md"
    policy.write_text(
        policy.read_text(encoding="utf-8") + "\n\n## 新增\n偏远地区另加运费10元。\n", encoding="utf-8"
    )
    env.reindex()
    assert env.draft(KETTLE_Q)["generator"]["verified_answer_id"] == answer["id"]
    got = env.call("GET", f"/v1/verified-answers/{answer['id']}", Role.QA).json()
    assert got["status"] == "active" and got["index_version"] == env.container.index.live_version().version


def test_retire_stops_use_and_a_stale_version_is_409(env: Env) -> None:
    answer = kept(env, answer="KT-150 整机保修1年。")
    edited = env.call(
        "PATCH",
        f"/v1/verified-answers/{answer['id']}",
        Role.QA,
        json={"version": 1, "answer": "整机保修1年。"},
    )
    assert edited.status_code == 200 and edited.json()["version"] == 2
    lost = env.call("POST", f"/v1/verified-answers/{answer['id']}/retire", Role.OPS, json={"version": 1})
    assert lost.status_code == 409 and lost.json()["error"]["details"]["current"]["version"] == 2
    done = env.call("POST", f"/v1/verified-answers/{answer['id']}/retire", Role.OPS, json={"version": 2})
    assert done.status_code == 200 and done.json()["status"] == "retired"
    assert env.draft(KETTLE_Q)["generator"]["provider"] != "verified"


def test_only_approved_or_sent_drafts_are_kept_and_roles_apply(env: Env) -> None:
    pending = env.draft(KETTLE_Q)
    res = env.keep(pending)
    assert res.status_code == 409 and "approved or sent" in res.json()["error"]["message"]
    assert (
        env.call("POST", f"/v1/drafts/{pending['id']}/verified-answer", Role.AGENT, json={}).status_code
        == 403
    )
    assert env.call("POST", "/v1/drafts/nope/verified-answer", json={}).status_code == 404
    assert env.call("GET", "/v1/verified-answers", Role.AGENT).status_code == 403
    approved = env.approve(pending)
    assert (
        env.call(
            "POST", "/v1/verified-answers/import", Role.REVIEWER, json={"format": "csv", "content": "x"}
        ).status_code
        == 403
    )
    assert env.keep(approved, answer="   ").status_code == 422


YAML_FAQ = """\
answers:
  - question: 退货运费谁出？
    answer: 七天无理由退货的运费由买家承担，质量问题由我们承担。
    source_ids: [policies/returns.md]
  - question: How long is the KT-170T warranty?
    answer: The KT-170T has a 2-year warranty.
    product_ids: [KT-170T]
"""


def test_import_yaml_then_draft_from_it(env: Env, db: Database) -> None:
    res = env.call(
        "POST", "/v1/verified-answers/import", Role.OPS, json={"format": "yaml", "content": YAML_FAQ}
    )
    assert res.status_code == 201 and res.json()["created"] == 2, res.text
    listed = env.call("GET", "/v1/verified-answers?language=en", Role.QA).json()["items"]
    assert len(listed) == 1 and listed[0]["intent"] == "warranty" and listed[0]["origin"] == "import"
    assert "products/kettles.yaml#KT-170T" in listed[0]["source_ids"]
    got = env.draft("How long is the warranty of the KT-170T?")
    assert got["generator"]["provider"] == "verified", got["generator"]
    by_product = env.call("GET", "/v1/verified-answers?product_id=KT-170T", Role.QA).json()["items"]
    assert [a["id"] for a in by_product] == [listed[0]["id"]]


@pytest.mark.parametrize(
    ("fmt", "content", "says"),
    [
        ("csv", "question,product_ids\n运费?,KT-150\n", "missing the column(s) answer"),
        ("csv", "question,answer\n运费?,\n", "row 2: answer"),
        (
            "yaml",
            "- question: a\n  answer: b\n- question: c\n  answer: d\n  product_ids: [NOPE-1]\n",
            "item 2: unknown product id(s): NOPE-1",
        ),
        ("yaml", "answers: {question: a}", "must be a list"),
        ("yaml", "- {question: a, answer: b, colour: red}", "item 1: colour"),
    ],
)
def test_bad_imports_are_422_and_write_nothing(
    env: Env, db: Database, fmt: str, content: str, says: str
) -> None:
    res = env.call("POST", "/v1/verified-answers/import", Role.OPS, json={"format": fmt, "content": content})
    assert res.status_code == 422, res.text
    assert says in res.json()["error"]["message"]
    with db.read() as s:
        assert s.scalar(select(func.count()).select_from(VerifiedAnswerRow)) == 0


def test_a_2mb_import_is_refused(env: Env, db: Database) -> None:
    content = "question,answer\n" + "退货运费谁出？,买家承担。\n" * 80_000
    assert len(content.encode()) > 2_000_000
    res = env.call(
        "POST", "/v1/verified-answers/import", Role.OPS, json={"format": "csv", "content": content}
    )
    assert res.status_code in (413, 422)  # the body limit (REPLYDRAFT_MAX_BODY_BYTES), else the field's
    with db.read() as s:
        assert s.scalar(select(func.count()).select_from(VerifiedAnswerRow)) == 0


@pytest.mark.parametrize(
    ("name", "content", "says"),
    [
        ("big.csv", "question,answer\n" + "退货运费谁出？,买家承担。\n" * 80_000, "at most 1000000"),
        ("faq.csv", "question,intent\n运费?,shipping\n", "missing the column(s) answer"),
        ("faq.txt", "question,answer\n", "unknown format"),
    ],
)
def test_cli_import_refuses_bad_files_with_exit_2(tmp_path: Path, name: str, content: str, says: str) -> None:
    from typer.testing import CliRunner

    from service.cli import app

    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    env = {"REPLYDRAFT_DATA_DIR": str(tmp_path / "data"), "REPLYDRAFT_EMBEDDER": "fake"}
    res = CliRunner().invoke(app, ["verified", "import", str(path)], env=env)
    assert res.exit_code == 2, res.output
    assert says in " ".join(res.output.split())
    assert not (tmp_path / "data" / "replydraft.db").exists()  # refused before any database work


def test_list_pages_without_repeats(env: Env) -> None:
    items = "\n".join(f"- {{question: 问题{i}的运费怎么算？, answer: 答案{i}。}}" for i in range(7))
    assert (
        env.call(
            "POST", "/v1/verified-answers/import", Role.OPS, json={"format": "yaml", "content": items}
        ).status_code
        == 201
    )
    seen: list[str] = []
    cursor = None
    while True:
        page = env.call(
            "GET",
            "/v1/verified-answers",
            Role.QA,
            params={"limit": 3, **({"cursor": cursor} if cursor else {})},
        ).json()
        seen += [a["id"] for a in page["items"]]
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert len(seen) == 7 == len(set(seen))


def test_the_collection_is_rebuilt_from_the_table_when_missing(env: Env) -> None:
    answer = kept(env, answer="KT-150 整机保修1年。")
    env.container.verified.vectors.drop()
    assert env.draft(KETTLE_Q)["generator"]["verified_answer_id"] == answer["id"]


def test_coaching_signals_on_reject_and_approve(env: Env, db: Database) -> None:
    d1 = env.draft(KETTLE_Q)
    cited = d1["citations"][0]["source_id"]
    bad = env.call(
        "POST",
        f"/v1/drafts/{d1['id']}/reject",
        json={
            "version": d1["version"],
            "reason": "wrong",
            "source_feedback": [{"kind": "wrong", "source_id": "policies/nope.md"}],
        },
    )
    assert bad.status_code == 422
    assert env.call("GET", f"/v1/drafts/{d1['id']}", Role.AGENT).json()["status"] == "pending_review"
    ok = env.call(
        "POST",
        f"/v1/drafts/{d1['id']}/reject",
        json={
            "version": d1["version"],
            "reason": "wrong source",
            "source_feedback": [{"kind": "wrong", "source_id": cited}],
        },
    )
    assert ok.status_code == 200, ok.text
    d2 = env.draft("KT-150 多少钱？")
    env.approve(
        d2,
        text="KT-150 售价89元。",
        source_feedback=[
            {"kind": "wrong", "source_id": cited},
            {"kind": "missing", "note": "no warranty terms page"},
        ],
    )
    stats = env.call("GET", "/v1/stats/coaching", Role.QA).json()
    assert stats["signals"] == 3
    assert stats["blamed_sources"][0] == {"source_id": cited, "wrong": 2, "missing": 0, "total": 2}
    gaps = {g["draft_id"]: g["reason"] for g in stats["content_gaps"]}
    assert gaps.get(d2["id"]) == "marked_missing"
    with db.read() as s:
        assert s.scalar(select(func.count()).select_from(AuditEntryRow)) >= 2


def _console_sign_in(env: Env, role: Role) -> None:
    from tests.conftest import KEYS
    from tests.test_console_support import csrf_of

    page = env.client.get("/console")
    res = env.client.post(
        "/console/login", data={"key": KEYS[role], "csrf": csrf_of(page.text)}, follow_redirects=False
    )
    assert res.status_code == 303, res.text


def test_console_blame_keep_and_dashboard(env: Env) -> None:
    from tests.test_console_support import csrf_of

    _console_sign_in(env, Role.REVIEWER)
    d = env.draft(KETTLE_Q)
    cited = d["citations"][0]["source_id"]
    page = env.client.get(f"/console/drafts/{d['id']}").text
    assert f'value="wrong:{cited}"' in page and 'id="keep-verified"' not in page
    res = env.client.post(
        f"/console/drafts/{d['id']}/approve",
        data={"csrf": csrf_of(page), "version": d["version"], "blame": "missing:"},
        follow_redirects=False,
    )
    assert res.status_code == 303, res.text
    page = env.client.get(f"/console/drafts/{d['id']}").text
    assert 'id="keep-verified"' in page
    res = env.client.post(
        f"/console/drafts/{d['id']}/keep", data={"csrf": csrf_of(page)}, follow_redirects=False
    )
    assert res.status_code == 303 and res.headers["location"].endswith("?done=kept")
    again = env.draft("KT-150 这款水壶保修多久呢？")
    assert again["generator"]["provider"] == "verified"
    shown = env.client.get(f"/console/drafts/{again['id']}").text
    assert again["generator"]["verified_answer_id"] in shown
    dash = env.client.get("/console/dashboard").text
    assert 'id="coaching"' in dash and KETTLE_Q[:10] in dash and "active: 1" in dash


def test_a_model_adapts_the_answer_and_a_failed_model_leaves_it_verbatim(
    db: Database,
    tmp_path: Path,
    fake_llm: FakeLLM,  # noqa: F811
) -> None:
    llm = OpenAICompatibleChatModel(
        base_url=fake_llm.base_url, model="fake-model", timeout_s=0.5, sleep=lambda _s: None
    )
    made = make_env(db, tmp_path, llm=llm)
    try:
        res = made.call(
            "POST", "/v1/verified-answers/import", Role.OPS, json={"format": "yaml", "content": YAML_FAQ}
        )
        assert res.status_code == 201, res.text
        fake_llm.reply("Hi! The KT-170T comes with a 2-year warranty.")
        adapted = made.draft("How long is the warranty of the KT-170T?")
        gen = adapted["generator"]
        assert gen["provider"] == "verified" and gen["model"] == "fake-model", gen
        assert unmarked(adapted["text"]).startswith("Hi! The KT-170T comes with a 2-year warranty.")
        assert adapted["citations"]  # cited against the new draft's sources
        prompt = fake_llm.chat_requests[-1].prompt_text
        assert "The KT-170T has a 2-year warranty." in prompt and "How long is the warranty" in prompt
        for _ in range(3):
            fake_llm.error(500)
        verbatim = made.draft("How long is the warranty of the KT-170T?")
        gen = verbatim["generator"]
        assert gen["provider"] == "verified" and gen["model"] == "verbatim"
        assert gen["fallback_reason"].startswith("llm_")
        assert unmarked(verbatim["text"]).startswith("The KT-170T has a 2-year warranty.")
    finally:
        made.client.close()
        made.container.close()


def test_a_streamed_draft_from_a_verified_answer(env: Env) -> None:
    answer = kept(env, answer="KT-150 整机保修1年。")
    res = env.call("POST", "/v1/drafts", Role.AGENT, json={"customer_message": KETTLE_Q, "stream": True})
    assert res.status_code in (200, 201), res.text
    final = [line for line in res.text.splitlines() if line.startswith("data:") and '"generator"' in line]
    assert final and answer["id"] in final[-1]
    assert '"provider":"verified"' in final[-1].replace(" ", "")


def test_cli_list_check_and_retire(env: Env, db: Database) -> None:
    from typer.testing import CliRunner

    from service.cli import app

    answer = kept(env, answer="KT-150 整机保修1年。")
    settings = env.container.settings
    envvars = {
        "REPLYDRAFT_DATA_DIR": str(settings.data_dir),
        "REPLYDRAFT_KNOWLEDGE_DIR": str(env.kb),
        "REPLYDRAFT_DATABASE_URL": db.url,
        "REPLYDRAFT_EMBEDDER": "fake",
    }
    runner = CliRunner()
    listed = runner.invoke(app, ["verified", "list", "--json"], env=envvars)
    assert listed.exit_code == 0, listed.output
    assert answer["id"] in listed.output
    checked = runner.invoke(app, ["verified", "check"], env=envvars)
    assert checked.exit_code == 0 and '"active": 1' in checked.output, checked.output
    lost = runner.invoke(app, ["verified", "retire", answer["id"], "--version", "9"], env=envvars)
    assert lost.exit_code == 2 and "version" in lost.output
    done = runner.invoke(
        app, ["verified", "retire", answer["id"], "--version", str(answer["version"])], env=envvars
    )
    assert done.exit_code == 0, done.output
    assert env.call("GET", f"/v1/verified-answers/{answer['id']}", Role.QA).json()["status"] == "retired"

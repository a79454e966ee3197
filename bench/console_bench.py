"""Reviewer console benchmark (issue 6 target). Run: `python -m bench.console_bench`.

Server time to render the console's queue page with 500 pending drafts: the real app (create_app) over
the real review service on SQLite, a live index of the demo store (fake embedder, so no model download)
and the real compliance engine. Requests go through FastAPI's in-process TestClient with a signed-in
reviewer session, so the time is the server's (routing, session check, key lookup, queue query, counts,
staleness check, template rendering) without network. Also breaks the queue page down into its service
calls and its rendering, and times the draft page and the live compliance check. After seeding, one
policy is edited and the knowledge reindexed, so part of the queue is stale and the first load after the
reindex pays for the staleness check of every pending draft (reported separately).
"""

from __future__ import annotations

import argparse
import random
import re
import shutil
import tempfile
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from rich.console import Console
from rich.table import Table

from bench.common import save, summary, timed_ms
from service.api.auth import Role
from service.app import create_app
from service.container import Container
from service.drafting.models import Citation, DraftRequest, GeneratedDraft, GeneratorInfo
from service.embeddings.fake import FakeEmbedder
from service.settings import Settings

REPO = Path(__file__).resolve().parents[1]
TARGET_MS = 300.0
QUESTIONS = [
    "这款电热水壶保修多久？",
    "今天下单什么时候发货？",
    "寄到新疆运费多少？",
    "收到的商品破损了怎么办？",
    "可以七天无理由退货吗？",
    "退款多久到账？",
    "Can I return an opened item?",
    "羽绒服尺码偏大还是偏小？",
]
# Sentences a model might write; some trip compliance rules, so the queue has a realistic verdict mix.
SENTENCES = [
    "亲，您好！{fact}[1]。",
    "这款是我们店里最好的选择，{fact}[1]。",
    "{fact}[1]，如有问题欢迎随时联系在线客服。",
    "您可以加微信详聊，{fact}[1]。",
    "我们保证{fact}[1]。",
    "Thanks for asking: {fact}[1].",
]


def seed_drafts(container: Container, count: int, rng: random.Random) -> None:
    """`count` pending drafts citing real chunks of the live index, checked by the real engine."""
    hits = container.index.retrieve("保修 退货 发货 运费 退款", k=20)
    engine = container.compliance
    live = container.index.live_version()
    for i in range(count):
        hit = rng.choice(hits)
        fact = " ".join(hit.chunk.text.split())[:60]
        text = rng.choice(SENTENCES).format(fact=fact)
        question = rng.choice(QUESTIONS)
        citation = Citation(
            marker=1,
            source_id=hit.chunk.source_id,
            title=hit.chunk.title,
            excerpt=fact,
            chunk_id=hit.chunk.id,
            product_id=hit.chunk.product_id,
        )
        generated = GeneratedDraft(
            request=DraftRequest(customer_message=f"{question}（订单 {i}）"),
            text=text,
            language="en" if text.startswith("Thanks") else "zh",
            intent="other",
            citations=[citation],
            compliance=engine.check(text, sources=[hit.chunk.text], customer_text=question),
            generator=GeneratorInfo(
                provider="openai-compatible" if i % 10 else "extractive",
                model="bench-model" if i % 10 else "extractive",
                prompt_version="bench",
                latency_ms=rng.randint(300, 3000),
                fallback_reason=None if i % 10 else "model timed out",
            ),
            index_version=live.version if live else None,
            retrieved_source_ids=[hit.chunk.source_id],
        )
        container.reviews.create_draft(generated)


def change_a_policy(kb: Path, container: Container) -> tuple[str, float]:
    """Edit the most cited policy and reindex, so drafts citing it turn stale under the new live version."""
    cited: dict[str, int] = {}
    for page_item in container.reviews.list_reviews(status="pending_review", limit=200).items:
        for c in page_item.citations:
            if not c.source_id.startswith("products/"):
                cited[c.source_id] = cited.get(c.source_id, 0) + 1
    source = max(cited, key=lambda k: cited[k])
    path = kb / source.split("#")[0]
    path.write_text(path.read_text(encoding="utf-8").replace("。", "；"), encoding="utf-8")
    report = container.index.reindex(kb)
    return source, report.seconds


def signed_in_client(container: Container, key: str) -> TestClient:
    client = TestClient(create_app(container))
    page = client.get("/console")
    csrf = re.search(r'name="csrf" value="([^"]+)"', page.text)
    assert csrf, "sign-in page has no CSRF token"
    res = client.post("/console/login", data={"key": key, "csrf": csrf.group(1)}, follow_redirects=False)
    assert res.status_code == 303, res.text
    return client


def measure(client: TestClient, path: str, repeat: int, expect_rows: int | None = None) -> dict[str, Any]:
    res = client.get(path)
    assert res.status_code == 200, f"{path}: {res.status_code}"
    rows = res.text.count('<tr class="row"')
    if expect_rows is not None:
        assert rows == expect_rows, f"{path}: {rows} rows, expected {expect_rows}"
    for _ in range(3):  # warm caches (templates, statement cache)
        client.get(path)
    times = timed_ms(lambda: client.get(path), repeat)
    return {"path": path, "rows": rows, "bytes": len(res.content), **summary(times)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--drafts", type=int, default=500, help="pending drafts in the queue")
    parser.add_argument("--repeat", type=int, default=60, help="timed requests per page")
    parser.add_argument("--source", type=Path, default=REPO / "knowledge", help="knowledge folder to index")
    args = parser.parse_args()
    console = Console()
    work = Path(tempfile.mkdtemp(prefix="rd-console-bench-"))
    try:
        kb = work / "knowledge"
        shutil.copytree(args.source, kb)
        settings = Settings(data_dir=work / "data", knowledge_dir=kb, embedder="fake", log_level="WARNING")
        container = Container(settings, embedder=FakeEmbedder())
        container.db.upgrade()
        container.index.reindex(kb)
        seed_drafts(container, args.drafts, random.Random(6))
        key, _ = container.keys.create_key("bench reviewer", Role.REVIEWER)
        client = signed_in_client(container, key)
        changed, _ = change_a_policy(kb, container)
        # The first queue load after a reindex re-checks every pending draft's citations (once per version).
        cold = summary(timed_ms(lambda: client.get("/console/queue"), 1))
        counts = container.reviews.queue_counts()
        assert counts["pending"] == args.drafts and counts["stale"] > 0, counts
        pages = [
            measure(client, "/console/queue", args.repeat, expect_rows=min(50, args.drafts)),
            measure(client, "/console/queue?limit=200", args.repeat, expect_rows=min(200, args.drafts)),
            measure(client, "/console/queue?order=oldest&verdict=block&limit=200", args.repeat),
        ]
        reviews = container.reviews
        service_ms = summary(
            timed_ms(
                lambda: (reviews.list_reviews(status="pending_review"), reviews.queue_counts()), args.repeat
            )
        )
        first = reviews.list_reviews(status="pending_review", limit=1).items[0]
        pages.append(measure(client, f"/console/drafts/{first.id}", args.repeat))
        html = client.get(f"/console/drafts/{first.id}").text
        csrf = re.search(r'data-csrf="([^"]+)"', html)
        assert csrf
        body = {"draft_id": first.id, "text": first.text + "我们保证最快发货，可加微信联系。"}

        def check() -> None:
            res = client.post("/console/api/check", json=body, headers={"x-csrf-token": csrf.group(1)})
            assert res.status_code == 200, res.text

        check_ms = summary(timed_ms(check, args.repeat))
        client.close()
        container.close()
    finally:
        shutil.rmtree(work, ignore_errors=True)

    table = Table(
        title=f"console benchmark ({args.drafts} pending drafts, SQLite, {args.repeat} requests each)"
    )
    for column in ("request", "rows", "p50 ms", "p95 ms", "target"):
        table.add_column(column)
    table.add_row("/console/queue, first load after a reindex", "50", str(cold["p50"]), "", "")
    for page in pages:
        target = f"<= {TARGET_MS:g} ms" if page["path"].startswith("/console/queue") else ""
        table.add_row(page["path"], str(page["rows"]), str(page["p50"]), str(page["p95"]), target)
    table.add_row(
        "(queue: list_reviews + queue_counts only)", "50", str(service_ms["p50"]), str(service_ms["p95"]), ""
    )
    table.add_row("POST /console/api/check (live check)", "", str(check_ms["p50"]), str(check_ms["p95"]), "")
    console.print(table)
    worst = max(p["p95"] for p in pages if p["path"].startswith("/console/queue"))
    verdict = "[green]meets[/green]" if worst <= TARGET_MS else "[red]misses[/red]"
    console.print(f"queue page p95 worst case {worst} ms: {verdict} the {TARGET_MS:g} ms target")
    path = save(
        "console",
        {
            "drafts": args.drafts,
            "counts": counts,
            "changed_source": changed,
            "first_queue_after_reindex_ms": cold["p50"],
            "pages": pages,
            "queue_service_calls_ms": service_ms,
            "live_check_ms": check_ms,
            "target_ms": TARGET_MS,
        },
    )
    console.print(f"written {path}")


if __name__ == "__main__":
    main()

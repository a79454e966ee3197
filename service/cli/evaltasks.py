"""`replydraft eval-tasks`: proposed actions and look-ups scored on ECom-Bench-style tasks (conversion and
scoring in service/evaluation/tasks.py; results in docs/performance.md)."""

from __future__ import annotations

import json
import shutil
import tempfile
from pathlib import Path
from typing import Any

import typer
from rich.table import Table

from service.cli.common import err_console, out_console, run_or_exit
from service.errors import ErrorCode, ReplydraftError
from service.settings import load_settings


def _knowledge_copy(source: Path, world: Path) -> Path:
    """The knowledge folder without the order data (and its tasks) when the world folder is inside it."""
    work = Path(tempfile.mkdtemp(prefix="replydraft-tasks-kb-"))
    for entry in sorted(source.iterdir()):
        if entry.resolve() == world.resolve() or entry.name.startswith("."):
            continue
        if entry.is_dir():
            shutil.copytree(entry, work / entry.name)
        else:
            shutil.copy2(entry, work / entry.name)
    return work


def register(app: typer.Typer) -> None:
    @app.command(name="eval-tasks")
    def eval_tasks(
        world: Path = typer.Option(..., "--world", help="World-shaped order folder with tasks.json"),
        source: Path = typer.Option(
            None, "--source", help="Knowledge folder to index afresh (default: the folder above --world)"
        ),
        tasks_file: Path = typer.Option(None, "--tasks", help="Tasks JSON (default: tasks.json in --world)"),
        policy: Path = typer.Option(
            None, "--policy", help="Store policy YAML (default: REPLYDRAFT_STORE_POLICY_FILE or built-in)"
        ),
        products: list[Path] = typer.Option(
            None, "--products", help="Product files with exchange lists (default: products.json in --source)"
        ),
        new_order_id: int = typer.Option(
            None,
            "--new-order-id",
            help="Number orders created during a task from this id up, as the benchmark's order system "
            "does (ECom-Bench: 1234567890); default: ids derived from the action",
        ),
        limit: int = typer.Option(0, "--limit", min=0, help="Only the first N tasks (0: all)"),
        report: Path = typer.Option(None, "--report", help="Write the summary and per-task results as JSON"),
        verbose: bool = typer.Option(False, "--verbose", help="Print each task's missed and extra actions"),
    ) -> None:
        """Draft every task turn by turn with the customer's id and score the proposed actions (precision,
        recall, exact arguments) and look-ups against the tasks' ground truth. Approval is simulated by a
        reviewer who approves every allowed proposal (see eval/README.md)."""
        from service.connectors.files import FileConnector
        from service.container import Container
        from service.evaluation.tasks import run_task, summarise
        from service.store.desk import StoreDesk
        from service.store.models import StoreFindings
        from service.store.policy import StorePolicy

        if not (world / "orders.json").is_file():
            raise typer.BadParameter(f"{world} has no orders.json", param_hint="--world")
        tasks_path = tasks_file or world / "tasks.json"
        try:
            tasks: list[dict[str, Any]] = json.loads(tasks_path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise typer.BadParameter(f"{tasks_path}: {exc}", param_hint="--tasks") from exc
        knowledge = source or world.parent
        product_files = list(products or []) or [p for p in [knowledge / "products.json"] if p.is_file()]
        settings = run_or_exit(load_settings)
        store_policy = run_or_exit(lambda: StorePolicy.load(policy or settings.store_policy_file))
        kb = _knowledge_copy(knowledge, world)
        work = Path(tempfile.mkdtemp(prefix="replydraft-tasks-"))
        container = Container(
            settings.model_copy(
                update={
                    "data_dir": work,
                    "knowledge_dir": kb,
                    "database_url": None,
                    "chroma_url": None,
                    "verified_enabled": False,  # a scratch store: no review history to draw on
                }
            )
        )
        try:
            err_console.print(f"indexing {knowledge} (without {world.name}/) ...")
            run_or_exit(lambda: container.index.reindex(kb))
            pipeline = container.drafter
            holder: dict[str, FileConnector] = {}

            def connector(state: Path) -> FileConnector:
                holder["c"] = FileConnector(
                    world, state_dir=state, products=product_files, first_new_order_id=new_order_id
                )
                return holder["c"]

            def draft(req: Any) -> tuple[StoreFindings, str, list[str]]:
                pipeline.store = StoreDesk(holder["c"], store_policy)
                g = pipeline.generate(req)
                sources = [s.rsplit("#", 1)[-1] for s in g.retrieved_source_ids]
                return g.store or StoreFindings(), g.text, sources

            chosen = tasks[:limit] if limit else tasks
            results = []
            for n, task in enumerate(chosen):
                if not isinstance(task, dict) or "user_id" not in task:
                    raise ReplydraftError(ErrorCode.VALIDATION, f"task {n} has no user_id")
                results.append(run_task(task, n, world, product_files, draft, make_connector=connector))
                if verbose:
                    _print_task(results[-1])
            summary = summarise(results)
        finally:
            container.close()
            shutil.rmtree(work, ignore_errors=True)
            shutil.rmtree(kb, ignore_errors=True)
        _print_summary(summary)
        if report is not None:
            report.parent.mkdir(parents=True, exist_ok=True)
            payload = {
                "summary": summary,
                "tasks": [r.__dict__ for r in results],
                "policy": str(policy),
                "new_order_id": new_order_id,
            }
            report.write_text(json.dumps(payload, ensure_ascii=False, indent=2), encoding="utf-8")


def _print_task(r: Any) -> None:
    from collections import Counter

    out_console.print(
        f"task {r.index} ({r.customer_id}): {r.exact}/{len(r.expected)} exact, {len(r.proposed)} proposed"
    )
    for key in Counter(r.expected) - Counter(r.proposed):
        out_console.print(f"  missed   {key}", markup=False)
    for key in Counter(r.proposed) - Counter(r.expected):
        out_console.print(f"  extra    {key}", markup=False)
    for key in r.refused:
        out_console.print(f"  refused  {key}", markup=False)


def _print_summary(summary: dict[str, Any]) -> None:
    table = Table("action", "expected", "proposed", "exact", "precision", "recall")
    for name, row in summary["per_action"].items():
        table.add_row(
            name,
            str(row["expected"]),
            str(row["proposed"]),
            str(row["exact"]),
            str(row["precision"]),
            str(row["recall"]),
        )
    table.add_row(
        "all",
        str(summary["actions_expected"]),
        str(summary["actions_proposed"]),
        str(summary["actions_exact"]),
        str(summary["precision"]),
        str(summary["recall"]),
    )
    out_console.print(table)
    for key in (
        "tasks",
        "turns",
        "loose_recall",
        "refused_shown",
        "tasks_all_actions_exact",
        "connector_lookup_recall",
        "product_lookup_recall",
        "turn_ms_p50",
        "turn_ms_p95",
    ):
        out_console.print(f"{key}: {summary[key]}")

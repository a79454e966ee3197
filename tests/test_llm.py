"""The OpenAI-compatible adapter, driven through the real `openai` client against the fake HTTP server."""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest

from service.drafting.llm import (
    LLMError,
    OpenAICompatibleChatModel,
    build_chat_model,
    strip_reasoning,
)
from service.settings import Settings
from tests.fake_llm import FakeLLM, Reply, fake_llm  # noqa: F401

MESSAGES = [{"role": "system", "content": "rules"}, {"role": "user", "content": "问题"}]


class SleepRecorder:
    def __init__(self) -> None:
        self.calls: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.calls.append(seconds)


@pytest.fixture
def make_model(fake_llm: FakeLLM) -> Callable[..., tuple[OpenAICompatibleChatModel, SleepRecorder]]:  # noqa: F811
    def factory(**kw: object) -> tuple[OpenAICompatibleChatModel, SleepRecorder]:
        sleep = SleepRecorder()
        params: dict[str, object] = {
            "base_url": fake_llm.base_url,
            "model": "fake-model",
            "api_key": "sk-test",
            "timeout_s": 2.0,
            "max_retries": 2,
            "sleep": sleep,
            "jitter": lambda: 1.0,
        }
        params.update(kw)
        return OpenAICompatibleChatModel(**params), sleep  # type: ignore[arg-type]

    return factory


def test_complete_returns_text_and_usage_and_sends_only_plain_options(
    fake_llm: FakeLLM,  # noqa: F811
    make_model: Callable[..., tuple[OpenAICompatibleChatModel, SleepRecorder]],
) -> None:
    model, _ = make_model(temperature=0.3, max_tokens=321)
    fake_llm.reply("您好[1]", usage={"prompt_tokens": 11, "completion_tokens": 3, "total_tokens": 14})
    result = model.complete(MESSAGES)  # type: ignore[arg-type]
    assert result.text == "您好[1]"
    assert result.tokens == {"prompt": 11, "completion": 3, "total": 14}
    [req] = fake_llm.chat_requests
    body = req.body or {}
    assert body["model"] == "fake-model" and body["temperature"] == 0.3 and body["max_tokens"] == 321
    assert body["messages"] == MESSAGES
    for optional in ("response_format", "tools", "tool_choice", "stream_options"):
        assert optional not in body
    assert req.headers["authorization"] == "Bearer sk-test"
    assert req.headers.get("x-stainless-retry-count") == "0"


def test_no_usage_means_no_tokens(
    fake_llm: FakeLLM,  # noqa: F811
    make_model: Callable[..., tuple[OpenAICompatibleChatModel, SleepRecorder]],
) -> None:
    model, _ = make_model()
    fake_llm.reply("ok")
    assert model.complete(MESSAGES).tokens is None  # type: ignore[arg-type]


def test_429_honours_retry_after_then_succeeds(
    fake_llm: FakeLLM,  # noqa: F811
    make_model: Callable[..., tuple[OpenAICompatibleChatModel, SleepRecorder]],
) -> None:
    model, sleep = make_model()
    fake_llm.error(429, retry_after=1.5).reply("好的")
    assert model.complete(MESSAGES).text == "好的"  # type: ignore[arg-type]
    assert sleep.calls == [1.5]
    assert len(fake_llm.chat_requests) == 2


def test_5xx_backs_off_exponentially_then_gives_up(
    fake_llm: FakeLLM,  # noqa: F811
    make_model: Callable[..., tuple[OpenAICompatibleChatModel, SleepRecorder]],
) -> None:
    model, sleep = make_model(backoff_base_s=0.2, jitter=lambda: 0.0)
    fake_llm.error(500).error(502).error(503)
    with pytest.raises(LLMError) as exc:
        model.complete(MESSAGES)  # type: ignore[arg-type]
    assert exc.value.kind == "server_error" and exc.value.attempts == 3
    assert "after 3 attempts" in exc.value.reason
    assert len(fake_llm.chat_requests) == 3
    assert sleep.calls == pytest.approx([0.1, 0.2])  # half of 0.2 * 2^n with zero jitter


def test_jitter_stays_within_half_to_full_backoff(
    fake_llm: FakeLLM,  # noqa: F811
    make_model: Callable[..., tuple[OpenAICompatibleChatModel, SleepRecorder]],
) -> None:
    model, sleep = make_model(backoff_base_s=1.0, jitter=lambda: 0.5)
    fake_llm.error(500).reply("ok")
    model.complete(MESSAGES)  # type: ignore[arg-type]
    assert sleep.calls == [pytest.approx(0.75)]


def test_retry_after_beyond_limit_fails_fast(
    fake_llm: FakeLLM,  # noqa: F811
    make_model: Callable[..., tuple[OpenAICompatibleChatModel, SleepRecorder]],
) -> None:
    model, sleep = make_model(max_retry_after_s=5)
    fake_llm.error(429, retry_after=60)
    with pytest.raises(LLMError) as exc:
        model.complete(MESSAGES)  # type: ignore[arg-type]
    assert exc.value.kind == "rate_limited" and "retry-after 60s" in exc.value.reason
    assert sleep.calls == [] and len(fake_llm.chat_requests) == 1


def test_timeout_is_retried_then_reported(
    fake_llm: FakeLLM,  # noqa: F811
    make_model: Callable[..., tuple[OpenAICompatibleChatModel, SleepRecorder]],
) -> None:
    model, sleep = make_model(timeout_s=0.3, max_retries=1)
    fake_llm.slow(2.0).slow(2.0)
    with pytest.raises(LLMError) as exc:
        model.complete(MESSAGES)  # type: ignore[arg-type]
    assert exc.value.kind == "timeout" and exc.value.reason == "timeout after 2 attempts"
    assert len(sleep.calls) == 1


def test_client_errors_are_not_retried(
    fake_llm: FakeLLM,  # noqa: F811
    make_model: Callable[..., tuple[OpenAICompatibleChatModel, SleepRecorder]],
) -> None:
    model, sleep = make_model()
    fake_llm.error(401)
    with pytest.raises(LLMError) as exc:
        model.complete(MESSAGES)  # type: ignore[arg-type]
    assert exc.value.kind == "http_error" and exc.value.reason.startswith("http 401")
    assert sleep.calls == [] and len(fake_llm.chat_requests) == 1


@pytest.mark.parametrize(
    ("script", "kind"),
    [
        (lambda f: f.malformed(), "malformed_output"),
        (lambda f: f.empty(), "empty_output"),
        (lambda f: f.reply("   \n "), "empty_output"),
        (lambda f: f.non_text(), "non_text_output"),
        (lambda f: f.reply("<think>只是在想</think>"), "empty_output"),
    ],
)
def test_unusable_answers_raise_without_retry(
    fake_llm: FakeLLM,  # noqa: F811
    make_model: Callable[..., tuple[OpenAICompatibleChatModel, SleepRecorder]],
    script: Callable[[FakeLLM], object],
    kind: str,
) -> None:
    model, _ = make_model()
    script(fake_llm)
    with pytest.raises(LLMError) as exc:
        model.complete(MESSAGES)  # type: ignore[arg-type]
    assert exc.value.kind == kind
    assert len(fake_llm.chat_requests) == 1


def test_reasoning_blocks_are_stripped() -> None:
    assert strip_reasoning("<think>先想想\n</think>\n亲，您好！") == "亲，您好！"
    assert strip_reasoning("亲<think>unfinished") == "亲"


def test_stream_yields_deltas_and_usage_when_sent(
    fake_llm: FakeLLM,  # noqa: F811
    make_model: Callable[..., tuple[OpenAICompatibleChatModel, SleepRecorder]],
) -> None:
    model, _ = make_model()
    fake_llm.chunks(
        ["亲，", "您好", "！[1]"], usage={"prompt_tokens": 5, "completion_tokens": 4, "total_tokens": 9}
    )
    stream = model.stream(MESSAGES)  # type: ignore[arg-type]
    assert list(stream) == ["亲，", "您好", "！[1]"]
    assert stream.tokens == {"prompt": 5, "completion": 4, "total": 9}
    body = fake_llm.chat_requests[0].body or {}
    assert body["stream"] is True and "stream_options" not in body


def test_stream_hides_reasoning(
    fake_llm: FakeLLM,  # noqa: F811
    make_model: Callable[..., tuple[OpenAICompatibleChatModel, SleepRecorder]],
) -> None:
    model, _ = make_model()
    fake_llm.chunks(["<thi", "nk>内部推理", "</think>", "亲，", "您好<"])
    assert "".join(model.stream(MESSAGES)) == "亲，您好<"  # type: ignore[arg-type]


def test_stream_cut_midway_raises_after_partial_text(
    fake_llm: FakeLLM,  # noqa: F811
    make_model: Callable[..., tuple[OpenAICompatibleChatModel, SleepRecorder]],
) -> None:
    model, _ = make_model()
    fake_llm.cut_stream(["亲，", "您好", "这是"], cut_after=2)
    got: list[str] = []
    with pytest.raises(LLMError) as exc:
        for piece in model.stream(MESSAGES):  # type: ignore[arg-type]
            got.append(piece)
    assert got == ["亲，", "您好"]
    assert exc.value.kind == "stream_cut"


def test_stream_without_finish_reason_counts_as_cut(
    fake_llm: FakeLLM,  # noqa: F811
    make_model: Callable[..., tuple[OpenAICompatibleChatModel, SleepRecorder]],
) -> None:
    model, _ = make_model()
    fake_llm.cut_stream(["亲，", "您好"])  # every piece sent, then the connection drops before [DONE]
    with pytest.raises(LLMError) as exc:
        list(model.stream(MESSAGES))  # type: ignore[arg-type]
    assert exc.value.kind == "stream_cut"


def test_stream_opening_is_retried(
    fake_llm: FakeLLM,  # noqa: F811
    make_model: Callable[..., tuple[OpenAICompatibleChatModel, SleepRecorder]],
) -> None:
    model, sleep = make_model()
    fake_llm.error(503).chunks(["好", "的"])
    assert "".join(model.stream(MESSAGES)) == "好的"  # type: ignore[arg-type]
    assert len(sleep.calls) == 1


def test_empty_stream_raises(
    fake_llm: FakeLLM,  # noqa: F811
    make_model: Callable[..., tuple[OpenAICompatibleChatModel, SleepRecorder]],
) -> None:
    model, _ = make_model()
    fake_llm.enqueue(Reply(text="", chunks=[]))
    with pytest.raises(LLMError) as exc:
        list(model.stream(MESSAGES))  # type: ignore[arg-type]
    assert exc.value.kind == "empty_output"


def test_build_chat_model_follows_settings(fake_llm: FakeLLM) -> None:  # noqa: F811
    assert build_chat_model(Settings(embedder="fake")) is None
    model = build_chat_model(
        Settings(embedder="fake", llm_base_url=fake_llm.base_url + "/", llm_model="qwen", llm_api_key="k1")
    )
    assert model is not None and model.provider == "openai-compatible" and model.model == "qwen"
    fake_llm.reply("ok")
    assert model.complete(MESSAGES).text == "ok"  # type: ignore[arg-type]
    req = fake_llm.chat_requests[0]
    assert req.headers["authorization"] == "Bearer k1" and (req.body or {})["model"] == "qwen"


def test_servers_without_a_key_get_a_placeholder(fake_llm: FakeLLM) -> None:  # noqa: F811
    model = build_chat_model(Settings(embedder="fake", llm_base_url=fake_llm.base_url))
    assert model is not None
    fake_llm.reply("ok")
    model.complete(MESSAGES)  # type: ignore[arg-type]
    assert fake_llm.chat_requests[0].headers["authorization"].startswith("Bearer ")


def test_the_deadline_bounds_the_whole_call_with_its_retries(
    fake_llm: FakeLLM,  # noqa: F811
    make_model: Callable[..., tuple[OpenAICompatibleChatModel, SleepRecorder]],
) -> None:
    # Per attempt 2 s and two retries would wait 6 s on a hung server; the deadline gives up after 1.5 s.
    model, _ = make_model(timeout_s=2.0, deadline_s=1.5, max_retries=2, sleep=lambda s: None)
    fake_llm.slow(5.0).slow(5.0).slow(5.0)
    started = time.monotonic()
    with pytest.raises(LLMError) as exc:
        model.complete(MESSAGES)  # type: ignore[arg-type]
    assert exc.value.kind == "timeout" and "no time left for a retry within 1.5s" in exc.value.reason
    assert exc.value.attempts == 1 and time.monotonic() - started < 2.0


def test_a_deadline_longer_than_the_attempts_changes_nothing(
    fake_llm: FakeLLM,  # noqa: F811
    make_model: Callable[..., tuple[OpenAICompatibleChatModel, SleepRecorder]],
) -> None:
    model, sleep = make_model(timeout_s=0.3, deadline_s=30.0, max_retries=1)
    fake_llm.slow(2.0).reply("好的")
    assert model.complete(MESSAGES).text == "好的"  # type: ignore[arg-type]
    assert len(sleep.calls) == 1 and len(fake_llm.chat_requests) == 2

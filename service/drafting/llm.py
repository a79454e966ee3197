"""The one adapter to chat models: any OpenAI-compatible endpoint, through the official `openai` SDK.

The SDK's own retries are off; this module retries 429, 5xx, timeouts and connection errors itself with
exponential backoff and jitter (honouring Retry-After), so the time before the pipeline falls back to the
offline drafter is bounded and predictable. Only the plain chat-completions request is sent (no
response_format, tools or stream_options), so servers without optional features work.
"""

from __future__ import annotations

import email.utils
import logging
import random
import re
import time
from collections.abc import Callable, Generator, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Literal, Protocol, TypedDict

import openai

from service.settings import Settings

log = logging.getLogger("replydraft.llm")

PROVIDER = "openai-compatible"
_NO_KEY = "not-needed"  # local servers (Ollama, llama.cpp, vLLM) ignore the key, the SDK requires one
MIN_ATTEMPT_S = 1.0  # an attempt with less time than this left is not worth starting
_THINK = re.compile(r"<think>.*?(</think>|\Z)", re.DOTALL | re.IGNORECASE)
_OPEN = "<think>"


class ChatMessage(TypedDict):
    role: Literal["system", "user", "assistant"]
    content: str


@dataclass(frozen=True)
class Completion:
    text: str
    tokens: dict[str, int] | None = None  # prompt / completion / total, when the server reports them


class LLMError(Exception):
    """The model gave no usable answer (after retries where retrying made sense).

    ``kind`` is a stable token for metrics and fallback reasons; ``reason`` is a short human sentence.
    """

    def __init__(self, reason: str, *, kind: str = "error", attempts: int = 1) -> None:
        super().__init__(reason)
        self.reason = reason
        self.kind = kind
        self.attempts = attempts


class ChatModel(Protocol):
    provider: str
    model: str

    def complete(self, messages: Sequence[ChatMessage]) -> Completion: ...

    def stream(self, messages: Sequence[ChatMessage]) -> Iterator[str]: ...


class _Retryable(Exception):
    def __init__(self, kind: str, detail: str, retry_after: float | None = None) -> None:
        super().__init__(detail)
        self.kind = kind
        self.detail = detail
        self.retry_after = retry_after


def strip_reasoning(text: str) -> str:
    """Drop <think>...</think> blocks some reasoning models put in the content."""
    return _THINK.sub("", text).strip()


class OpenAICompatibleChatModel:
    provider = PROVIDER

    def __init__(
        self,
        *,
        base_url: str,
        model: str,
        api_key: str | None = None,
        temperature: float = 0.2,
        max_tokens: int = 600,
        timeout_s: float = 30.0,
        deadline_s: float | None = None,
        max_retries: int = 2,
        backoff_base_s: float = 0.5,
        backoff_max_s: float = 8.0,
        max_retry_after_s: float = 10.0,
        sleep: Callable[[float], None] = time.sleep,
        jitter: Callable[[], float] = random.random,
    ) -> None:
        self.model = model
        self.base_url = base_url
        self.temperature = temperature
        self.max_tokens = max_tokens
        self.timeout_s = timeout_s
        # The whole call, retries included: a hung server must not hold a draft (and its concurrency slot)
        # for attempts x timeout. None = only the per-attempt timeout.
        self.deadline_s = deadline_s
        self.max_retries = max_retries
        self.backoff_base_s = backoff_base_s
        self.backoff_max_s = backoff_max_s
        self.max_retry_after_s = max_retry_after_s
        self._sleep = sleep
        self._jitter = jitter
        self._client = openai.OpenAI(
            base_url=base_url,
            api_key=api_key or _NO_KEY,
            timeout=openai.Timeout(timeout_s, connect=min(timeout_s, 5.0)),
            max_retries=0,
        )

    @classmethod
    def from_settings(cls, settings: Settings) -> OpenAICompatibleChatModel:
        if not settings.llm_base_url:
            raise ValueError("llm_base_url is not set")
        key = settings.llm_api_key.get_secret_value() if settings.llm_api_key else None
        return cls(
            base_url=settings.llm_base_url,
            model=settings.llm_model,
            api_key=key,
            temperature=settings.llm_temperature,
            max_tokens=settings.llm_max_tokens,
            timeout_s=settings.llm_timeout_s,
            deadline_s=settings.llm_deadline_s,
            max_retries=settings.llm_max_retries,
        )

    def close(self) -> None:
        self._client.close()

    # --- public ----------------------------------------------------------------------------------
    def complete(self, messages: Sequence[ChatMessage]) -> Completion:
        response = self._with_retries(lambda timeout: self._create(messages, stream=False, timeout=timeout))
        return _parse_completion(response)

    def stream(self, messages: Sequence[ChatMessage]) -> TextStream:
        """Text deltas. Opening the stream is retried; once text has flowed, a failure is final."""
        return TextStream(
            self._with_retries(lambda timeout: self._create(messages, stream=True, timeout=timeout))
        )

    # --- internals -------------------------------------------------------------------------------
    def _create(self, messages: Sequence[ChatMessage], *, stream: bool, timeout: float) -> Any:
        client = self._client if timeout >= self.timeout_s else self._client.with_options(timeout=timeout)
        try:
            return client.chat.completions.create(
                model=self.model,
                messages=[dict(m) for m in messages],  # type: ignore[misc]
                temperature=self.temperature,
                max_tokens=self.max_tokens,
                stream=stream,
            )
        except openai.APITimeoutError as exc:
            raise _Retryable("timeout", "timeout") from exc
        except openai.APIConnectionError as exc:
            raise _Retryable("connection", "connection error") from exc
        except openai.RateLimitError as exc:
            raise _Retryable("rate_limited", "http 429", _retry_after(exc.response)) from exc
        except openai.APIStatusError as exc:
            if exc.status_code >= 500:
                wait = _retry_after(exc.response)
                raise _Retryable("server_error", f"http {exc.status_code}", wait) from exc
            raise LLMError(f"http {exc.status_code}: {_short(exc.message)}", kind="http_error") from exc
        except (ValueError, openai.APIResponseValidationError) as exc:  # JSONDecodeError is a ValueError
            raise LLMError("malformed response from the model server", kind="malformed_output") from exc

    def _with_retries(self, call: Callable[[float], Any]) -> Any:
        """Call with retries; each attempt's timeout is cut to what is left of the deadline."""
        attempts = self.max_retries + 1
        end = time.monotonic() + self.deadline_s if self.deadline_s is not None else None
        for attempt in range(1, attempts + 1):
            timeout = self.timeout_s if end is None else min(self.timeout_s, end - time.monotonic())
            try:
                return call(timeout)
            except _Retryable as exc:
                if attempt == attempts:
                    raise LLMError(
                        f"{exc.detail} after {attempt} attempts", kind=exc.kind, attempts=attempt
                    ) from exc
                delay = self._delay(attempt, exc.retry_after)
                if delay is None:
                    raise LLMError(
                        f"{exc.detail}: retry-after {exc.retry_after:g}s exceeds {self.max_retry_after_s:g}s",
                        kind=exc.kind,
                        attempts=attempt,
                    ) from exc
                if end is not None and time.monotonic() + delay >= end - MIN_ATTEMPT_S:
                    raise LLMError(
                        f"{exc.detail}; no time left for a retry within {self.deadline_s:g}s",
                        kind=exc.kind,
                        attempts=attempt,
                    ) from exc
                log.warning("llm %s (attempt %d/%d), retrying in %.2fs", exc.detail, attempt, attempts, delay)
                self._sleep(delay)
        raise AssertionError("unreachable")  # pragma: no cover

    def _delay(self, attempt: int, retry_after: float | None) -> float | None:
        if retry_after is not None:
            return retry_after if retry_after <= self.max_retry_after_s else None
        backoff = min(self.backoff_max_s, self.backoff_base_s * 2 ** (attempt - 1))
        return backoff * (0.5 + self._jitter() / 2)  # "equal jitter": never less than half the backoff


class TextStream:
    """Iterates the visible text deltas of one streamed completion; ``tokens`` is set when it ends.

    Reasoning blocks (<think>...</think>) are held back, so what is shown is what the draft will say.
    """

    def __init__(self, stream: Any) -> None:
        self._stream = stream
        self.tokens: dict[str, int] | None = None
        self._iter = self._deltas()

    def __iter__(self) -> Iterator[str]:
        return self

    def __next__(self) -> str:
        return next(self._iter)

    def close(self) -> None:
        self._iter.close()

    def _deltas(self) -> Generator[str, None, None]:
        finished = False
        raw = ""
        shown = ""
        try:
            for chunk in self._stream:
                self.tokens = _usage(getattr(chunk, "usage", None)) or self.tokens
                for choice in getattr(chunk, "choices", None) or []:
                    if choice.finish_reason:
                        finished = True
                    content = getattr(choice.delta, "content", None) if choice.delta else None
                    if isinstance(content, str) and content:
                        raw += content
                        visible = _visible(raw)
                        if len(visible) > len(shown) and visible.startswith(shown):
                            yield visible[len(shown) :]
                            shown = visible
        except openai.APITimeoutError as exc:
            raise LLMError("stream timed out", kind="stream_cut") from exc
        except openai.APIError as exc:
            raise LLMError(f"stream interrupted: {_short(str(exc))}", kind="stream_cut") from exc
        except ValueError as exc:  # a data line that is not JSON
            raise LLMError("malformed stream from the model server", kind="malformed_output") from exc
        finally:
            self._stream.close()
        if not finished:
            raise LLMError("stream ended without a finish reason", kind="stream_cut")
        final = strip_reasoning(raw)
        if not final:
            raise LLMError("the model streamed no text", kind="empty_output")
        if len(final) > len(shown) and final.startswith(shown):
            yield final[len(shown) :]  # a held-back tail such as a trailing "<"


def _visible(raw: str) -> str:
    """The streamable part of ``raw``: reasoning removed, a possibly partial "<think>" opener held back."""
    text = _THINK.sub("", raw).lstrip()
    for i in range(len(_OPEN) - 1, 0, -1):
        if text.endswith(_OPEN[:i]):
            return text[:-i]
    return text


def _parse_completion(response: Any) -> Completion:
    choices = getattr(response, "choices", None)
    if not choices:
        raise LLMError("response without choices", kind="malformed_output")
    message = getattr(choices[0], "message", None)
    content = getattr(message, "content", None)
    if content is None or not isinstance(content, str):
        raise LLMError("the model answered without text", kind="non_text_output")
    text = strip_reasoning(content)
    if not text:
        raise LLMError("the model answered with empty text", kind="empty_output")
    return Completion(text=text, tokens=_usage(getattr(response, "usage", None)))


def _usage(usage: Any) -> dict[str, int] | None:
    if usage is None:
        return None
    out = {}
    for name in ("prompt", "completion", "total"):
        key = f"{name}_tokens"
        value = getattr(usage, key, None)
        if isinstance(value, int):
            out[name] = value
    return out or None


def _retry_after(response: Any) -> float | None:
    headers = getattr(response, "headers", None)
    if headers is None:
        return None
    raw = headers.get("retry-after-ms")
    if raw:
        try:
            return max(0.0, float(raw) / 1000)
        except ValueError:
            pass
    raw = headers.get("retry-after")
    if not raw:
        return None
    try:
        return max(0.0, float(raw))
    except ValueError:
        pass
    try:
        parsed = email.utils.parsedate_to_datetime(raw)
    except (TypeError, ValueError):
        return None
    return max(0.0, parsed.timestamp() - time.time())


def _short(text: str, limit: int = 160) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def build_chat_model(settings: Settings) -> ChatModel | None:
    """The configured model, or None when no endpoint is set (the pipeline then drafts offline)."""
    if not settings.llm_base_url:
        return None
    return OpenAICompatibleChatModel.from_settings(settings)

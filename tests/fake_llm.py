"""A scriptable fake OpenAI-compatible server: real HTTP on 127.0.0.1, for driving the real `openai` client.

Tests queue replies (one per request, in order; ``default`` answers when the queue is empty) and read the
requests the server received. Import the fixture into a conftest or test module::

    from tests.fake_llm import fake_llm  # noqa: F401  (pytest fixture)

    def test_x(fake_llm: FakeLLM) -> None:
        fake_llm.reply("您好[1]")
        fake_llm.error(429, retry_after=0.1)
"""

from __future__ import annotations

import json
import socket
import threading
import time
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

MODEL = "fake-model"


@dataclass
class Reply:
    """One scripted answer. The server picks the streamed or plain form from the request's ``stream``."""

    text: str | None = ""  # None = content null (non-text answer)
    chunks: list[str] | None = None  # stream deltas; default: the text split in a few pieces
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    error_body: dict[str, Any] | None = None
    delay_s: float = 0.0  # before the status line (a slow server -> client timeout)
    raw_body: bytes | None = None  # sent verbatim instead of a JSON body (malformed output)
    cut_after: int | None = None  # stream: drop the connection after this many chunks
    usage: dict[str, int] | None = None
    finish_reason: str = "stop"
    tool_calls: bool = False  # answer with a tool call instead of text


@dataclass
class RecordedRequest:
    method: str
    path: str
    headers: dict[str, str]
    body: dict[str, Any] | None

    @property
    def messages(self) -> list[dict[str, Any]]:
        return list((self.body or {}).get("messages", []))

    @property
    def prompt_text(self) -> str:
        return "\n".join(str(m.get("content", "")) for m in self.messages)


class FakeLLM:
    def __init__(self) -> None:
        self.queue: deque[Reply] = deque()
        self.default: Reply = Reply(text="您好，已为您查询到相关信息[1]。")
        self.requests: list[RecordedRequest] = []
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:  # keep test output clean
                return

            def setup(self) -> None:
                super().setup()
                # Headers and body go out in separate writes: without this, Nagle's algorithm and delayed
                # ACKs add ~40 ms to every reply, which would swamp the overhead the benchmark measures.
                self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

            def do_GET(self) -> None:
                fake._record(self, None)
                if self.path.rstrip("/") in ("/v1/models", "/models"):
                    self._json(200, {"object": "list", "data": [{"id": MODEL, "object": "model"}]})
                else:
                    self._json(404, {"error": {"message": "not found", "type": "not_found"}})

            def do_POST(self) -> None:
                length = int(self.headers.get("content-length") or 0)
                raw = self.rfile.read(length) if length else b""
                try:
                    body = json.loads(raw or b"{}")
                except ValueError:
                    body = None
                fake._record(self, body)
                if not self.path.rstrip("/").endswith("/chat/completions"):
                    self._json(404, {"error": {"message": "not found", "type": "not_found"}})
                    return
                reply = fake._next()
                if reply.delay_s and fake._stopping.wait(reply.delay_s):
                    return
                try:
                    if reply.status != 200:
                        err = reply.error_body or {
                            "error": {"message": f"scripted {reply.status}", "type": "x"}
                        }
                        self._json(reply.status, err, reply.headers)
                    elif reply.raw_body is not None:
                        self._send(200, reply.raw_body, "application/json", reply.headers)
                    elif isinstance(body, dict) and body.get("stream"):
                        self._stream(reply)
                    else:
                        self._json(200, _completion(reply), reply.headers)
                except (BrokenPipeError, ConnectionResetError):  # the client gave up (timeout)
                    return

            def _send(
                self, status: int, data: bytes, ctype: str, headers: dict[str, str] | None = None
            ) -> None:
                self.send_response(status)
                self.send_header("content-type", ctype)
                self.send_header("content-length", str(len(data)))
                for k, v in (headers or {}).items():
                    self.send_header(k, v)
                self.end_headers()
                self.wfile.write(data)

            def _json(self, status: int, payload: Any, headers: dict[str, str] | None = None) -> None:
                self._send(
                    status, json.dumps(payload, ensure_ascii=False).encode(), "application/json", headers
                )

            def _stream(self, reply: Reply) -> None:
                self.send_response(200)
                self.send_header("content-type", "text/event-stream")
                self.send_header("transfer-encoding", "chunked")
                self.end_headers()
                pieces = reply.chunks if reply.chunks is not None else _split(reply.text or "")
                for i, piece in enumerate(pieces):
                    if reply.cut_after is not None and i >= reply.cut_after:
                        self.wfile.flush()
                        self.close_connection = True
                        self.connection.shutdown(2)  # mid-body: the client sees an incomplete chunked read
                        return
                    self._chunk(_sse(_chunk_payload({"content": piece}, None)))
                if reply.cut_after is not None:  # cut after the last piece, before finish/[DONE]
                    self.close_connection = True
                    self.connection.shutdown(2)
                    return
                final = _chunk_payload({}, reply.finish_reason)
                if reply.usage:
                    final["usage"] = reply.usage
                self._chunk(_sse(final))
                self._chunk(b"data: [DONE]\n\n")
                self.wfile.write(b"0\r\n\r\n")
                self.wfile.flush()

            def _chunk(self, data: bytes) -> None:
                self.wfile.write(f"{len(data):x}\r\n".encode() + data + b"\r\n")
                self.wfile.flush()

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.02,), daemon=True)

    # --- lifecycle -------------------------------------------------------------------------------
    def start(self) -> FakeLLM:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()
        self._server.shutdown()
        self._server.server_close()

    @property
    def base_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}/v1"

    # --- scripting -------------------------------------------------------------------------------
    def enqueue(self, *replies: Reply) -> FakeLLM:
        with self._lock:
            self.queue.extend(replies)
        return self

    def reply(self, text: str, *, usage: dict[str, int] | None = None, delay_s: float = 0.0) -> FakeLLM:
        return self.enqueue(Reply(text=text, usage=usage, delay_s=delay_s))

    def chunks(self, pieces: list[str], *, usage: dict[str, int] | None = None) -> FakeLLM:
        return self.enqueue(Reply(text="".join(pieces), chunks=pieces, usage=usage))

    def error(self, status: int, *, retry_after: float | None = None) -> FakeLLM:
        headers = {"retry-after": f"{retry_after:g}"} if retry_after is not None else {}
        return self.enqueue(Reply(status=status, headers=headers))

    def slow(self, delay_s: float, text: str = "慢") -> FakeLLM:
        return self.enqueue(Reply(text=text, delay_s=delay_s))

    def malformed(self) -> FakeLLM:
        return self.enqueue(Reply(raw_body=b'{"id": "x", "choices": [ {"message": '))

    def cut_stream(self, pieces: list[str], cut_after: int | None = None) -> FakeLLM:
        n = len(pieces) if cut_after is None else cut_after
        return self.enqueue(Reply(text="".join(pieces), chunks=pieces, cut_after=n))

    def empty(self) -> FakeLLM:
        return self.enqueue(Reply(text=""))

    def non_text(self) -> FakeLLM:
        return self.enqueue(Reply(text=None, tool_calls=True, finish_reason="tool_calls"))

    @property
    def chat_requests(self) -> list[RecordedRequest]:
        return [r for r in self.requests if r.path.rstrip("/").endswith("/chat/completions")]

    # --- internals -------------------------------------------------------------------------------
    def _next(self) -> Reply:
        with self._lock:
            return self.queue.popleft() if self.queue else self.default

    def _record(self, handler: BaseHTTPRequestHandler, body: Any) -> None:
        headers = {k.lower(): v for k, v in handler.headers.items()}
        with self._lock:
            self.requests.append(RecordedRequest(handler.command, handler.path, headers, body))


def _split(text: str, size: int = 4) -> list[str]:
    return [text[i : i + size] for i in range(0, len(text), size)] or [""]


def _sse(payload: dict[str, Any]) -> bytes:
    return b"data: " + json.dumps(payload, ensure_ascii=False).encode() + b"\n\n"


def _chunk_payload(delta: dict[str, Any], finish: str | None) -> dict[str, Any]:
    return {
        "id": "chatcmpl-fake",
        "object": "chat.completion.chunk",
        "created": int(time.time()),
        "model": MODEL,
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
    }


def _completion(reply: Reply) -> dict[str, Any]:
    message: dict[str, Any] = {"role": "assistant", "content": reply.text}
    if reply.tool_calls:
        message["tool_calls"] = [
            {"id": "call_1", "type": "function", "function": {"name": "lookup", "arguments": "{}"}}
        ]
    payload: dict[str, Any] = {
        "id": "chatcmpl-fake",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": MODEL,
        "choices": [{"index": 0, "message": message, "finish_reason": reply.finish_reason}],
    }
    if reply.usage:
        payload["usage"] = reply.usage
    return payload


@pytest.fixture
def fake_llm() -> Iterator[FakeLLM]:
    """A running fake OpenAI-compatible server; ``fake_llm.base_url`` ends in /v1."""
    server = FakeLLM().start()
    try:
        yield server
    finally:
        server.stop()

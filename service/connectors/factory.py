"""Build the configured connector from settings (one place, so the API, the worker and the CLI agree)."""

from __future__ import annotations

from service.connectors.base import StoreConnector
from service.settings import Settings


def build_connector(settings: Settings) -> StoreConnector | None:
    if settings.store_connector == "files":
        from service.connectors.files import FileConnector

        assert settings.store_folder is not None
        state = settings.store_state_dir or settings.data_dir / "store-state"
        return FileConnector(settings.store_folder, state_dir=state, products=settings.store_products or None)
    if settings.store_connector == "http":
        from service.connectors.http import HttpConnector

        assert settings.store_url is not None
        token = settings.store_token.get_secret_value() if settings.store_token else None
        return HttpConnector(
            settings.store_url,
            token=token,
            timeout_s=settings.store_timeout_s,
            retries=settings.store_retries,
        )
    return None

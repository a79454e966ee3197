"""`replydraft draft` through the CLI runner, with an in-memory index and no model."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import pytest
from typer.testing import CliRunner

from service.cli import app, common
from service.container import Container
from tests.drafting_fakes import FakeIndex, PassCompliance

runner = CliRunner()


@pytest.fixture(autouse=True)
def test_container(make_container: Callable[..., Container], monkeypatch: pytest.MonkeyPatch) -> Container:
    container = make_container(index=FakeIndex(), compliance=PassCompliance(), llm=None)

    @contextmanager
    def from_env() -> Iterator[Container]:
        yield container

    monkeypatch.setattr(common, "container_from_env", from_env)
    return container


def test_prints_draft_citations_and_sources() -> None:
    result = runner.invoke(app, ["draft", "我想退货，退款多久到账？"])
    assert result.exit_code == 0, result.output
    out = result.output
    assert "24小时内原路退款" in out
    assert "citations" in out and "policies/returns.md" in out
    assert "extractive" in out and "no_llm_configured" in out
    assert "compliance: pass" in out


def test_json_output_with_context_and_product() -> None:
    result = runner.invoke(
        app, ["draft", "这个多少钱", "--product-id", "KT-170T", "--context", "已付款", "--json"]
    )
    assert result.exit_code == 0, result.output
    body = json.loads(result.output)
    assert "159" in body["text"]
    assert body["request"]["product_ids"] == ["KT-170T"] and body["request"]["context"] == "已付款"
    assert body["citations"][0]["source_id"] == "products/kettles.yaml#KT-170T"


def test_language_option() -> None:
    result = runner.invoke(app, ["draft", "退款多久到账", "--language", "en", "--json"])
    assert json.loads(result.output)["language"] == "en"
    bad = runner.invoke(app, ["draft", "退款", "--language", "fr"])
    assert bad.exit_code == 2


@pytest.mark.parametrize(
    ("args", "field"),
    [(["draft", "   "], "customer_message"), (["draft", "多少钱", "--product-id", "NOPE"], "product_ids")],
)
def test_bad_input_exits_2_naming_the_field(args: list[str], field: str) -> None:
    result = runner.invoke(app, args)
    assert result.exit_code == 2
    assert field in result.output


def test_help_says_nothing_is_stored() -> None:
    result = runner.invoke(app, ["draft", "--help"])
    assert result.exit_code == 0 and "not stored" in result.output

"""Whitespace-only messages, reasons and edits are refused naming the field; omitted optionals stay None."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from pydantic import ValidationError

from service.api.reviews import ApproveBody, RejectBody, WithdrawBody
from service.drafting.models import DraftRequest


@pytest.mark.parametrize(
    ("build", "field"),
    [
        (lambda: RejectBody(version=1, reason=" \n "), "reason"),
        (lambda: WithdrawBody(version=1, reason="\u3000 "), "reason"),
        (lambda: ApproveBody(version=1, text="\t"), "text"),
        (lambda: DraftRequest(customer_message="   "), "customer_message"),
    ],
)
def test_blank_text_is_refused_naming_the_field(build: Callable[[], Any], field: str) -> None:
    with pytest.raises(ValidationError) as caught:
        build()
    error = caught.value.errors()[0]
    assert error["loc"][0] == field and "must not be blank" in error["msg"]


def test_omitted_optional_text_is_not_blank() -> None:
    assert ApproveBody(version=1).text is None and WithdrawBody(version=1).reason is None
    assert RejectBody(version=2, reason=" 价格写错了 ").reason == " 价格写错了 "

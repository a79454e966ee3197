"""FastAPI dependencies: the container and the caller's identity, as Annotated aliases."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Request

from service.container import Container


def get_container(request: Request) -> Container:
    return request.app.state.container  # type: ignore[no-any-return]


ContainerDep = Annotated[Container, Depends(get_container)]


def get_index(container: ContainerDep) -> Any:
    return container.index


IndexDep = Annotated[Any, Depends(get_index)]

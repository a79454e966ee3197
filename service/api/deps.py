"""FastAPI dependencies: the container and the caller's identity, as Annotated aliases."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Request

from service.container import Container


async def get_container(request: Request) -> Container:
    # async: a trivial lookup, so FastAPI need not send it to the thread pool.
    return request.app.state.container  # type: ignore[no-any-return]


ContainerDep = Annotated[Container, Depends(get_container)]


def get_index(container: ContainerDep) -> Any:
    return container.index


IndexDep = Annotated[Any, Depends(get_index)]

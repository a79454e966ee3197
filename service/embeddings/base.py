"""The embedder protocol the rest of the code depends on."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

import numpy as np
import numpy.typing as npt

Vectors = npt.NDArray[np.float32]


class Embedder(Protocol):
    """Embeds passages and queries separately (e5 models use different prefixes for each).

    ``model_id`` names the model and its settings: stored embeddings are reused only when it matches.
    """

    model_id: str
    dim: int

    def embed_passages(self, texts: Sequence[str]) -> Vectors: ...

    def embed_query(self, text: str) -> Vectors: ...

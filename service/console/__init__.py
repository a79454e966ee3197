"""Reviewer console: server-rendered pages over the same review service the API uses."""

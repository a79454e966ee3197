"""Alembic migrations of the review database (a package so it ships in the wheel)."""

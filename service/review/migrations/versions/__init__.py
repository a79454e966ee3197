"""Migration scripts, applied in order by `replydraft db upgrade`."""

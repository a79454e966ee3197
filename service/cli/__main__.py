"""`python -m service.cli` is `replydraft` (for running from a source tree without the console script)."""

from service.cli import main

main()

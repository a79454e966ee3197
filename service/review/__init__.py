"""Review workflow: persistence, the draft state machine, audit, keys, the send outbox and QA stats.

Every entry point (API, CLI, console) goes through :class:`service.review.workflow.ReviewService`, so the
rules "nothing is sent without an approval of exactly that text" and "every state change is audited" hold
no matter who calls.
"""

"""replydraft: grounded, compliance-checked, human-reviewed reply drafts for online stores."""

__version__ = "0.1.0"

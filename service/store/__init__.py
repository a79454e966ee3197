"""Drafts that know the customer's orders: which order a message is about, what to look up, which actions
the store's policy allows, and the proposals a reviewer approves before anything runs."""

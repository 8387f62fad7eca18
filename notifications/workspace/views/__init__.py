"""The agent workspace views: thin, one module per concern (queue, cards, drafts, jobs, stats)."""

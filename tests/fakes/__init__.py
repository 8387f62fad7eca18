"""Reusable local fakes of external services (no network in tests)."""

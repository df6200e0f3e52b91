"""Stripe API versions: the one the sandbox speaks by default."""

API_VERSION = "2026-10-28.endive"

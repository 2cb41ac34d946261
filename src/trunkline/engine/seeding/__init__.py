"""Synthetic call history, so a fresh store looks like a busy account's (demos, load tests, benchmarks)."""

from trunkline.engine.seeding.history import generate_history

__all__ = ["generate_history"]

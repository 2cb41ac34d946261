"""Placing calls and driving them to their end."""

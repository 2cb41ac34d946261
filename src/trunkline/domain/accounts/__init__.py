"""Accounts and their API credentials."""

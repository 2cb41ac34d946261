"""Errors of accounts, their credentials and their numbers, each with a stable code."""

from __future__ import annotations

from trunkline.domain.errors import Conflict, RateLimited


class NumberHeldElsewhere(Conflict):
    """A number belongs to one account: another account asked for one that is already held."""

    code = "number-held-by-another-account"


class AccountHasData(Conflict):
    """Deleting an account that still owns calls, flows, agents, properties or generators, without
    ``force``: deleting it would delete them too, which must be asked for."""

    code = "account-has-data"


class LastCredential(Conflict):
    """Revoking an account's only credential would lock it out; rotate it, or add another first."""

    code = "last-credential"


class LoginThrottled(RateLimited):
    """Too many failed logins from one client address, or for one API key: refused before hashing.
    A 429 like the request rate limit (each dialect's envelope), with only ``Retry-After``: how many
    requests the account has left is not this client's business."""

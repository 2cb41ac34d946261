"""Status callbacks: which targets are allowed (``target_policy``) and the worker that sends the
outbox (``delivery``); the outbox itself is ``store.webhooks``."""

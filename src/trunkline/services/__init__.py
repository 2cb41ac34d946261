"""The services layer: one service per feature, between the engine and the front ends.

A service is the one place a feature's rules live (checks, the order of writes, which reads are
quick enough to run on the event loop), so that every front end — the dialects, the admin API, the
CLI, the web console, the pytest plugin — asks it instead of repeating that logic. The rule: front
ends (``api/``, ``cli/``) call services and never a store; services call the engine and the stores.
A server's parts are built once, in dependency order, by ``services/composition.py``; a CLI
command's by ``services/commands.py``, which imports only the services the command uses.

Methods a dialect's request path calls are ``async`` and decide themselves where their store work
runs (``StoreRunner``); administration methods are plain functions, which the admin API runs in the
thread pool and the CLI calls directly.
"""

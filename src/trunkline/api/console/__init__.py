"""The web console: server-rendered pages for people, at ``/console`` in the server's own process.

A front end like the dialects: its pages call services (never a store), read the viewer from a signed
cookie (``session``), protect every form with a CSRF token (``csrf``) and render Jinja2 templates with
autoescaping on (``templating``). Live updates come through Server-Sent Events (``events``).
"""

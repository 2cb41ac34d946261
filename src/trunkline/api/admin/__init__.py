"""The admin API (``/admin/…``): sandbox controls behind their own bearer token."""

"""Recording links."""

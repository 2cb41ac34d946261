"""Call tracking (Fone Dynamics): which calls a list asks for, what a tracked call's outcome and
caller geography are, visitor sessions, and tracking-number configuration. Pure: no I/O."""

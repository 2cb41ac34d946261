"""The call model and its rules: pure Python, no I/O. Every other layer depends on this one."""

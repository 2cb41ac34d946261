"""The ``trunkline`` command line."""

"""Carriers place the legs of a call: the simulated network by default; a real one can take its place."""

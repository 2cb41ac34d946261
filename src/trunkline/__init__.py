"""Trunkline: a self-hosted voice-call API speaking Exotel's and Fone Dynamics' dialects."""

__version__ = "0.1.0"

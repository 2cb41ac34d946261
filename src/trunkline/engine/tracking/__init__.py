"""Call tracking's work beyond storing rows: routing a tracking number's calls (``numbers.py``)."""

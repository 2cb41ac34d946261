"""Phone numbers: normalisation to E.164 and Indian number metadata."""

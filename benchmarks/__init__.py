"""``make bench``: timings and memory of Restora's tools as JSON. Measured here, never asserted in tests."""

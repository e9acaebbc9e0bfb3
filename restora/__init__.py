"""Restora: a self-hosted photo-restoration studio."""

__version__ = "0.1.0"

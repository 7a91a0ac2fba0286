"""Tearline: duty to warn — from threat reporting to a signed, delivered, tracked warning."""

__version__ = "0.1.0"

"""The demo: the Moscow 2024 case end to end (``scenario``) and a loopback receiver."""

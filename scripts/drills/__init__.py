"""Fault drills against a production-configured stack on loopback (see docs/RELIABILITY.md)."""

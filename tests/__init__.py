"""Tests for project-level tooling: the dev supervisor and the benchmark runner."""

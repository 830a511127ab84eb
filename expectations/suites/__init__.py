"""Suites as code: each builds the frame it validates and the GX expectations that judge it."""

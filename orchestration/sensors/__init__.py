"""Sensors: the landing folder (files start ingest runs) and run failures (alerts)."""

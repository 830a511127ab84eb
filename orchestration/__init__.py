"""Dagster definitions and the `impact` command line: wires ingest, dbt, the gate and exports together."""

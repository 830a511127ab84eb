"""Assets in flow order: ingest -> warehouse (dbt) -> gate -> publication."""

"""Reference data the ingest needs or extracts: IMD 2019 LSOAs, postcode lookups."""

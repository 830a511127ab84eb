"""The steering group's pack: workbook, tidy CSVs, manifest, and the disclosure control they pass."""

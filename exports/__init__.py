"""The steering group's pack: workbook, tidy CSVs, HTML and PDF report, manifest, and the disclosure control
they pass."""

from exports.pack import PackError, PackResult, write_pack

__all__ = ["PackError", "PackResult", "write_pack"]

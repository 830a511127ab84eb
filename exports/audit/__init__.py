"""The disclosure auditor: reads every file of a pack (CSV, XLSX, HTML, PDF text, JSON) as a reader
of the published pack would, works out what the published numbers and the packs published before
it give away, and fails the publication on any small count of people it can see or recover,
naming the file and the cell.

It is independent of the masking code on purpose: nothing here imports `exports.disclosure`, so a
mistake in the masking is not repeated in the check of it.
"""

from exports.audit.audit import AuditReport, Finding, audit_pack
from exports.audit.register import Register

__all__ = ["AuditReport", "Finding", "Register", "audit_pack"]

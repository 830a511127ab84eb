"""The steering group's pack: workbook, tidy CSVs, HTML and PDF report, manifest, and the disclosure control
they pass.

`write_pack` and its types load on first use: the pack's writers bring in xlsxwriter, matplotlib and the
report's templates, which the gate (it reads exports.disclosure and exports.audit) does not need."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from exports.pack import PackError, PackResult, write_pack

__all__ = ["PackError", "PackResult", "write_pack"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from exports import pack

        return getattr(pack, name)
    raise AttributeError(f"module 'exports' has no attribute {name!r}")

"""The steward's corpus (issue 12): corrections, overlaps, empty versions, hidden sheets, identical
members, ambiguous values, referential checks, personal data in messages, hostile files.

Every input is built here into the test's temporary directory (big hostile files too: never in
git). test_corpus.py runs each case exactly like the policy cases: outcome, message, rows, exact
quarantine, a baseline byte-for-byte unchanged, and no personal value (PERSONAL) in any message.
"""

from __future__ import annotations

import datetime as dt
import io
import struct
import zipfile
from collections.abc import Callable
from pathlib import Path

HEADER = "Body Name,Organisational Unit,Expenditure Category,Paid Date,Trans No,Amount,Type,Supplier ID,Supplier Name"
# Invented people: none of these may ever appear in a message (audit, report, quarantine reason).
PERSONAL = ("Jane Q Citizen", "QQ123456C", "jane.citizen@example.com", "John Smith", "Andrew P Howard",
            "Harriet Quist", "Perpetua Gloam")


def pay(*rows: tuple, header: str = HEADER) -> str:
    """Payments of Oxford City Council in April 2024: (day or date text, ref, amount, supplier)."""
    lines = [header]
    for day, ref, amount, supplier in rows:
        when = f"{day:02d}/04/2024" if isinstance(day, int) else day
        lines.append(f"Oxford City Council,Housing,Repairs,{when},{ref},{amount},Revenue,S-{ref},{supplier}")
    return "\n".join(lines) + "\n"


def text(content: str, encoding: str = "utf-8") -> Callable[[Path], None]:
    return lambda path: path.write_bytes(content.encode(encoding))


def raw(data: bytes) -> Callable[[Path], None]:
    return lambda path: path.write_bytes(data)


JUNE = pay((2, "T1", "£1200.00", "Acme Ltd"), (3, "T2", "£6500.00", "Stone Ltd"), (4, "T3", "£700.00", "Stone Ltd"),
           (5, "T4", "£659.00", "Kiln Works Ltd"))
JUNE_HEADER_ONLY = HEADER + "\n"
JUNE_ONE_ROW = pay((2, "T1", "£1200.00", "Acme Ltd"))
JUNE_PENNIES = pay((2, "T1", "£0.01", "Acme Ltd"), (3, "T2", "£0.01", "Stone Ltd"), (4, "T3", "£0.01", "Stone Ltd"),
                   (5, "T4", "£0.01", "Kiln Works Ltd"))
SUPPLEMENT = pay((20, "T90", "£1.00", "Acme Ltd"))


def _zip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def _patched_zip(members: dict[str, bytes], *, declared_size: int | None = None, encrypted: bool = False) -> bytes:
    """A ZIP whose directory lies: a declared (uncompressed) size, or the 'encrypted' flag."""
    data = bytearray(_zip(members))
    central = data.find(b"PK\x01\x02")
    local = data.find(b"PK\x03\x04")
    if declared_size is not None:
        struct.pack_into("<I", data, central + 24, declared_size)
        struct.pack_into("<I", data, local + 22, declared_size)
    if encrypted:
        for offset in (central + 8, local + 6):
            flags = struct.unpack_from("<H", data, offset)[0]
            struct.pack_into("<H", data, offset, flags | 0x1)
    return bytes(data)


def zip_bomb(path: Path) -> None:
    """200 MiB of one repeated payment line, deflated to a few hundred KiB: ~800x expansion."""
    line = b"Oxford City Council,Housing,Repairs,02/04/2024,T1,\xc2\xa31200.00,Revenue,S1,Acme Ltd\n"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        with archive.open("payments.csv", "w", force_zip64=True) as member:
            member.write(HEADER.encode() + b"\n")
            block = line * (1 << 14)
            for _ in range((200 << 20) // len(block)):
                member.write(block)


def big_payments(path: Path, *, rows: int = 260_000, late: bytes | None = None, at: int = 250_000) -> None:
    """A ~20 MB UTF-8 payments file (past the first 16 MiB read piece) with `late` as row `at`."""
    base = "Oxford City Council,Housing,Repairs,{:02d}/04/2024,T{},£{}.00,Revenue,S{},Supplier {} Ltd\n"
    with path.open("wb") as out:
        out.write((HEADER + "\n").encode())
        for i in range(rows):
            if late is not None and i == at:
                out.write(late)
            out.write(base.format(1 + i % 28, i, 500 + i % 900, i % 300, i % 300).encode())


def long_field(path: Path, lines: int = 250_000) -> None:
    """~25 MB: a quoted expense category that runs on for 250,000 lines (a mangled export)."""
    with path.open("wb") as out:
        out.write((HEADER + "\n").encode())
        out.write("Oxford City Council,Housing,Repairs,02/04/2024,T1,£1200.00,Revenue,S1,Acme Ltd\n".encode())
        out.write(b'Oxford City Council,Housing,"runs on\n')
        chunk = ("x" * 99 + "\n").encode() * 1000
        for _ in range(lines // 1000):
            out.write(chunk)
        out.write('",03/04/2024,T2,£10.00,Revenue,S2,Stone Ltd\n'.encode())


def xlsx(sheets: dict[str, list[list]], path: Path, hidden: dict[str, str] | None = None) -> None:
    """A workbook; `hidden` maps sheet -> 'hidden' or 'veryHidden'."""
    import openpyxl

    book = openpyxl.Workbook()
    book.remove(book.active)
    for title, rows in sheets.items():
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
        if hidden and title in hidden:
            sheet.sheet_state = hidden[title]
    book.save(path)


def _rows(csv_text: str) -> list[list]:
    return [line.split(",") for line in csv_text.strip().splitlines()]


def encrypted_xlsx(path: Path) -> None:
    """A real password-protected workbook (msoffcrypto-tool, Agile encryption, as Excel writes)."""
    import msoffcrypto.format.ooxml as ooxml

    plain = path.with_suffix(".plain.xlsx")
    xlsx({"Payments": _rows(JUNE)}, plain)
    with plain.open("rb") as source, path.open("wb") as target:
        ooxml.OOXMLFile(source).encrypt("s3cret-pass", target)
    plain.unlink()


def old_xls_bytes() -> bytes:
    """An OLE2 compound file header (what an old binary .xls starts with), renamed .xlsx."""
    return b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 16 + b"\x3e\x00\x03\x00\xfe\xff" + b"\x00" * 490


def utf16_no_bom(content: str, order: str) -> bytes:
    return content.encode(f"utf-16-{order}")


PARTICIPANTS = ("Participant ID,Provider,Enrolment Date,Age Group,Gender\n"
                "P-901,Aspire,01/04/2024,25-34,Female\nP-902,Aspire,10/04/2024,35-49,Male\n")
OUTCOMES = ("Participant ID,Provider,Outcome,Outcome Date\n"
            "P-901,Aspire,job_start,01/05/2024\nP-902,Aspire,training_start,02/04/2024\n"
            "P-999,Aspire,job_start,03/05/2024\n")


def future_payment(path: Path) -> None:
    soon = dt.date.today() + dt.timedelta(days=3)
    far = dt.date.today() + dt.timedelta(days=60)
    path.write_text(pay((2, "T1", "£1200.00", "Acme Ltd"), (f"{soon:%d/%m/%Y}", "T2", "£650.00", "Stone Ltd"),
                        (f"{far:%d/%m/%Y}", "T3", "£700.00", "Stone Ltd")), encoding="utf-8")


def survey(*rows: str) -> str:
    head = "Response ID,Survey Name,Survey Wave,Date Completed,Life Satisfaction,Worthwhile"
    return "\n".join([head, *rows]) + "\n"


BUILDERS: dict[str, Callable[[Path], None]] = {
    # versions of one file: same name in two folders
    "v1/occ-2024-04.csv": text(JUNE),
    "v2/occ-2024-04.csv": text(JUNE.replace("£659.00", "£759.00")),
    "header_only/occ-2024-04.csv": text(JUNE_HEADER_ONLY),
    "empty/occ-2024-04.csv": text(""),
    "one_row/occ-2024-04.csv": text(JUNE_ONE_ROW),
    "pennies/occ-2024-04.csv": text(JUNE_PENNIES),
    "occ-2024-04-supplement.csv": text(SUPPLEMENT),
    "occ-2024-04-corrected.csv": text(JUNE.replace("£659.00", "£759.00")),
    "v1/occ-2024-04.zip": raw(_zip({"june.csv": JUNE.encode()})),
    "v2/occ-2024-04.zip": raw(_zip({"june.csv": JUNE.replace("£659.00", "£759.00").encode()})),
    # hidden and repeated content
    "hidden_draft.xlsx": lambda p: xlsx({"Payments": _rows(JUNE), "Draft": _rows(pay((9, "T9", "99999", "Acme Ltd")))},
                                        p, hidden={"Draft": "hidden"}),
    "very_hidden_draft.xlsx": lambda p: xlsx({"Payments": _rows(JUNE),
                                              "Draft": _rows(pay((9, "T9", "99999", "Acme Ltd")))},
                                             p, hidden={"Draft": "veryHidden"}),
    "only_hidden_data.xlsx": lambda p: xlsx({"Cover": [["Payments over £500"]], "Data": _rows(JUNE)}, p,
                                            hidden={"Data": "hidden"}),
    "identical_sheets.xlsx": lambda p: xlsx({"Payments": _rows(JUNE), "Payments (2)": _rows(JUNE)}, p),
    "identical_members.zip": raw(_zip({"june.csv": JUNE.encode(), "copy/june.csv": JUNE.encode()})),
    "two_members.zip": raw(_zip({"june.csv": JUNE.encode(), "june-extra.csv": SUPPLEMENT.encode()})),
    # values
    "money_three_decimals.csv": text(pay((2, "T1", "12.345", "Acme Ltd"), (3, "T2", "£650.00", "Stone Ltd"))),
    "money_exponent.csv": text(pay((2, "T1", "1e3", "Acme Ltd"), (3, "T2", "£650.00", "Stone Ltd"))),
    "survey_exponent.csv": text(survey("R-501,resident_panel,annual,01/05/2024,1e1,7",
                                       "R-502,resident_panel,annual,01/05/2024,\"7,5\",8")),
    "dated_2099_and_1900.csv": text(pay((2, "T1", "£1200.00", "Acme Ltd"), ("01/01/2099", "T2", "£650.00", "Stone Ltd"),
                                        ("01/01/1900", "T3", "£700.00", "Stone Ltd"))),
    "dated_near_future.csv": future_payment,
    "participants.csv": text(PARTICIPANTS),
    "outcomes.csv": text(OUTCOMES),
    "outcomes_then_participants.xlsx": lambda p: xlsx({"Outcomes": _rows(OUTCOMES),
                                                       "Participants": _rows(PARTICIPANTS)}, p),
    "duplicate_amount.csv": text(pay((2, "T1", "£1200.00", "Acme Ltd"), header=HEADER + ",Amount").replace(
        "Acme Ltd\n", "Acme Ltd,£12.00\n")),
    "near_duplicate_amount.csv": text(pay((2, "T1", "£1200.00", "Acme Ltd"), header=HEADER + ",amount ").replace(
        "Acme Ltd\n", "Acme Ltd,£12.00\n")),
    "amount_and_net_amount.csv": text(pay((2, "T1", "£1200.00", "Acme Ltd"), header=HEADER + ",Net Amount").replace(
        "Acme Ltd\n", "Acme Ltd,£1000.00\n")),
    # personal data: never in a message
    "personal_in_every_date.csv": text(pay(("Jane Q Citizen QQ123456C", "T1", "£1200.00", "Acme Ltd"),
                                           ("Jane Q Citizen QQ123456C", "T2", "£650.00", "Stone Ltd"))),
    "personal_in_amount.csv": text(pay((2, "T1", "Jane Q Citizen QQ123456C", "Acme Ltd"),
                                       (3, "T2", "£650.00", "Stone Ltd"))),
    "personal_payees.csv": text(pay(
        (2, "T1", "£1200.00", "jane.citizen@example.com"), (3, "T2", "£650.00", "John Smith"),
        (4, "T3", "£700.00", "ANDREW P HOWARD"), (5, "T4", "£800.00", "Harriet Quist t/a Quist Plumbing"),
        (6, "T5", "£900.00", "Acme Cleaning Services"), (7, "T6", "£950.00", "BT REDCARE"),
        (8, "T7", "£990.00", "Perpetua Gloam"))),
    # hostile and odd files
    "upper_case.CSV": text(JUNE),
    "utf16le_no_bom.csv": raw(utf16_no_bom(JUNE, "le")),
    "utf16be_no_bom.csv": raw(utf16_no_bom(JUNE, "be")),
    "nul_after_4k.csv": raw((JUNE + "".join(f"Oxford City Council,Housing,Repairs,0{1 + i % 9}/04/2024,X{i},£600.00,"
                                            f"Revenue,S9,Filler Ltd\n" for i in range(80))).encode()
                            + b"Oxford City Council,Housing,Repairs,09/04/2024,N1,\x00600.00,Revenue,S9,Nul Ltd\n"),
    "late_nul.csv": lambda p: big_payments(
        p, late=b"Oxford City Council,Housing,Repairs,09/04/2024,N,\x00,Revenue,S,N\n"),
    "late_cp1252.csv": lambda p: big_payments(p, late="Oxford City Council,Housing,Repairs,09/04/2024,W1,£600.00,"
                                              "Revenue,S9,Caf\xe9 Late Ltd\n".encode("cp1252")),
    "late_ragged_row.csv": lambda p: big_payments(p, late=b"Oxford City Council,Housing,Repairs,09/04/2024,R1,600.00,"
                                                  b"Revenue,S9,Ragged Ltd,extra,cells\n"),
    "long_multiline_field.csv": long_field,
    "encrypted.xlsx": encrypted_xlsx,
    "old_binary.xlsx": raw(old_xls_bytes()),
    "zip_bomb.zip": zip_bomb,
    "zip_declares_3gib.zip": raw(_patched_zip({"june.csv": JUNE.encode()}, declared_size=3 << 30)),
    "zip_declares_too_little.zip": raw(_patched_zip({"june.csv": JUNE.encode()}, declared_size=40)),
    "zip_encrypted_member.zip": raw(_patched_zip({"june.csv": JUNE.encode()}, encrypted=True)),
    "mixed_line_ends.csv": raw(JUNE.replace("\n", "\r", 2).encode()),
    "response_ids_programme.csv": text(survey("R-700,programme,baseline,01/05/2024,6,7",
                                              "R-701,programme,baseline,01/05/2024,5,6")),
    "response_ids_panel.csv": text(survey("R-700,resident_panel,annual,02/05/2024,8,8",
                                          "R-702,resident_panel,annual,02/05/2024,7,7")),
}

"""The weekly order as files: a CSV for spreadsheets and a printable PDF.

CSV choice: UTF-8 with a byte-order mark and ``;`` as separator, decimals with a
comma for French clubs and a point for English ones. Excel in a French locale
opens that by double-click with accents and numbers intact; LibreOffice detects
the BOM and asks for the separator with ``;`` preselected.
"""

from __future__ import annotations

import csv
import io
from decimal import ROUND_HALF_UP, Decimal

from orders.replies import money, number, quantity
from suppliers.weekly_order import WeeklyOrder

CSV_HEADER = {
    "fr": ["membre", "produit", "code", "quantité", "unité", "prix unitaire", "montant"],
    "en": ["member", "product", "code", "quantity", "unit", "unit price", "amount"],
}
CENT = Decimal("0.01")


def _decimal(value: Decimal, locale: str) -> str:
    return number(value, locale)


def _cents(value: Decimal, locale: str) -> str:
    text = format(value.quantize(CENT, rounding=ROUND_HALF_UP), "f")
    return text.replace(".", ",") if locale == "fr" else text


def order_csv(weekly: WeeklyOrder) -> bytes:
    """One row per member and product, UTF-8 with BOM, ``;``-separated."""
    loc = weekly.locale if weekly.locale in CSV_HEADER else "en"
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(CSV_HEADER[loc])
    for member in weekly.members:
        for line in member.lines:
            info = line.product
            writer.writerow(
                [
                    member.name,
                    info.name,
                    info.code,
                    _decimal(line.quantity, loc),
                    info.unit,
                    _cents(info.price, loc),
                    _cents(line.amount, loc),
                ]
            )
    return ("\ufeff" + out.getvalue()).encode("utf-8")


_TITLES = {
    "fr": ("Commande", "Total par produit", "Total", "Liste de colisage", "Retrait"),
    "en": ("Order", "Totals per product", "Total", "Packing list", "Pickup"),
}
# Core PDF fonts cover Windows-1252 (€, œ, curly quotes); anything else is replaced.
_PDF_ENCODING = "windows-1252"


def _pdf_text(text: str) -> str:
    return text.encode(_PDF_ENCODING, "replace").decode(_PDF_ENCODING)


def order_pdf(weekly: WeeklyOrder, *, pickup: str = "", week: str = "") -> bytes:
    """A totals page, then the packing list: one label per member's bag."""
    from fpdf import FPDF

    loc = weekly.locale if weekly.locale in _TITLES else "en"
    title, totals_title, total_word, packing_title, pickup_word = _TITLES[loc]
    pdf = FPDF(format="A4")
    pdf.core_fonts_encoding = _PDF_ENCODING
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.add_page()
    pdf.set_font("helvetica", "B", 16)
    pdf.cell(
        0,
        10,
        _pdf_text(f"{title} {weekly.club_name} {week}".strip()),
        new_x="LMARGIN",
        new_y="NEXT",
    )
    pdf.set_font("helvetica", "B", 12)
    pdf.cell(0, 8, _pdf_text(totals_title), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("helvetica", size=11)
    for line in weekly.totals:
        info = line.product
        pdf.cell(110, 7, _pdf_text(info.name))
        pdf.cell(35, 7, _pdf_text(quantity(line.quantity, info.unit, loc).lstrip("×")), align="R")
        pdf.cell(0, 7, _pdf_text(money(line.amount, weekly.currency, loc)), align="R",
                 new_x="LMARGIN", new_y="NEXT")  # fmt: skip
    pdf.set_font("helvetica", "B", 11)
    pdf.cell(145, 8, _pdf_text(total_word))
    pdf.cell(0, 8, _pdf_text(money(weekly.total, weekly.currency, loc)), align="R",
             new_x="LMARGIN", new_y="NEXT")  # fmt: skip
    if pickup:
        pdf.set_font("helvetica", size=10)
        colon = " :" if loc == "fr" else ":"
        pdf.cell(0, 8, _pdf_text(f"{pickup_word}{colon} {pickup}"), new_x="LMARGIN", new_y="NEXT")
    _packing_list(pdf, weekly, loc, packing_title)
    return bytes(pdf.output())


def _packing_list(pdf: object, weekly: WeeklyOrder, loc: str, packing_title: str) -> None:
    from fpdf import FPDF

    assert isinstance(pdf, FPDF)
    pdf.add_page()
    pdf.set_font("helvetica", "B", 14)
    pdf.cell(0, 10, _pdf_text(packing_title), new_x="LMARGIN", new_y="NEXT")
    for member in weekly.members:
        height = 9 + 6 * len(member.lines) + 4
        if pdf.get_y() + height > pdf.h - 15:
            pdf.add_page()
        top = pdf.get_y()
        pdf.set_font("helvetica", "B", 12)
        pdf.cell(130, 8, _pdf_text(member.name))
        pdf.cell(0, 8, _pdf_text(money(member.total, weekly.currency, loc)), align="R",
                 new_x="LMARGIN", new_y="NEXT")  # fmt: skip
        pdf.set_font("helvetica", size=10)
        for line in member.lines:
            info = line.product
            pdf.cell(8, 6, "")
            pdf.cell(0, 6, _pdf_text(f"{info.name}  {quantity(line.quantity, info.unit, loc)}"),
                     new_x="LMARGIN", new_y="NEXT")  # fmt: skip
        pdf.rect(pdf.l_margin - 2, top - 1, pdf.epw + 4, pdf.get_y() - top + 2)
        pdf.ln(4)

"""Vietnamese number, money, percent and date formatting (1.234,56; 69,06%; 31/01/2024)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal


def number_vi(value: int | float | Decimal | None, decimals: int = 0) -> str:
    """1234567.891 → '1.234.567,89' (decimals=2)."""
    if value is None:
        return "—"
    q = Decimal(str(value)).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    sign = "-" if q < 0 else ""
    text = f"{abs(q):,.{decimals}f}"
    return sign + text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")


def percent_vi(value: int | float | Decimal | None, decimals: int = 2) -> str:
    return "—" if value is None else f"{number_vi(value, decimals)}%"


def ratio_vi(part: int | None, whole: int | None) -> str:
    """'2.427/6.269'."""
    if part is None or whole is None:
        return "—"
    return f"{number_vi(part)}/{number_vi(whole)}"


def million_vnd(value: int | Decimal | None, decimals: int = 0) -> str:
    """Whole VND shown in triệu đồng."""
    if value is None:
        return "—"
    return number_vi(Decimal(value) / Decimal(1_000_000), decimals)


def date_vi(value: date | datetime | None) -> str:
    return value.strftime("%d/%m/%Y") if value else "—"

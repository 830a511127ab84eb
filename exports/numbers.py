"""Numbers as the pack prints them: rounded to what the data support.

A figure with a 95% interval is printed to the first significant digit of the interval's half
width (two digits when that digit is 1), so 7.38 (7.32 to 7.45) keeps two decimals and a district
mean change of 0.00 from 11 pairs reads 0.0 (-1.6 to 1.6), not as a fact. Money is in £k or £m
once it is large, and with an interval it is never printed to the pound (£1.9m (£1.1m to £2.8m)).
Counts are exact. The tidy CSVs keep full precision: evaluators round for themselves.
"""

from __future__ import annotations

import math

MINUS = "\u2212"  # a real minus sign: "-0.3" reads as a hyphen in tables


def format_value(value: float, unit: str) -> str:
    """A value with no interval: counts exact, shares to 0.1%, money by magnitude, means to 0.01."""
    if unit == "gbp":
        return money(value)
    if unit == "pct":
        return _signed(f"{value:.1f}") + "%"
    if unit == "count":
        return _signed(f"{value:,.0f}")
    if unit == "wellby":
        return _signed(f"{value:,.0f}")
    if unit == "ratio":
        return _signed(f"{value:,.1f}")
    return _signed(f"{value:,.2f}")


def format_estimate(value: float, low: float | None, high: float | None, unit: str) -> tuple[str, str]:
    """(value, interval) as printed, both to the precision the interval supports; without an
    interval, the plain value and ''."""
    if low is None or high is None or any(map(_nan, (low, high))):
        return format_value(value, unit), ""
    half = max(abs(high - low) / 2, 0.0)
    if unit == "gbp":
        scale, suffix = _money_scale(max(abs(value), abs(low), abs(high)))
        digits = _decimals(half / scale)
        parts = [_signed(f"£{x / scale:,.{digits}f}{suffix}") if round(x / scale, digits) else "£0"
                 for x in (value, low, high)]
    else:
        digits = _decimals(half)
        end = "%" if unit == "pct" else ""
        parts = [_signed(f"{x:,.{digits}f}") + end for x in (value, low, high)]
    return parts[0], f"{parts[1]} to {parts[2]}"


def format_change(change: float, unit: str, half_width: float | None = None) -> str:
    """A change with its sign (+0.02, −3.1 points, +37); to the interval's precision if it has one."""
    sign = "+" if change > 0 else ""
    if unit == "pct":
        digits = _decimals(half_width) if half_width else 1
        return _signed(f"{sign}{change:.{digits}f}") + " points"
    if unit == "gbp":
        return (sign if change > 0 else "") + money(change)
    if unit in ("count", "wellby"):
        return _signed(f"{sign}{change:,.0f}")
    digits = _decimals(half_width) if half_width else (1 if unit == "ratio" else 2)
    return _signed(f"{sign}{change:,.{digits}f}")


def money(value: float) -> str:
    """£1,234 below £10k; £123k below £1m; £12.3m above."""
    if abs(value) < 10_000:
        return _signed(f"£{value:,.0f}")
    scale, suffix = _money_scale(abs(value))
    digits = 1 if scale == 1e6 and abs(value) < 1e9 else 0
    return _signed(f"£{value / scale:,.{digits}f}{suffix}")


def _money_scale(magnitude: float) -> tuple[float, str]:
    if magnitude >= 1e6:
        return 1e6, "m"
    if magnitude >= 1e4:
        return 1e3, "k"
    return 1.0, ""


def _decimals(half_width: float | None) -> int:
    """Decimals that keep the first significant digit of the half width (two if it is a 1)."""
    if not half_width or _nan(half_width) or half_width <= 0:
        return 2
    exponent = math.floor(math.log10(half_width))
    leading = int(half_width / 10**exponent)
    digits = -exponent + (1 if leading == 1 else 0)
    return min(3, max(0, digits))


def _signed(text: str) -> str:
    """A minus sign, not a hyphen, and no "-0" / "-0.0" for a value that rounds to zero."""
    if text.startswith(("-", "£-")):
        body = text.replace("-", "", 1)
        if not any(c in "123456789" for c in body):
            return body
        return body.replace("£", f"{MINUS}£", 1) if body.startswith("£") else MINUS + body
    return text


def _nan(x: float) -> bool:
    return isinstance(x, float) and math.isnan(x)

"""Numbers and lists as the book prints them: percentages, fixed decimals, significant
figures, a factor computed from the numbers as printed, powers of ten, MiB, and "a, b and c".
"""

from __future__ import annotations

import math


def pct(x: float | None, digits: int = 2) -> str:
    return "n/a" if x is None else f"{100 * x:.{digits}f}%"


def num(x: float | None, digits: int = 3) -> str:
    return "n/a" if x is None else f"{x:.{digits}f}"


def sig(x: float | None, digits: int = 3) -> str:
    """x to `digits` significant figures, written out (0.00612, 1.05, 12.3, 1,230): times and
    ratios keep their meaning at any scale, where a fixed number of decimals would print
    0.01 for 0.0061."""
    if x is None:
        return "n/a"
    if x == 0:
        return "0"
    rounded = float(f"{x:.{digits - 1}e}")
    decimals = max(0, digits - 1 - math.floor(math.log10(abs(rounded))))
    return f"{rounded:,.{decimals}f}"


def ratio(a: float, b: float, digits: int = 3, ratio_digits: int = 2) -> tuple[str, str, str]:
    """a and b as sig() prints them, and a / b computed from those printed values, so that a
    sentence's factor agrees with the two numbers beside it."""
    a_text, b_text = sig(a, digits), sig(b, digits)
    return a_text, b_text, sig(float(a_text.replace(",", "")) / float(b_text.replace(",", "")), ratio_digits)


def sci(x: float) -> str:
    """1.2e-08 as Markdown math, readable in HTML and PDF alike."""
    if x == 0:
        return "0"
    mantissa, exp = f"{x:.1e}".split("e")
    return f"${mantissa} \\times 10^{{{int(exp)}}}$"


def sci_text(x: float) -> str:
    """1.2e-08 as plain text: Quarto escapes Markdown (and so maths) in inline output."""
    return f"{x:.1e}"


def mib(n_bytes: float) -> str:
    return f"{n_bytes / 2**20:.2f} MiB"


def and_join(items: list[str], sep: str = ", ") -> str:
    """ "a", "a and b", "a, b and c" (with sep="; ": "a; b; and c")."""
    items = list(items)
    if len(items) < 2:
        return "".join(items)
    last = f"{sep}and " if sep != ", " else " and "
    return sep.join(items[:-1]) + last + items[-1]

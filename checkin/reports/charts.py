"""The reports' two charts, as data first, then drawn as SVG (pages) or into a PDF.

- attendance rate per unit: a horizontal bar per unit, present against quota;
- arrivals over time: per 5 minutes, stacked by gate.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from html import escape

from ..i18n import format_clock

PALETTE = ["#0b57d0", "#c8102e", "#137333", "#b06000", "#7b1fa2", "#00838f"]


@dataclass
class Bar:
    label: str
    value: float
    text: str


def rate_bars(report) -> list[Bar]:
    return [Bar(r.unit, min(r.rate, 1.0), f"{r.present}/{r.quota or r.nominated} "
                f"({r.rate:.0%})") for r in report.units]


def arrival_columns(report) -> tuple[list[str], list[str], list[list[int]]]:
    """(slot labels, gates, counts[gate][slot])."""
    if not report.arrivals:
        return [], [], []
    gates = list(report.arrivals)
    slots = len(next(iter(report.arrivals.values())))
    labels = [format_clock(report.slot_start + timedelta(minutes=5 * i)) for i in range(slots)]
    return labels, gates, [report.arrivals[g] for g in gates]


def _title(title: str) -> str:
    """The chart's text alternative (its name, and the figures in words)."""
    return f"<title>{escape(title)}</title>" if title else ""


def rate_svg(report, *, width: int = 720, title: str = "") -> str:
    bars = rate_bars(report)
    row, label_w, text_w = 26, 260, 110
    height = max(row * len(bars) + 10, 40)
    plot = width - label_w - text_w
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
             f'role="img" class="chart" font-family="sans-serif" font-size="13">'
             + _title("; ".join([title] + [f"{b.label}: {b.text}" for b in bars]))]
    for i, bar in enumerate(bars):
        y = 5 + i * row
        parts.append(f'<text x="{label_w - 8}" y="{y + 17}" text-anchor="end">'
                     f'{escape(bar.label[:38])}</text>')
        parts.append(f'<rect x="{label_w}" y="{y + 4}" width="{plot}" height="16" '
                     f'fill="#e8eaed"/>')
        parts.append(f'<rect x="{label_w}" y="{y + 4}" width="{plot * bar.value:.1f}" '
                     f'height="16" fill="#0b57d0"/>')
        parts.append(f'<text x="{label_w + plot + 8}" y="{y + 17}">{escape(bar.text)}</text>')
    parts.append("</svg>")
    return "".join(parts)


def arrivals_svg(report, *, width: int = 720, height: int = 240, title: str = "") -> str:
    labels, gates, counts = arrival_columns(report)
    if not labels:
        return ""
    totals = [sum(c[i] for c in counts) for i in range(len(labels))]
    top = max(totals) or 1
    left, bottom, legend = 36, 30, 22
    plot_w, plot_h = width - left - 10, height - bottom - legend - 10
    step = plot_w / len(labels)
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
             f'role="img" class="chart" font-family="sans-serif" font-size="11">'
             + _title("; ".join([title] + [f"{label}: {total}" for label, total
                                           in zip(labels, totals, strict=True) if total])),
             f'<text x="4" y="{legend + 10}">{top}</text>',
             f'<line x1="{left}" y1="{legend + plot_h + 10}" x2="{width - 10}" '
             f'y2="{legend + plot_h + 10}" stroke="#999"/>']
    for g, gate in enumerate(gates):
        parts.append(f'<rect x="{left + g * 130}" y="4" width="12" height="12" '
                     f'fill="{PALETTE[g % len(PALETTE)]}"/>'
                     f'<text x="{left + g * 130 + 16}" y="14">{escape(gate[:16])}</text>')
    for i, label in enumerate(labels):
        y = legend + 10 + plot_h
        for g, column in enumerate(counts):
            h = plot_h * column[i] / top
            y -= h
            parts.append(f'<rect x="{left + i * step + 1:.1f}" y="{y:.1f}" '
                         f'width="{max(step - 2, 1):.1f}" height="{h:.1f}" '
                         f'fill="{PALETTE[g % len(PALETTE)]}"/>')
        if len(labels) <= 24 or i % max(len(labels) // 12, 1) == 0:
            parts.append(f'<text x="{left + i * step + step / 2:.1f}" y="{height - 8}" '
                         f'text-anchor="middle">{label}</text>')
    parts.append("</svg>")
    return "".join(parts)


def draw_rates(pdf, report, x: float, y: float, width: float) -> float:
    """Draw the rate chart into an fpdf2 document; returns the y below it."""
    bars = rate_bars(report)
    label_w, text_w, row = 62.0, 30.0, 6.0
    plot = width - label_w - text_w
    pdf.set_font("Sans", "", 7.5)
    for i, bar in enumerate(bars):
        top = y + i * row
        pdf.set_xy(x, top)
        pdf.cell(label_w - 2, row - 1, bar.label[:44], align="R")
        pdf.set_fill_color(232, 234, 237)
        pdf.rect(x + label_w, top + 1, plot, row - 2.5, style="F")
        pdf.set_fill_color(11, 87, 208)
        pdf.rect(x + label_w, top + 1, plot * bar.value, row - 2.5, style="F")
        pdf.set_xy(x + label_w + plot + 1, top)
        pdf.cell(text_w, row - 1, bar.text)
    return y + len(bars) * row + 4


def draw_arrivals(pdf, report, x: float, y: float, width: float, height: float = 55) -> float:
    labels, gates, counts = arrival_columns(report)
    if not labels:
        return y
    totals = [sum(c[i] for c in counts) for i in range(len(labels))]
    top = max(totals) or 1
    step = width / len(labels)
    colours = [tuple(int(c[k:k + 2], 16) for k in (1, 3, 5)) for c in PALETTE]
    pdf.set_font("Sans", "", 7)
    for g, gate in enumerate(gates):
        pdf.set_fill_color(*colours[g % len(colours)])
        pdf.rect(x + g * 35, y, 3, 3, style="F")
        pdf.set_xy(x + g * 35 + 4, y - 0.5)
        pdf.cell(30, 4, gate[:20])
    base = y + 6 + height
    for i, label in enumerate(labels):
        level = base
        for g, column in enumerate(counts):
            h = height * column[i] / top
            level -= h
            pdf.set_fill_color(*colours[g % len(colours)])
            pdf.rect(x + i * step + 0.3, level, max(step - 0.6, 0.2), h, style="F")
        if len(labels) <= 24 or i % max(len(labels) // 12, 1) == 0:
            pdf.set_xy(x + i * step - 3, base + 1)
            pdf.cell(step + 6, 3, label, align="C")
    return base + 8

"""The programme report's two charts, as SVG for the page and drawn into the PDF.

- progress per unit: for each unit, a bar of its year-to-date count against its
  target in the first metric (ideas, usually), red when behind the period's share;
- submissions per quarter: a column per quarter for each metric.
"""

from __future__ import annotations

from html import escape

from .services import METRIC_LABELS

PALETTE = ["#0b57d0", "#c8102e", "#137333", "#b06000", "#7b1fa2"]
BLUE, RED, GREY = (11, 87, 208), (200, 16, 46), (232, 234, 237)


def progress_bars(review) -> list[tuple[str, float, bool, str]]:
    """(unit, share of the target done, behind?, "3/5") for the review's first metric."""
    if not review.metrics:
        return []
    metric = review.metrics[0]
    bars = []
    for row in review.rows:
        cell = row.cells.get(metric)
        if cell is None:
            continue
        share = min(cell.actual / cell.target, 1.0) if cell.target else 1.0
        bars.append((row.unit.name, share, cell.behind, f"{cell.actual}/{cell.target}"))
    return bars


def progress_svg(review, *, width: int = 720) -> str:
    bars = progress_bars(review)
    row, label_w, text_w = 26, 280, 70
    height = max(row * len(bars) + 10, 40)
    plot = width - label_w - text_w
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
             f'role="img" class="chart" font-family="sans-serif" font-size="13">']
    for i, (label, share, behind, text) in enumerate(bars):
        y = 5 + i * row
        colour = "#c8102e" if behind else "#0b57d0"
        parts.append(f'<text x="{label_w - 8}" y="{y + 17}" text-anchor="end">'
                     f'{escape(label[:40])}</text>'
                     f'<rect x="{label_w}" y="{y + 4}" width="{plot}" height="16" '
                     f'fill="#e8eaed"/>'
                     f'<rect x="{label_w}" y="{y + 4}" width="{plot * share:.1f}" height="16" '
                     f'fill="{colour}"/>'
                     f'<text x="{label_w + plot + 8}" y="{y + 17}">{escape(text)}</text>')
    parts.append("</svg>")
    return "".join(parts)


def quarters_svg(quarters: dict[str, list[int]], *, width: int = 720, height: int = 220) -> str:
    metrics = [m for m, values in quarters.items() if any(values)]
    if not metrics:
        return ""
    top = max(max(quarters[m]) for m in metrics) or 1
    left, legend, bottom = 36, 24, 24
    plot_h = height - legend - bottom - 8
    group = (width - left - 10) / 4
    bar = group * 0.8 / len(metrics)
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
             f'role="img" class="chart" font-family="sans-serif" font-size="12">',
             f'<text x="4" y="{legend + 10}">{top}</text>']
    for k, metric in enumerate(metrics):
        colour = PALETTE[k % len(PALETTE)]
        parts.append(f'<rect x="{left + k * 150}" y="4" width="12" height="12" '
                     f'fill="{colour}"/><text x="{left + k * 150 + 16}" y="14">'
                     f'{escape(str(METRIC_LABELS[metric]))}</text>')
    base = legend + 8 + plot_h
    for q in range(4):
        for k, metric in enumerate(metrics):
            h = plot_h * quarters[metric][q] / top
            x = left + q * group + group * 0.1 + k * bar
            parts.append(f'<rect x="{x:.1f}" y="{base - h:.1f}" width="{max(bar - 2, 1):.1f}" '
                         f'height="{h:.1f}" fill="{PALETTE[k % len(PALETTE)]}"/>')
        parts.append(f'<text x="{left + q * group + group / 2:.1f}" y="{height - 6}" '
                     f'text-anchor="middle">{("I", "II", "III", "IV")[q]}</text>')
    parts.append("</svg>")
    return "".join(parts)


def draw_progress(pdf, review, x: float, y: float, width: float) -> float:
    """Draw the per-unit progress bars into an fpdf2 document; returns the y below."""
    bars = progress_bars(review)
    label_w, text_w, row = 70.0, 18.0, 6.0
    plot = width - label_w - text_w
    pdf.set_font("Sans", "", 7.5)
    for i, (label, share, behind, text) in enumerate(bars):
        top = y + i * row
        if top > 270:
            pdf.add_page()
            y, top = 20 - i * row, 20
        pdf.set_xy(x, top)
        pdf.cell(label_w - 2, row - 1, label[:50], align="R")
        pdf.set_fill_color(*GREY)
        pdf.rect(x + label_w, top + 1, plot, row - 2.5, style="F")
        pdf.set_fill_color(*(RED if behind else BLUE))
        pdf.rect(x + label_w, top + 1, plot * share, row - 2.5, style="F")
        pdf.set_xy(x + label_w + plot + 1, top)
        pdf.cell(text_w, row - 1, text)
    return y + len(bars) * row + 4


def draw_quarters(pdf, quarters: dict[str, list[int]], x: float, y: float, width: float,
                  height: float = 45) -> float:
    metrics = [m for m, values in quarters.items() if any(values)]
    if not metrics:
        return y
    top = max(max(quarters[m]) for m in metrics) or 1
    colours = [tuple(int(c[k:k + 2], 16) for k in (1, 3, 5)) for c in PALETTE]
    pdf.set_font("Sans", "", 7)
    for k, metric in enumerate(metrics):
        pdf.set_fill_color(*colours[k % len(colours)])
        pdf.rect(x + k * 38, y, 3, 3, style="F")
        pdf.set_xy(x + k * 38 + 4, y - 0.5)
        pdf.cell(32, 4, str(METRIC_LABELS[metric])[:24])
    base = y + 6 + height
    group = width / 4
    bar = group * 0.8 / len(metrics)
    for q in range(4):
        for k, metric in enumerate(metrics):
            h = height * quarters[metric][q] / top
            pdf.set_fill_color(*colours[k % len(colours)])
            pdf.rect(x + q * group + group * 0.1 + k * bar, base - h, max(bar - 0.6, 0.2), h,
                     style="F")
            if quarters[metric][q]:
                pdf.set_xy(x + q * group + group * 0.1 + k * bar, base - h - 3.5)
                pdf.cell(bar, 3, str(quarters[metric][q]), align="C")
        pdf.set_xy(x + q * group, base + 1)
        pdf.cell(group, 3, ("I", "II", "III", "IV")[q], align="C")
    return base + 8

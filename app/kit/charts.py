"""Small SVG charts for analysts (histogram, scatter), drawn as plain inline SVG: no script,
nothing loaded from elsewhere, readable by screen readers through <title> and <desc>."""

from collections.abc import Sequence
from html import escape

from app.i18n import N_, translate

WIDTH, HEIGHT, PAD = 560, 260, 40


def _frame(title: str, description: str, body: list[str], x_label: str, y_label: str) -> str:
    return "\n".join(
        [
            # drawn size as width and height: the chart keeps it (not the page's full width,
            # 1,300 × 600 px on a 1366 screen) and shrinks on a narrow one
            f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" '
            f'width="{WIDTH}" height="{HEIGHT}" role="img" class="chart" '
            f'aria-label="{escape(title)}">',
            f"<title>{escape(title)}</title><desc>{escape(description)}</desc>",
            f'<line x1="{PAD}" y1="{HEIGHT - PAD}" x2="{WIDTH - 10}" y2="{HEIGHT - PAD}" '
            'stroke="#1d2733"/>',
            f'<line x1="{PAD}" y1="10" x2="{PAD}" y2="{HEIGHT - PAD}" stroke="#1d2733"/>',
            *body,
            f'<text x="{WIDTH / 2}" y="{HEIGHT - 8}" text-anchor="middle" font-size="12">'
            f"{escape(x_label)}</text>",
            f'<text x="12" y="{HEIGHT / 2}" text-anchor="middle" font-size="12" '
            f'transform="rotate(-90 12 {HEIGHT / 2})">{escape(y_label)}</text>',
            "</svg>",
        ]
    )


def histogram(
    values: Sequence[float],
    bins: int,
    low: float,
    high: float,
    title: str,
    x_label: str,
    y_label: str,
) -> str:
    counts = [0] * bins
    for value in values:
        index = min(bins - 1, max(0, int((value - low) / (high - low) * bins)))
        counts[index] += 1
    top = max(counts) or 1
    plot_w, plot_h = WIDTH - PAD - 10, HEIGHT - PAD - 10
    bar_w = plot_w / bins
    body = []
    for i, count in enumerate(counts):
        h = plot_h * count / top
        x = PAD + i * bar_w
        body.append(
            f'<rect x="{x:.1f}" y="{HEIGHT - PAD - h:.1f}" width="{bar_w - 2:.1f}" '
            f'height="{h:.1f}" fill="#0b5394"><title>{count}</title></rect>'
        )
    for i in range(0, bins + 1, max(1, bins // 5)):
        value = low + (high - low) * i / bins
        body.append(
            f'<text x="{PAD + i * bar_w:.1f}" y="{HEIGHT - PAD + 14}" font-size="11" '
            f'text-anchor="middle">{value:g}</text>'
        )
    body.append(f'<text x="{PAD - 4}" y="16" font-size="11" text-anchor="end">{top}</text>')
    description = translate(N_("%(n)s values in %(bins)s bins from %(low)s to %(high)s")) % {
        "n": len(values),
        "bins": bins,
        "low": f"{low:g}",
        "high": f"{high:g}",
    }
    return _frame(title, description, body, x_label, y_label)


def scatter(
    points: Sequence[tuple[float, float, str]],
    x_range: tuple[float, float],
    y_range: tuple[float, float],
    title: str,
    x_label: str,
    y_label: str,
) -> str:
    plot_w, plot_h = WIDTH - PAD - 10, HEIGHT - PAD - 10
    (x0, x1), (y0, y1) = x_range, y_range
    body = []
    for x, y, label in points:
        cx = PAD + plot_w * (min(max(x, x0), x1) - x0) / (x1 - x0)
        cy = HEIGHT - PAD - plot_h * (min(max(y, y0), y1) - y0) / (y1 - y0)
        body.append(
            f'<circle cx="{cx:.1f}" cy="{cy:.1f}" r="4" fill="#0b5394" fill-opacity="0.7">'
            f"<title>{escape(label)}: {x:.0f}, {y:.0f}</title></circle>"
        )
    body += _x_ticks(x0, x1)
    for value in (y0, (y0 + y1) / 2, y1):
        y = HEIGHT - PAD - plot_h * (value - y0) / (y1 - y0)
        body.append(
            f'<text x="{PAD - 4}" y="{y + 4:.1f}" font-size="11" text-anchor="end">{value:g}</text>'
        )
    description = translate(N_("%(n)s items")) % {"n": len(points)}
    return _frame(title, description, body, x_label, y_label)


def _x_ticks(x0: float, x1: float) -> list[str]:
    """The x axis' ends and middle, labelled."""
    plot_w = WIDTH - PAD - 10
    return [
        f'<text x="{PAD + plot_w * (value - x0) / (x1 - x0):.1f}" y="{HEIGHT - PAD + 14}" '
        f'font-size="11" text-anchor="middle">{value:g}</text>'
        for value in (x0, (x0 + x1) / 2, x1)
    ]


COLOURS = ("#0b5394", "#b45f06", "#38761d", "#741b47", "#134f5c", "#7f6000")


def lines(
    series: Sequence[tuple[str, Sequence[float], Sequence[float]]],
    x_range: tuple[float, float],
    title: str,
    x_label: str,
    y_label: str,
) -> str:
    """Curves (label, xs, ys) on one axis from 0 to the highest y; a legend names them."""
    plot_w, plot_h = WIDTH - PAD - 10, HEIGHT - PAD - 10
    (x0, x1), top = x_range, max((max(ys) for _, _, ys in series if len(ys)), default=1.0) or 1.0
    body, at = [], translate(N_("at"))
    for i, (label, xs, ys) in enumerate(series):
        colour = COLOURS[i % len(COLOURS)]
        points = " ".join(
            f"{PAD + plot_w * (x - x0) / (x1 - x0):.1f},{HEIGHT - PAD - plot_h * y / top:.1f}"
            for x, y in zip(xs, ys, strict=True)
        )
        peak = max(range(len(ys)), key=lambda k: ys[k]) if len(ys) else 0
        body.append(
            f'<polyline points="{points}" fill="none" stroke="{colour}" stroke-width="2">'
            f"<title>{escape(label)}: {ys[peak]:.2f} {at} {escape(x_label)} {xs[peak]:g}"
            "</title></polyline>"
            if len(ys)
            else ""
        )
        body.append(
            f'<text x="{WIDTH - 14}" y="{20 + 14 * i}" font-size="11" text-anchor="end" '
            f'fill="{colour}">{escape(label)}</text>'
        )
    body += _x_ticks(x0, x1)
    body.append(f'<text x="{PAD - 4}" y="16" font-size="11" text-anchor="end">{top:.1f}</text>')
    names = ", ".join(label for label, _, _ in series)
    description = translate(N_("%(n)s curves: %(names)s")) % {"n": len(series), "names": names}
    return _frame(title, description, body, x_label, y_label)

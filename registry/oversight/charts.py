"""A small server-rendered SVG line chart (no script, no CDN: the CSP allows neither)."""

from __future__ import annotations

from markupsafe import Markup, escape

WIDTH, HEIGHT = 720, 260
LEFT, RIGHT, TOP, BOTTOM = 48, 16, 16, 40


def rate_chart(series: list[tuple[str, float | None, int]], title: str, no_data: str) -> Markup:
    """A line of percentages over months; months with nothing due leave a gap and say so."""
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    step = plot_w / max(len(series) - 1, 1)
    parts = [f'<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-label="{escape(title)}" '
             f'xmlns="http://www.w3.org/2000/svg"><title>{escape(title)}</title>']
    for percent in (0, 25, 50, 75, 100):
        y = TOP + plot_h * (1 - percent / 100)
        parts.append(f'<line x1="{LEFT}" y1="{y:.1f}" x2="{WIDTH - RIGHT}" y2="{y:.1f}" stroke="#ddd"/>')
        parts.append(f'<text x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end" font-size="11" fill="#555">'
                     f'{percent}%</text>')
    segment: list[str] = []
    segments = []
    for index, (label, rate, due) in enumerate(series):
        x = LEFT + step * index
        parts.append(f'<text x="{x:.1f}" y="{HEIGHT - BOTTOM + 18}" text-anchor="middle" font-size="11" '
                     f'fill="#555">{escape(label[2:])}</text>')
        if rate is None:
            if segment:
                segments.append(segment)
            segment = []
            parts.append(f'<text x="{x:.1f}" y="{TOP + plot_h - 4}" text-anchor="middle" font-size="10" '
                         f'fill="#999"><title>{escape(label)}: {escape(no_data)}</title>–</text>')
            continue
        y = TOP + plot_h * (1 - rate)
        segment.append(f"{x:.1f},{y:.1f}")
        parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="4" fill="#c8161d"><title>{escape(label)}: '
                     f'{rate * 100:.1f}% ({due})</title></circle>')
    if segment:
        segments.append(segment)
    for points in segments:
        if len(points) > 1:
            parts.insert(1, f'<polyline fill="none" stroke="#c8161d" stroke-width="2" points="{" ".join(points)}"/>')
    parts.append("</svg>")
    return Markup("".join(parts))

# SPDX-License-Identifier: BSD-2-Clause-Patent
"""Hand-written SVG line plot: coverage over time, one line per engine."""
import html

COLORS = {"libfuzzer": "#2563eb", "afl++": "#dc2626"}


def write_svg(path, title, series, labels, w=640, h=300):
    """series: {engine: [(seconds, value), ...]} on one absolute scale (libFuzzer's
    cov and AFL++'s edges_found count different instrumentation: compare shapes)."""
    left, right, top, bottom = 56, 20, 34, 58
    pw, ph = w - left - right, h - top - bottom
    tmax = max([t for pts in series.values() for t, _ in pts] + [1])
    vmax = max([v for pts in series.values() for _, v in pts] + [1])
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" viewBox="0 0 {w} {h}" '
           f'font-family="sans-serif" font-size="11">',
           f'<rect width="{w}" height="{h}" fill="#fff"/>',
           f'<text x="{left}" y="20" font-size="14" font-weight="bold">{html.escape(title)}: coverage over time</text>',
           f'<line x1="{left}" y1="{top + ph}" x2="{left + pw}" y2="{top + ph}" stroke="#555"/>',
           f'<line x1="{left}" y1="{top}" x2="{left}" y2="{top + ph}" stroke="#555"/>']
    for i in range(5):
        x = left + pw * i / 4
        out.append(f'<text x="{x:.0f}" y="{top + ph + 14}" text-anchor="middle">{tmax * i / 4:.0f}s</text>')
    out.append(f'<text x="{left + pw / 2:.0f}" y="{top + ph + 28}" text-anchor="middle">seconds</text>')
    out.append(f'<text x="14" y="{top + ph / 2:.0f}" transform="rotate(-90 14 {top + ph / 2:.0f})" '
               f'text-anchor="middle">edges covered</text>')
    for i in range(5):
        y = top + ph - ph * i / 4
        out.append(f'<text x="{left - 4}" y="{y + 4:.0f}" text-anchor="end">{vmax * i / 4:.0f}</text>')
    legend_y = h - 10
    for k, (engine, pts) in enumerate(sorted(series.items())):
        color = COLORS.get(engine, "#333")
        coords = " ".join(f"{left + pw * t / tmax:.1f},{top + ph - ph * v / vmax:.1f}" for t, v in pts)
        if pts:
            out.append(f'<polyline fill="none" stroke="{color}" stroke-width="2" points="{coords}"/>')
            out += [f'<circle cx="{c.split(",")[0]}" cy="{c.split(",")[1]}" r="2.5" fill="{color}"/>'
                    for c in coords.split()]
        final = pts[-1][1] if pts else "no samples"
        out.append(f'<rect x="{left + k * 300}" y="{legend_y - 9}" width="12" height="4" fill="{color}"/>')
        out.append(f'<text x="{left + k * 300 + 16}" y="{legend_y - 4}">{html.escape(labels.get(engine, engine))}: '
                   f'{final}</text>')
    out.append("</svg>")
    with open(path, "w") as f:
        f.write("\n".join(out) + "\n")

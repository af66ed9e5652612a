"""A dependency-free SVG line plot for the benchmark's calibration figures (the venvs carry no
plotting library)."""
from pathlib import Path

COLOURS = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd"]


def line_plot(path: Path, title, xlabel, ylabel, series, width=640, height=400):
    """series: name → (xs, ys)."""
    data = {name: (list(map(float, a)), list(map(float, b))) for name, (a, b) in series.items()}
    xs = [x for a, _ in data.values() for x in a]
    ys = [y for _, b in data.values() for y in b]
    x0, x1, y0, y1 = min(xs), max(xs), min(ys), max(ys)
    left, right, top, bottom = 70, 20, 40, 50
    sx = lambda x: left + (x - x0) / ((x1 - x0) or 1) * (width - left - right)  # noqa: E731
    sy = lambda y: height - bottom - (y - y0) / ((y1 - y0) or 1) * (height - top - bottom)  # noqa: E731
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" font-family="sans-serif" font-size="12">',
           '<rect width="100%" height="100%" fill="white"/>',
           f'<text x="{width / 2}" y="20" text-anchor="middle" font-size="14">{title}</text>',
           f'<text x="{width / 2}" y="{height - 10}" text-anchor="middle">{xlabel}</text>',
           f'<text x="15" y="{height / 2}" text-anchor="middle" transform="rotate(-90 15 {height / 2})">{ylabel}</text>',
           f'<rect x="{left}" y="{top}" width="{width - left - right}" height="{height - top - bottom}" fill="none" stroke="#888"/>']
    for i in range(5):
        fx, fy = x0 + (x1 - x0) * i / 4, y0 + (y1 - y0) * i / 4
        out.append(f'<text x="{sx(fx):.1f}" y="{height - bottom + 15}" text-anchor="middle">{fx:.3g}</text>')
        out.append(f'<text x="{left - 5}" y="{sy(fy) + 4:.1f}" text-anchor="end">{fy:.3g}</text>')
    for i, (name, (a, b)) in enumerate(data.items()):
        colour = COLOURS[i % len(COLOURS)]
        step = max(1, len(a) // 400)
        points = " ".join(f"{sx(x):.1f},{sy(y):.1f}" for x, y in list(zip(a, b))[::step])
        dash = ' stroke-dasharray="5,3"' if "generated" in name else ""
        out.append(f'<polyline points="{points}" fill="none" stroke="{colour}" stroke-width="1.5"{dash}/>')
        out.append(f'<text x="{left + 10}" y="{top + 15 + 15 * i}" fill="{colour}">{name}</text>')
    out.append("</svg>")
    path.write_text("\n".join(out) + "\n")

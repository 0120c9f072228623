"""Statistics charts as SVG, drawn by pygal, for an <img> in the PWA next to the same figures as a table.

What pygal would add and an image must not have is taken out: its configuration <script> (`js=[]` leaves
that one in) and its comments, which carry its web addresses; nothing refers outside the file. Text is dark
on white (every text colour ≥ 4.5:1), the second series is told apart by a hatch (bars) or dashes (lines)
and by its place in the legend, not by colour alone, and the root has role="img" with a <title> and a <desc>.
"""

from __future__ import annotations

from typing import Any

import pygal
from pygal.style import Style

from server.domain.charts import Chart, Kind

BACKGROUND = "#ffffff"
TEXT = "#1a1a1a"  # labels and legend: 17.4:1 on white
STRONG = "#000000"  # titles
SUBTLE = "#595959"  # guide lines, and the few texts pygal draws in this colour: 7.0:1 on white
SERIES = ("#1f4e79", "#a34700")  # dark blue (8.7:1 on white), dark orange (6.1:1), the orange also hatched
HATCH_ID = "apuri-hatch"

_STYLE = {
    "background": BACKGROUND,
    "plot_background": BACKGROUND,
    "foreground": TEXT,
    "foreground_strong": STRONG,
    "foreground_subtle": SUBTLE,
    "colors": SERIES,
    "opacity": "1",
    "opacity_hover": "1",
    "stroke_opacity": "1",
    "stroke_opacity_hover": "1",
    "transition": "none",
    "font_family": "system-ui, 'Segoe UI', Roboto, Arial, sans-serif",
    "title_font_size": 20,
    "legend_font_size": 15,
    "label_font_size": 14,
    "major_label_font_size": 14,
    "no_data_font_size": 28,
}
_BARS = Style(**_STYLE)
_LINES = Style(**_STYLE | {"stroke_width": "3", "stroke_width_hover": "3"})
_HATCH = (
    f'<pattern id="{HATCH_ID}" width="8" height="8" patternUnits="userSpaceOnUse" patternTransform="rotate(45)">'
    f'<rect width="8" height="8" fill="{BACKGROUND}"/><rect width="4" height="8" fill="{SERIES[1]}"/></pattern>'
)
# pygal prefixes its own rules with the chart's id, so these need !important to win.
_HATCHED = (
    "inline:.series.serie-1 .rect, .legend .color-1 "
    f"{{fill: url(#{HATCH_ID}) !important; stroke: {SERIES[1]} !important; stroke-width: 1.5px !important}}"
)
# Light, solid grid lines: they help reading values off, but must not compete with the data.
_GRID = "inline:.axis .guide.line, .axis .major.line {stroke: #c4c4c4 !important; stroke-dasharray: none !important}"
_CSS = ["file://style.css", "file://graph.css", _GRID]
WIDTH = 800
# Sent with the chart instead of the app's policy: its only style is inline, and nothing else may load or run.
CHART_CSP = "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"


def _graph(chart: Chart) -> Any:
    rows = len(chart.labels)
    many = rows > 16
    common: dict[str, Any] = {
        "style": _LINES if chart.kind is Kind.LINE else _BARS,
        "css": _CSS,
        "js": [],
        "title": chart.title,
        # A horizontal bar chart has its values along the bottom and its labels at the side.
        "x_title": (chart.y_title if chart.kind is Kind.ROWS else chart.x_title) or None,
        "y_title": (chart.x_title if chart.kind is Kind.ROWS else chart.y_title) or None,
        "no_data_text": chart.no_data,
        "width": WIDTH,
        "height": max(420, 140 + 34 * rows) if chart.kind is Kind.ROWS else 420,
        "explicit_size": True,
        "legend_at_bottom": True,
        "legend_at_bottom_columns": 1 if chart.kind is Kind.ROWS else 2,
        "show_legend": len(chart.series) > 1,
        "truncate_label": -1,
        "truncate_legend": -1,
        "print_values": False,
        "include_x_axis": True,
        "min_scale": 3,
    }
    if chart.kind is Kind.LINE:
        return pygal.Line(
            **common,
            dots_size=3,
            show_minor_x_labels=not many,
            x_labels_major_every=4 if many else None,
            allow_interruptions=True,
        )
    hatched = common | {"defs": [_HATCH], "css": [*_CSS, _HATCHED]}
    if chart.kind is Kind.ROWS:
        return pygal.HorizontalBar(**hatched)
    return pygal.Bar(**hatched, x_label_rotation=30 if rows > 6 else 0)


def svg(chart: Chart) -> bytes:
    """The chart as a standalone SVG document (UTF-8); a chart with nothing to show says so."""
    graph = _graph(chart)
    # pygal draws a horizontal bar chart's first label at the bottom; the reader expects it on top.
    order = slice(None, None, -1) if chart.kind is Kind.ROWS else slice(None)
    graph.x_labels = list(chart.labels)[order]
    for index, series in enumerate(chart.series):
        values = [] if chart.empty else list(series.values)[order]
        if chart.kind is Kind.LINE:
            graph.add(series.name, values, stroke_style={"dasharray": "8,5"} if index else None)
        else:
            graph.add(series.name, values)
    graph.add_xml_filter(lambda root: _accessible(_without_scripts(root), chart))
    rendered = graph.render()
    return rendered if isinstance(rendered, bytes) else rendered.encode("utf-8")


def _local(tag: object) -> str:
    """An element's tag without its namespace (pygal builds its tree with lxml when that is installed)."""
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _without_scripts(root: Any) -> Any:
    """No <script> (pygal's configuration for its tooltips) and no comments (its version and web addresses)."""
    for parent in list(root.iter()):
        for child in list(parent):
            if _local(child.tag) == "script" or not isinstance(child.tag, str):
                parent.remove(child)
    return root


def _accessible(root: Any, chart: Chart) -> Any:
    """role="img" named by the chart's <title> and described by a <desc> right after it, in its language."""
    children = list(root)
    title = next(c for c in children if _local(c.tag) == "title")
    prefix = title.tag[: -len("title")]
    title.set("id", "chart-title")
    desc = root.makeelement(prefix + "desc", {"id": "chart-desc"})
    desc.text = chart.description
    root.insert(children.index(title) + 1, desc)
    root.set("role", "img")
    root.set("aria-labelledby", "chart-title chart-desc")
    root.set("lang", chart.language)
    return root

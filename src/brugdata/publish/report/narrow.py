"""The charts' phone layout: each Vega-Lite spec redrawn one panel under the other, narrow
enough for a 400 px screen, so that the page never shrinks a chart (and its text) to fit.

Below 600 px the page draws these specs instead of the wide ones (``templates/runner.js``).
The change is made on the spec as a dict: panels side by side (``hconcat``, a ``column``
facet, a wrapped facet) go under each other, plots get a narrower width, legends move below
the plot, long labels on a nominal y axis wrap onto several lines, those of a nominal x axis
slant, and long titles wrap. Nothing is left out: the data (``datasets``) is the wide spec's,
shared in the page.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

__all__ = ["NARROW_BELOW", "NARROW_ROOM", "narrow_spec"]

#: Screen width (px) below which the page draws the narrow specs.
NARROW_BELOW = 600

#: The widest a narrow chart may be drawn (px): a 400 px screen less the page's margins.
NARROW_ROOM = 370

#: The plot width (px) of a panel in the narrow layout (labels and legends come beside it).
_PLOT = 170

#: Characters per line of a wrapped y-axis label (about 130 px at 11 px).
_WRAP = 24

#: The height (px) of a y category whose label may take two lines.
_LINES_STEP = 28

#: The side (px) of a square plot (the network) in the narrow layout: its legends go below.
_SQUARE = 300

#: Characters per line of a wrapped chart title (14 px bold: about 340 px).
_TITLE_WRAP = 40

#: A Vega expression that breaks a label into lines of at most ``_WRAP`` characters, at
#: spaces (a longer word stays whole on its line).
_WRAPPED = (
    f"split(trim(replace(datum.label, regexp('(.{{1,{_WRAP}}})(\\\\s+|$)', 'g'), '$1\\n')), '\\n')"
)


def narrow_spec(spec: Mapping[str, Any]) -> dict[str, Any]:
    """The phone layout of a top-level Vega-Lite ``spec``, without its ``datasets`` (the page
    gives it the wide spec's)."""
    narrow = copy.deepcopy({k: v for k, v in spec.items() if k != "datasets"})
    _narrow(narrow)
    config = narrow.setdefault("config", {})
    legend = config.setdefault("legend", {})
    legend.update(orient="bottom", direction="vertical", labelLimit=NARROW_ROOM - 40)
    config.setdefault("axis", {})["labelSeparation"] = 4  # crowded tick labels: some left out
    return narrow


def _narrow(node: Any, layered: bool = False) -> None:
    """Narrow ``node`` and every view inside it, in place (``layered``: a layer of a view,
    which takes its size from that view)."""
    if isinstance(node, list):
        for item in node:
            _narrow(item, layered)
        return
    if not isinstance(node, dict):
        return
    if "hconcat" in node:
        node["vconcat"] = node.pop("hconcat")
    if "concat" in node:
        node["columns"] = 1
    _wrap_title(node)
    facet = node.get("facet")
    if isinstance(facet, dict):
        if "column" in facet:
            facet["row"] = facet.pop("column")
        elif "field" in facet:  # a wrapped facet: one panel a row
            node["columns"] = 1
        if isinstance(facet.get("row"), dict):  # each panel is titled: no title beside them
            facet["row"]["title"] = None
    encoding = node.get("encoding")
    if isinstance(encoding, dict):
        if "column" in encoding:
            encoding["row"] = encoding.pop("column")
        if "facet" in encoding:
            encoding["facet"]["columns"] = 1
        _slant_labels(encoding)
        if _wrap_labels(encoding) and "yOffset" not in encoding:
            height = node.get("height")
            step = height.get("step", 0) if isinstance(height, dict) else None
            if height is None or (step is not None and step < _LINES_STEP):
                node["height"] = {"step": _LINES_STEP}  # room for a label of two lines
    width = node.get("width")
    if isinstance(width, int | float) and width > _PLOT:
        height = node.get("height")
        if height == width:  # a square plot (the network, its legends below): stays square
            node["width"] = node["height"] = min(width, _SQUARE)
        else:
            node["width"] = _PLOT
    elif width is None and not layered and _is_view(node) and not _has_x_step(node):
        node["width"] = _PLOT
    for key in ("vconcat", "layer", "spec", "concat"):
        if key in node:
            _narrow(node[key], layered=key == "layer")


def _wrap_title(node: dict[str, Any]) -> None:
    """The view's title broken into lines that fit the narrow width (Vega draws a list of
    strings as lines)."""
    title = node.get("title")
    if isinstance(title, str):
        node["title"] = _lines(title, _TITLE_WRAP)
    elif isinstance(title, dict) and isinstance(title.get("text"), str):
        title["text"] = _lines(title["text"], _TITLE_WRAP)


def _lines(text: str, width: int) -> str | list[str]:
    """``text`` as lines of at most ``width`` characters, broken at spaces (one line: the
    text itself)."""
    import textwrap

    lines = textwrap.wrap(text, width, break_long_words=False) or [text]
    return lines[0] if len(lines) == 1 else lines


def _is_view(node: Mapping[str, Any]) -> bool:
    """Whether ``node`` is a single view (a mark, or layers of marks)."""
    return "mark" in node or "layer" in node


def _has_x_step(node: Mapping[str, Any]) -> bool:
    """Whether the view's width follows its x categories (a discrete x: it sets its width)."""
    x = node.get("encoding", {}).get("x") if isinstance(node.get("encoding"), dict) else None
    return isinstance(x, dict) and x.get("type") in ("nominal", "ordinal")


def _slant_labels(encoding: dict[str, Any]) -> None:
    """The labels of a nominal x axis (its categories side by side) slanted, so that they do
    not run into each other on the narrow plot."""
    x = encoding.get("x")
    if not isinstance(x, dict) or x.get("type") not in ("nominal", "ordinal"):
        return
    if "axis" in x and x["axis"] is None:
        return
    x["axis"] = {**(x.get("axis") or {}), "labelAngle": -45, "labelAlign": "right"}


def _wrap_labels(encoding: dict[str, Any]) -> bool:
    """Long labels of a nominal y axis wrapped onto lines (an axis that is drawn); whether
    there is such an axis."""
    y = encoding.get("y")
    if not isinstance(y, dict) or y.get("type") not in ("nominal", "ordinal"):
        return False
    if "axis" in y and y["axis"] is None:
        return False
    axis = dict(y.get("axis") or {})
    axis.update(labelExpr=_WRAPPED, labelLimit=_WRAP * 8)
    y["axis"] = axis
    return True

"""Named datasets written into a chart's spec as they are (imported with altair, when a chart
is made).

A chart drawn from a frame per layer is written by altair at a cost that grows with its rows:
it names each frame's rows by the SHA-256 of their JSON, and hashes each layer again to name
its panel. The network of the 10M-contact benchmark (29 pilots, 32,000 edges, 8.7 MB of
JSON) took 0.4 s to write that way, on the report's one Python thread; drawn from
:class:`Datasets` it takes a tenth of that. Its layers name their data (``alt.NamedData``)
and the chart holds the rows.
"""

from __future__ import annotations

from typing import Any

import altair as alt

__all__ = ["Datasets"]

Rows = dict[str, list[dict[str, Any]]]


class Datasets(alt.SchemaBase):  # type: ignore[misc]
    """A chart's top-level ``datasets``: name → rows of JSON values (None, bool, int, float,
    str), handed to the spec as they are: altair neither converts nor copies them, value by
    value (it would, as it does with any dict it is given). Never changed once made."""

    _schema = {"type": "object"}
    _class_is_valid_at_instantiation = False

    def __init__(self, rows: Rows) -> None:
        super().__init__(rows)

    def to_dict(self, validate: bool = True, *, ignore: Any = None, context: Any = None) -> Rows:
        """The datasets (a new mapping of the same rows: altair adds its own to it)."""
        return dict(self._args[0])

    def __deepcopy__(self, memo: Any) -> Datasets:
        return self  # the rows are never changed: a copy of a chart shares them

"""The report's words and how it writes values: the labels (``labels.toml``, Dutch and
English), a value as cell text by kind (with :func:`brugdata.display.number`), intervals,
dates and lists."""

from __future__ import annotations

import datetime as dt
import math
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from importlib.resources import files
from typing import Any

import polars as pl

from brugdata.display import Lang, number, percent

__all__ = ["Lang", "Texts", "check_lang", "ci", "fmt", "isnum", "join", "labels", "pilots_in"]

_MONTHS = {
    "nl": [
        "januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus",
        "september", "oktober", "november", "december",
    ],
    "en": [
        "January", "February", "March", "April", "May", "June", "July", "August",
        "September", "October", "November", "December",
    ],
}  # fmt: skip


@cache
def labels() -> dict[str, Any]:
    """The report's labels (``labels.toml``): tables of ``{nl, en}`` texts by key."""
    text = files("brugdata.publish.report").joinpath("labels.toml").read_text(encoding="utf-8")
    return tomllib.loads(text)


def check_lang(lang: str) -> Lang:
    """``lang`` when it is ``"nl"`` or ``"en"``; ValueError otherwise."""
    if lang not in ("nl", "en"):
        raise ValueError(f"lang must be 'nl' or 'en', not {lang!r}")
    return lang  # type: ignore[return-value]


def isnum(v: Any) -> bool:
    """True for an int or float that is not a bool nor NaN."""
    return (
        isinstance(v, (int, float))
        and not isinstance(v, bool)
        and not (isinstance(v, float) and math.isnan(v))
    )


def fmt(v: Any, kind: str, lang: Lang) -> str:
    """A cell value as text. Kinds: int, dec1, dec2, pct (a percentage), frac (a fraction
    shown as a percentage), p (a p-value), text. A value that is not a number (a transform may
    put text such as "<10" in its place) is shown as it is; null as an en dash."""
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return "–"
    if isinstance(v, (list, tuple)):
        return ", ".join(fmt(x, kind, lang) for x in v)
    if not isnum(v) or kind == "text":
        return str(v)
    if kind == "int":
        return number(v, lang, 0 if float(v).is_integer() else 1)
    if kind == "dec1":
        return number(v, lang, 1)
    if kind == "dec2":
        return number(v, lang, 2)
    if kind == "pct":
        return percent(v, lang, 1)
    if kind == "frac":
        return percent(100 * v, lang, 0)
    if kind == "p":
        return "p < " + number(0.001, lang, 3) if v < 0.001 else "p = " + number(v, lang, 3)
    return str(v)


def ci(low: Any, high: Any, lang: Lang, *, frac: bool = False) -> str:
    """A 95% interval as "15,8–20,0" (fractions as percentages when ``frac``)."""
    if low is None and high is None:
        return "–"
    if isnum(low) and isnum(high):
        scale = 100 if frac else 1
        return f"{number(low * scale, lang, 1)}–{number(high * scale, lang, 1)}"
    return f"{fmt(low, 'text', lang)}–{fmt(high, 'text', lang)}"


def date(day: dt.date, lang: Lang) -> str:
    """A day as "6 december 2026" (nl) or "6 December 2026" (en)."""
    return f"{day.day} {_MONTHS[lang][day.month - 1]} {day.year}"


def join(items: Sequence[str], lang: Lang) -> str:
    """Items as "a, b en c" ("a, b and c" in English)."""
    if len(items) <= 1:
        return "".join(items)
    word = labels()["text"]["and"][lang]
    return ", ".join(items[:-1]) + f" {word} " + items[-1]


def pilots_in(frame: pl.DataFrame, pilots: Sequence[str]) -> list[str]:
    """The pilots of ``frame``: those of ``pilots`` first, in their order, then any other."""
    if "pilot" not in frame.columns:
        return []
    present = [p for p in dict.fromkeys(frame["pilot"].to_list()) if p is not None]
    return [p for p in pilots if p in present] + [p for p in present if p not in pilots]


@dataclass(frozen=True)
class Texts:
    """The labels and value formats of one language; ``pilot_names`` are the store's own
    display names of its pilots (its ``pilots`` table), before the shipped ones."""

    lang: Lang
    pilot_names: Mapping[str, Mapping[str, str]] = field(default_factory=dict)

    def t(self, key: str, **kw: Any) -> str:
        """A text of ``[text]``, its placeholders filled from ``kw``."""
        text: str = labels()["text"][key][self.lang]
        return text.format(**kw) if kw else text

    def col(self, key: str) -> str:
        """A column header of ``[column]``."""
        text: str = labels()["column"][key][self.lang]
        return text

    def r(self, key: str, **kw: Any) -> str:
        """A reading sentence of ``[reading]``, its placeholders filled from ``kw``."""
        text: str = labels()["reading"][key][self.lang]
        return text.format(**kw)

    def caption(self, chart: str) -> str:
        """The caption of chart ``chart``."""
        text: str = labels()["caption"][chart][self.lang]
        return text

    def fmt(self, v: Any, kind: str) -> str:
        """``v`` as text (see :func:`fmt`)."""
        return fmt(v, kind, self.lang)

    def ci(self, low: Any, high: Any, *, frac: bool = False) -> str:
        """A 95% interval as text (see :func:`ci`)."""
        return ci(low, high, self.lang, frac=frac)

    def join(self, items: Sequence[str]) -> str:
        """Items as "a, b en c"."""
        return join(items, self.lang)

    def date(self, day: dt.date) -> str:
        """A day as "6 december 2026"."""
        return date(day, self.lang)

    def unknown(self, row: Mapping[str, Any], column: str, kind: str) -> str:
        """The formatted value, or "unknown" where it is null."""
        value = row.get(column)
        return self.t("unknown") if value is None else self.fmt(value, kind)

    def share(self, row: Mapping[str, Any], share: str, count: str) -> str:
        """The fraction ``row[share]`` as a percentage; where the transform hid it, what it
        shows for the count it is made from (``<10``, ``x``), else an en dash."""
        value = row.get(share)
        hidden = row.get(count)
        if value is None and hidden is not None and not isnum(hidden):
            try:
                float(str(hidden))
            except ValueError:
                return str(hidden)
        return self.fmt(value, "frac")

    def pilot(self, pilot: Any) -> str:
        """A pilot's display name in the report's language (the store's ``pilots`` table,
        else ``model/data/pilots.toml``; the code where it has none), an en dash for none."""
        from brugdata.model.pilots import pilot_name

        return pilot_name(pilot, self.lang, self.pilot_names)

    def partner_kind(self, kind: Any) -> str:
        """A partner kind's label, "unknown" for none."""
        from brugdata.model.vocab import label

        return self.t("unknown") if kind is None else label("partner_kind", str(kind), self.lang)

    def source_column(self, pilot: Any, source: Any) -> str:
        """A time-use column: the pilot, marked when derived from contact durations."""
        name = self.pilot(pilot)
        return f"{name} ({self.t('from_contacts')})" if source == "contacts" else name

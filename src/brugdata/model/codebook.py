"""A codebook for open questionnaire answers: tag each answer with codes, count the codes.

The codebook is data: ``brugdata/data/codebook.toml`` (or a file of your own in the same
format). Each code has Dutch and English labels, a description and Dutch ``keywords`` and
``phrases``. An answer gets every code whose keyword or phrase it contains, compared on
*normalised* text: lower case, accents removed, apostrophes dropped, every other character that
is not a letter or digit read as a space. Keywords match whole words; a ``*`` at the end of a
word matches every word starting with it (``wacht*``: wachten, wachttijd, wachtlijsten). A
phrase matches its words next to each other, in order.

Answers no code matches are never dropped: :func:`tag_answers` keeps them with code null,
:func:`code_counts` counts them in a row with code null and :func:`untagged_answers` lists them.
"""

from __future__ import annotations

import re
import tomllib
import unicodedata
from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from pathlib import Path
from typing import Any

import polars as pl

from brugdata.errors import BrugdataError
from brugdata.model.vocab import Lang

__all__ = [
    "AnswerCode",
    "Codebook",
    "load_codebook",
    "normalise",
    "tag_answers",
]

_ANSWER_COLUMNS = ("officer_id", "pilot", "school_year", "relation", "kind", "text")
_NON_ALNUM = re.compile(r"[^a-z0-9*]+")


def normalise(text: str) -> str:
    """``text`` as the codebook compares it: lower case, no accents or apostrophes, runs of
    other non-letters and non-digits as one space (``"Taalbarrière!"`` → ``"taalbarriere"``)."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    plain = plain.replace("'", "").replace("’", "").replace("`", "")
    return _NON_ALNUM.sub(" ", plain.replace("*", " ")).strip()


def _term_pattern(term: str) -> str:
    """A regex for one keyword or phrase (whole words; ``*`` ends a word as a prefix)."""
    decomposed = unicodedata.normalize("NFKD", term.lower())
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    plain = plain.replace("'", "").replace("’", "").replace("`", "")
    words = [w for w in _NON_ALNUM.sub(" ", plain).split(" ") if w]
    parts = []
    for word in words:
        stem = word.rstrip("*")
        if not stem:
            continue
        parts.append(re.escape(stem) + ("[a-z0-9]*" if word.endswith("*") else ""))
    if not parts:
        raise BrugdataError(f"codebook: the keyword {term!r} has no letters or digits")
    return r"\b" + " ".join(parts) + r"\b"


@dataclass(frozen=True)
class AnswerCode:
    """One code of the codebook."""

    code: str
    nl: str
    en: str
    description: str = ""
    keywords: tuple[str, ...] = ()
    phrases: tuple[str, ...] = ()

    def label(self, lang: Lang = "nl") -> str:
        """The label in ``lang``."""
        return self.nl if lang == "nl" else self.en

    @property
    def pattern(self) -> str:
        """One regular expression (on normalised text) matching any keyword or phrase."""
        return "|".join(f"(?:{_term_pattern(t)})" for t in (*self.keywords, *self.phrases))


@dataclass(frozen=True)
class Codebook:
    """The codes, in file order; :meth:`match` tags one text."""

    codes: tuple[AnswerCode, ...]
    path: str = ""

    @property
    def code_list(self) -> list[str]:
        """The codes, in file order."""
        return [c.code for c in self.codes]

    def label(self, code: str | None, lang: Lang = "nl") -> str:
        """The label of ``code`` in ``lang``; "(geen code)" / "(no code)" for None."""
        if code is None:
            return "(geen code)" if lang == "nl" else "(no code)"
        for c in self.codes:
            if c.code == code:
                return c.label(lang)
        return code

    def match(self, text: str | None) -> list[str]:
        """The codes whose keywords or phrases ``text`` contains, in codebook order."""
        if not text:
            return []
        plain = normalise(text)
        return [c.code for c in self.codes if re.search(c.pattern, plain)]


def _entry(raw: dict[str, Any], where: str) -> AnswerCode:
    code = raw.get("code")
    if not isinstance(code, str) or not re.fullmatch(r"[a-z][a-z0-9_]*", code):
        raise BrugdataError(f"{where}: every [[code]] needs a code in snake_case, not {code!r}")
    keywords = tuple(raw.get("keywords", ()))
    phrases = tuple(raw.get("phrases", ()))
    if not keywords and not phrases:
        raise BrugdataError(f"{where}: code {code!r} has no keywords or phrases")
    for term in (*keywords, *phrases):
        if not isinstance(term, str):
            raise BrugdataError(f"{where}: code {code!r}: keywords and phrases must be text")
    entry = AnswerCode(
        code=code,
        nl=str(raw.get("nl", code)),
        en=str(raw.get("en", code)),
        description=str(raw.get("description", "")),
        keywords=keywords,
        phrases=phrases,
    )
    entry.pattern  # noqa: B018 (compile check: a keyword without letters raises here)
    return entry


@cache
def _shipped() -> Codebook:
    text = files("brugdata.model.data").joinpath("codebook.toml").read_text(encoding="utf-8")
    return _parse(text, "codebook.toml")


def _parse(text: str, where: str) -> Codebook:
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise BrugdataError(f"{where}: not valid TOML ({exc})") from exc
    entries = raw.get("code")
    if not isinstance(entries, list) or not entries:
        raise BrugdataError(f"{where}: the codebook has no [[code]] entries")
    codes = tuple(_entry(e, where) for e in entries)
    seen: set[str] = set()
    for c in codes:
        if c.code in seen:
            raise BrugdataError(f"{where}: the code {c.code!r} appears twice")
        seen.add(c.code)
    return Codebook(codes, where)


def load_codebook(path: str | Path | None = None) -> Codebook:
    """The codebook in ``path`` (TOML), or the shipped one (``data/codebook.toml``) for None."""
    if path is None:
        return _shipped()
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except OSError as exc:
        raise BrugdataError(f"{p.name}: the codebook cannot be read ({exc.strerror})") from exc
    return _parse(text, p.name)


def _book(codebook: Codebook | str | Path | None) -> Codebook:
    return codebook if isinstance(codebook, Codebook) else load_codebook(codebook)


def tag_answers(frame: pl.DataFrame, codebook: Codebook | str | Path | None = None) -> pl.DataFrame:
    """One row per answer and code it matched; an answer no code matched keeps one row with
    code null (listed, not lost).

    ``frame`` has the columns of the ``survey_answers`` table (at least ``text``); the result
    has its columns plus ``code``, in the order of the answers and then of the codebook.
    """
    book = _book(codebook)
    if "text" not in frame.columns:
        raise BrugdataError("tag_answers needs a frame with a text column (survey_answers)")
    plain = frame.with_row_index("_answer").with_columns(
        _plain=pl.col("text")
        .fill_null("")
        .map_elements(normalise, return_dtype=pl.String, skip_nulls=False)
    )
    hits = pl.concat(
        [
            plain.filter(pl.col("_plain").str.contains(c.pattern)).with_columns(
                code=pl.lit(c.code), _order=pl.lit(i, dtype=pl.Int64)
            )
            for i, c in enumerate(book.codes)
        ]
    )
    missed = plain.join(hits.select("_answer").unique(), on="_answer", how="anti").with_columns(
        code=pl.lit(None, dtype=pl.String), _order=pl.lit(len(book.codes), dtype=pl.Int64)
    )
    return pl.concat([hits, missed]).sort("_answer", "_order").drop("_answer", "_order", "_plain")

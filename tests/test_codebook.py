"""The codebook for open answers: matching rules, tagging, counts, and nothing lost."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from brugdata.analysis.answers import code_counts, untagged_answers
from brugdata.errors import BrugdataError
from brugdata.model.codebook import Codebook, load_codebook, normalise, tag_answers
from brugdata.store.store import Store

Y = "2024-2025"

REQUIRED = (
    "vertrouwen",
    "taalbarriere",
    "cultuursensitief",
    "wachttijden",
    "tijdgebrek",
    "zichtbaarheid",
    "korte_lijnen",
    "wisselende_contactpersonen",
    "regie",
    "bereikbaarheid",
)


def answers() -> pl.DataFrame:
    """Five answers of pilot P, hand-tagged in the comments."""
    rows = [
        # officer, relation, kind, text → codes
        ("R1", "parents", "bottleneck", "Taalbarrière en lange wachtlijsten"),  # taal, wacht
        ("R2", "parents", "bottleneck", "De wachttijd bij jeugdhulp"),  # wachttijden
        ("R1", "parents", "works", "Korte lijnen, ouders vertrouwen mij"),  # korte_l, vertr
        ("R2", "parents", "works", "Het gaat prima"),  # nothing
        ("R3", "external_partners", "bottleneck", "Overleg in de regio"),  # regie (overleg)
    ]
    return pl.DataFrame(
        {
            "officer_id": [r[0] for r in rows],
            "pilot": ["P"] * len(rows),
            "school_year": [Y] * len(rows),
            "relation": [r[1] for r in rows],
            "kind": [r[2] for r in rows],
            "text": [r[3] for r in rows],
        }
    )


def test_shipped_codebook_has_the_codes_with_labels_and_keywords() -> None:
    book = load_codebook()
    assert isinstance(book, Codebook)
    assert set(REQUIRED) <= set(book.code_list)
    for code in book.codes:
        assert code.nl and code.en and code.description
        assert code.keywords or code.phrases
        assert code.pattern  # every keyword compiles
    assert book.label("wachttijden", "en") == "Waiting times"
    assert book.label(None) == "(geen code)" and book.label(None, "en") == "(no code)"


def test_normalise() -> None:
    assert normalise("Taalbarrière!") == "taalbarriere"
    assert normalise("IB'er,  de Jeugd-GGZ") == "iber de jeugd ggz"


@pytest.mark.parametrize(
    ("text", "codes"),
    [
        ("De wachtlijsten zijn lang", ["wachttijden"]),  # wacht*: prefix stemming
        ("Wachten, wachten en nog eens wachten", ["wachttijden"]),
        ("Een taalbarrière bij nieuwkomers", ["taalbarriere"]),  # accents folded
        ("TAALBARRIERE", ["taalbarriere"]),
        ("Korte lijnen met de school", ["korte_lijnen"]),  # phrase with korte lijn*
        ("Een kort lijntje", ["korte_lijnen"]),
        ("In de regio", []),  # regie* does not match regio: whole words
        ("Veilig Thuis belt ons", []),  # 'veilig' is no keyword of vertrouwen
        ("De directie steunt ons", ["draagvlak"]),  # not korte_lijnen (direct is a word)
        ("", []),
        (None, []),
    ],
)
def test_match(text: str | None, codes: list[str]) -> None:
    assert load_codebook().match(text) == codes


def test_tag_answers_keeps_untagged_rows() -> None:
    out = tag_answers(answers())
    assert out.columns == [*answers().columns, "code"]
    # 2 + 1 + 2 + 1 (untagged) + 1 = 7 rows
    assert out.height == 7
    assert out.filter(pl.col("text") == "Het gaat prima")["code"].to_list() == [None]
    first = out.filter(pl.col("text").str.starts_with("Taalbarri"))["code"].to_list()
    assert first == ["taalbarriere", "wachttijden"]  # codebook order
    assert out.filter(pl.col("officer_id") == "R3")["code"].to_list() == ["regie"]


def test_code_counts_by_hand() -> None:
    out = code_counts({"survey_answers": answers()})
    assert out.columns == [
        "pilot",
        "school_year",
        "relation",
        "kind",
        "code",
        "answers",
        "respondents",
        "share",
    ]

    def row(relation: str, kind: str, code: str | None) -> dict:
        hit = out.filter(
            (pl.col("relation") == relation)
            & (pl.col("kind") == kind)
            & (pl.col("code").eq_missing(pl.lit(code, dtype=pl.String)))
        )
        assert hit.height == 1
        return hit.row(0, named=True)

    # parents bottleneck: 2 answers; wachttijden in both (R1, R2), taalbarriere in R1's
    assert row("parents", "bottleneck", "wachttijden") == {
        "pilot": "P",
        "school_year": Y,
        "relation": "parents",
        "kind": "bottleneck",
        "code": "wachttijden",
        "answers": 2,
        "respondents": 2,
        "share": 1.0,
    }
    assert row("parents", "bottleneck", "taalbarriere")["share"] == 0.5
    # parents works: 2 answers; one untagged, listed with code null
    assert row("parents", "works", None)["answers"] == 1
    assert row("parents", "works", None)["share"] == 0.5
    assert row("external_partners", "bottleneck", "regie")["answers"] == 1
    # the untagged row comes last within its relation and kind
    works = out.filter((pl.col("relation") == "parents") & (pl.col("kind") == "works"))
    assert works["code"].to_list()[-1] is None
    assert out.height == 6


def test_untagged_answers_and_filters() -> None:
    frames = {"survey_answers": answers()}
    out = untagged_answers(frames)
    assert out["text"].to_list() == ["Het gaat prima"]
    assert out.columns == ["officer_id", "pilot", "school_year", "relation", "kind", "text"]
    with pytest.raises(ValueError, match="no pilot 'other' in the store; it holds: P"):
        untagged_answers(frames, pilots=["other"])
    with pytest.raises(ValueError, match="no school year '2023-2024' in the store; it holds"):
        code_counts(frames, school_year="2023-2024")
    with pytest.raises(ValueError, match="^code_counts needs open questionnaire answers"):
        code_counts({})


def test_own_codebook_file(tmp_path: Path) -> None:
    path = tmp_path / "mijn_codeboek.toml"
    path.write_text(
        '[[code]]\ncode = "prima"\nnl = "Prima"\nen = "Fine"\nkeywords = ["prima", "goed*"]\n',
        encoding="utf-8",
    )
    book = load_codebook(path)
    assert book.code_list == ["prima"]
    out = code_counts({"survey_answers": answers()}, codebook=path)
    assert out.filter(pl.col("code") == "prima")["answers"].to_list() == [1]
    assert out["answers"].sum() == 5  # four untagged + one prima: every answer counted


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('[[code]]\ncode = "x"\n', "no keywords"),
        (
            '[[code]]\ncode = "x"\nkeywords = ["a"]\n[[code]]\ncode = "x"\nkeywords = ["b"]\n',
            "twice",
        ),
        ('[[code]]\ncode = "Bad Code"\nkeywords = ["a"]\n', "snake_case"),
        ('[[code]]\ncode = "x"\nkeywords = ["*"]\n', "no letters"),
        ("code = [", "not valid TOML"),
        ("", "no [[code]]"),
    ],
)
def test_bad_codebook(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "codes.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(BrugdataError, match=message.replace("[", r"\[")):
        load_codebook(path)


def test_sample_answers_tagged_and_none_lost(sample_store: Store) -> None:
    stored = sample_store.table("survey_answers")
    tagged = tag_answers(stored)
    assert tagged.select("officer_id", "relation", "kind", "text").unique().height == (
        stored.height
    )
    untagged = untagged_answers(sample_store)
    assert 0 < untagged.height < stored.height / 3  # most answers get a code
    counts = code_counts(sample_store)
    totals = (
        tagged.select("relation", "kind", "officer_id", "text")
        .unique()
        .group_by("relation", "kind")
        .len()
    )
    assert counts.filter(pl.col("code").is_null())["answers"].sum() == untagged.height
    assert set(counts["relation"]) == set(totals["relation"])
    assert {"vertrouwen", "tijdgebrek", "wachttijden"} <= set(counts["code"].drop_nulls())

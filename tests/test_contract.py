"""The one contract of every analysis (docs/analyses.md), walked over every public analysis:
``f(data, /, *, by=..., pilots=None, school_year=None, ...)``, a DataFrame or Frames, a
``school_year`` key column in every frame, one sentence for a bad ``by``, pilot, school year
or a store without the data, and never a figure summed over school years."""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterator
from typing import Any

import duckdb
import polars as pl
import pytest

import brugdata
from brugdata.analysis import ANALYSES, AnalysisError, Frames, analysis, run
from brugdata.analysis._change import CHANGE_COLUMNS
from brugdata.analysis._contract import BY_COLUMNS
from brugdata.sql import connect
from brugdata.store.store import Store

Y, Y0 = "2024-2025", "2023-2024"
NAMES = list(ANALYSES)

#: Analyses that take ``source=``: the contact log or the questionnaire.
WITH_SOURCE = {
    "reach",
    "reach-bands",
    "parents-of-pupil-cases",
    "theme-shares",
    "network",
    "time-use",
}
#: Analyses of the questionnaire alone.
QUESTIONNAIRE = {"response", "survey", "answer-codes", "untagged-answers"}


def frames_of(result: pl.DataFrame | Frames) -> dict[str, pl.DataFrame]:
    return result.frames() if isinstance(result, Frames) else {"frame": result}


def _earlier(frames: dict[str, pl.DataFrame]) -> dict[str, pl.DataFrame]:
    """The same data one school year earlier: dates a year back, school years renamed, ids
    made new (the same people and schools)."""
    out = {}
    for name, frame in frames.items():
        if "school_year" in frame.columns:
            frame = frame.with_columns(pl.col("school_year").replace({Y: Y0}).alias("school_year"))
        for column in ("date", "end_date", "start_date"):
            if column in frame.columns and frame.schema[column] == pl.Date:
                frame = frame.with_columns(pl.col(column).dt.offset_by("-1y"))
        for column in ("contact_id", "activity_id"):
            if column in frame.columns:
                frame = frame.with_columns(("Y0-" + pl.col(column)).alias(column))
        out[name] = frame
    return out


@pytest.fixture(scope="module")
def one_year(sample_store: Store) -> dict[str, pl.DataFrame]:
    return {name: sample_store.table(name) for name in brugdata.TABLES}


@pytest.fixture(scope="module")
def con1(one_year: dict[str, pl.DataFrame]) -> Iterator[duckdb.DuckDBPyConnection]:
    con = connect(one_year)
    yield con
    con.close()


@pytest.fixture(scope="module")
def con2(one_year: dict[str, pl.DataFrame]) -> Iterator[duckdb.DuckDBPyConnection]:
    """The sample and the sample one school year earlier: two school years."""
    earlier = _earlier(one_year)
    both = {
        name: pl.concat([frame, earlier[name]], how="vertical_relaxed")
        for name, frame in one_year.items()
        if name not in ("officers", "partners")
    }
    both["officers"], both["partners"] = one_year["officers"], one_year["partners"]
    con = connect(both)
    yield con
    con.close()


def test_every_exported_analysis_is_in_the_registry() -> None:
    functions = {analysis(n).__name__ for n in NAMES}
    assert functions <= set(brugdata.__all__)
    for name in NAMES:
        assert getattr(brugdata, analysis(name).__name__) is analysis(name), name
    exported = {
        name
        for name in brugdata.__all__
        if callable(getattr(brugdata, name))
        and getattr(getattr(brugdata, name), "__module__", "").startswith("brugdata.analysis")
        and name not in ("Frames", "AnalysisError", "to_networkx")
    }
    assert exported == functions
    for gone in ("survey_reach", "survey_reach_bands", "survey_time_use", "survey_themes"):
        assert gone not in brugdata.__all__


@pytest.mark.parametrize("name", NAMES)
def test_signature(name: str) -> None:
    params = list(inspect.signature(analysis(name)).parameters.values())
    assert params[0].kind is inspect.Parameter.POSITIONAL_ONLY, name
    rest = {p.name: p for p in params[1:]}
    assert all(p.kind is inspect.Parameter.KEYWORD_ONLY for p in rest.values()), name
    assert {"by", "pilots", "school_year"} <= set(rest), name
    assert rest["pilots"].default is None and rest["school_year"].default is None
    assert ("source" in rest) == (name in WITH_SOURCE), name
    if "source" in rest:
        assert rest["source"].default == "auto"
    by = rest["by"].default
    assert by in BY_COLUMNS, name
    # one default for all where it makes sense: the pilot
    assert by == ("school" if name == "reach-bands" else "pilot"), name


@pytest.mark.parametrize("name", NAMES)
def test_return_type_and_school_year_key(con2: duckdb.DuckDBPyConnection, name: str) -> None:
    result = analysis(name)(con2)
    assert isinstance(result, (pl.DataFrame, Frames)), name
    for key, frame in frames_of(result).items():
        assert "school_year" in frame.columns, (name, key)
    years = {y for f in frames_of(result).values() for y in f["school_year"].drop_nulls()}
    assert years == {Y0, Y}, name


@pytest.mark.parametrize("name", NAMES)
def test_no_output_sums_over_school_years(
    con1: duckdb.DuckDBPyConnection, con2: duckdb.DuckDBPyConnection, name: str
) -> None:
    """Each school year's rows over two years are exactly the rows of that year alone: a
    figure is never summed over years (the earlier year would double it)."""
    two = frames_of(analysis(name)(con2))
    one = frames_of(analysis(name)(con1))
    assert list(two) == list(one)
    for key, frame in one.items():
        # the change to the year before (compare) is the only figure that looks back
        this_year = two[key].filter(pl.col("school_year") == Y).drop(CHANGE_COLUMNS, strict=False)
        assert this_year.equals(frame.drop(CHANGE_COLUMNS, strict=False)), (name, key)
        earlier = two[key].filter(pl.col("school_year") == Y0)
        assert earlier.height == frame.height, (name, key)  # the same data a year earlier


@pytest.mark.parametrize("name", NAMES)
def test_a_bad_by_lists_the_valid_keys(con1: duckdb.DuckDBPyConnection, name: str) -> None:
    with pytest.raises(AnalysisError) as caught:
        analysis(name)(con1, by="bad")
    message = str(caught.value)
    assert message.startswith("cannot group ") and "'bad'; choose from: " in message
    keys = message.split("choose from: ")[1].split(", ")
    assert keys and set(keys) <= set(BY_COLUMNS), message
    assert isinstance(caught.value, ValueError) and isinstance(caught.value, brugdata.BrugdataError)
    assert "\n" not in message


@pytest.mark.parametrize("name", NAMES)
def test_unknown_pilot_and_school_year(con1: duckdb.DuckDBPyConnection, name: str) -> None:
    with pytest.raises(
        AnalysisError, match="^no pilot 'nowhere' in the store; it holds: den_bosch, gooi_"
    ):
        analysis(name)(con1, pilots=["nowhere"])
    with pytest.raises(
        AnalysisError, match="^no school year '2030-2031' in the store; it holds: 2024-2025$"
    ):
        analysis(name)(con1, school_year="2030-2031")


@pytest.mark.parametrize("name", NAMES)
def test_an_empty_store_says_so(name: str) -> None:
    with pytest.raises(AnalysisError, match="it holds no data yet$"):
        analysis(name)({})


def _questionnaire_only(one_year: dict[str, pl.DataFrame]) -> dict[str, pl.DataFrame]:
    return {
        name: frame
        for name, frame in one_year.items()
        if name not in ("contacts", "activities", "time_use")
    }


@pytest.mark.parametrize("name", NAMES)
def test_a_store_with_only_a_questionnaire(one_year: dict[str, pl.DataFrame], name: str) -> None:
    data = _questionnaire_only(one_year)
    function: Callable[..., Any] = analysis(name)
    if name in WITH_SOURCE or name in QUESTIONNAIRE or name == "compare":
        kw = {"by": "officer"} if name == "reach-bands" else {}
        result = function(data, **kw)
        found = frames_of(result)
        sources = {s for f in found.values() if "source" in f.columns for s in f["source"]}
        if name == "compare":  # beside the questionnaire: the schools, officers, hours
            assert "survey" in sources and "contacts" not in sources
        else:
            assert sources <= {"survey"}, name
        if name in WITH_SOURCE:
            assert sources == {"survey"}
            with pytest.raises(AnalysisError, match=r"\(source='log'\) needs logged contacts"):
                function(data, source="log", **kw)
    elif name == "indicators":  # the log's indicators need a log: only the response is left
        result = function(data)
        assert set(result["source"]) == {"questionnaire"}
        assert set(result["indicator"]) == {"response_rate"}
    else:
        with pytest.raises(AnalysisError, match="needs logged contacts, and the store has none"):
            function(data)


@pytest.mark.parametrize("name", sorted(WITH_SOURCE))
def test_the_questionnaire_gives_the_columns_of_the_log(
    con1: duckdb.DuckDBPyConnection, name: str
) -> None:
    by: Any = "officer" if name == "reach-bands" else "pilot"
    log = frames_of(analysis(name)(con1, by=by, source="log"))
    survey = frames_of(analysis(name)(con1, by=by, source="survey"))
    assert list(log) == list(survey)
    for key in log:
        if name == "time-use":  # the log has no respondents, the questionnaire no reports
            assert log[key].columns == survey[key].columns, key
        else:
            assert log[key].schema == survey[key].schema, key
        assert set(survey[key]["source"]) <= {"survey"}, key


def test_run_uses_the_defaults_of_the_function(con1: duckdb.DuckDBPyConnection) -> None:
    assert run("reach", con1)["reach"].equals(brugdata.reach(con1, by="pilot"))
    assert run("time-use", con1)["time_use"].equals(brugdata.time_use(con1))
    assert set(run("reach", con1)["reach"].columns) >= {"pilot", "school_year"}
    with pytest.raises(AnalysisError, match="seasonality reads the contact log only"):
        run("seasonality", con1, source="survey")
    with pytest.raises(AnalysisError, match="^no analysis 'nothing'; choose from: reach, "):
        run("nothing", con1)


def test_frames_is_a_read_only_mapping_with_attributes() -> None:
    a = pl.DataFrame({"school_year": [Y], "n": [1]})
    f = Frames({"a": a}, title="T", meta={"by": ["pilot"]})
    assert f.a is a and f["a"] is a and list(f) == ["a"] and len(f) == 1
    assert f.by == ["pilot"] and f.meta["by"] == ["pilot"]
    assert f.frames() == {"a": a} and f.frames() is not f.frames()
    assert repr(f) == "Frames(T: a: 1×2)"
    assert "<h4>T</h4>" in f._repr_html_()
    with pytest.raises(AttributeError, match="has no frame 'b'; it has: a"):
        _ = f.b
    with pytest.raises(TypeError):
        f["b"] = a  # type: ignore[index]
    with pytest.raises(TypeError):
        f.meta["x"] = 1  # type: ignore[index]

"""The report's analyses worked out ahead on a background thread (a store opened read-only)
give the same report as worked out in turn; results shared inside a report are worked out
once."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

import brugdata
from brugdata.analysis._shared import shared, shared_results
from brugdata.analysis.reach import reach
from brugdata.publish.report import report_html
from brugdata.publish.report.ahead import ahead
from brugdata.store.store import Store
from tests.fixtures import add_earlier_year


@pytest.fixture(scope="module")
def two_years(sample_store: Store, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample with a school year before it (most of its contacts a year earlier)."""
    path = tmp_path_factory.mktemp("ahead") / "two_years.duckdb"
    shutil.copy(sample_store.path, path)
    add_earlier_year(path)
    return path


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_a_report_worked_out_ahead_is_the_report_worked_out_in_turn(
    two_years: Path, lang: str
) -> None:
    with brugdata.open(two_years, read_only=True) as store, ahead(store) as work:
        assert work.threaded  # a store opened read-only: the analyses go to a thread
    with brugdata.open(two_years, read_only=True) as store:
        threaded = report_html(store, lang=lang)  # type: ignore[arg-type]
    with brugdata.open(two_years) as store:
        with ahead(store) as work:
            assert not work.threaded  # a store that may be written: in turn
        in_turn = report_html(store, lang=lang)  # type: ignore[arg-type]
    assert "2023-2024" in threaded
    assert threaded == in_turn


def test_an_analysis_worked_out_ahead_is_the_one_worked_out_now(two_years: Path) -> None:
    with brugdata.open(two_years, read_only=True) as store, ahead(store) as work:
        work.submit(reach, by="school", school_year="2023-2024")
        early = work.result(reach, by="school", school_year="2023-2024")
        late = work.result(reach, by="officer", school_year="2023-2024")  # not submitted
        assert early.equals(reach(store, by="school", school_year="2023-2024"))
        assert late.equals(reach(store, by="officer", school_year="2023-2024"))


def test_a_shared_result_is_worked_out_once_inside_the_block_only() -> None:
    calls: list[int] = []

    def work() -> int:
        calls.append(1)
        return len(calls)

    with shared_results():
        assert shared("k", work) == shared("k", work) == 1
        assert shared("other", work) == 2
    assert shared("k", work) == 3  # outside the block: worked out every time
    assert len(calls) == 3


def test_the_workers_share_the_stores_threads_out_and_give_them_back(two_years: Path) -> None:
    def threads(store: Store) -> int:
        return int(store.con.execute("SELECT current_setting('threads')").fetchall()[0][0])

    with brugdata.open(two_years, read_only=True) as store:
        store.con.execute("SET threads = 4")
        with ahead(store, workers=2) as work:
            assert work.threaded and threads(store) == 2  # two queries side by side, 2 each
        assert threads(store) == 4
        store.con.execute("SET threads = 1")
        with ahead(store, workers=2):
            assert threads(store) == 1  # never none
        assert threads(store) == 1
    with brugdata.open(two_years) as store:  # in turn: every thread for each query
        store.con.execute("SET threads = 4")
        with ahead(store) as work:
            assert not work.threaded and threads(store) == 4


def test_compare_over_every_year_takes_its_parts_worked_out_beside_it(
    two_years: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import brugdata.analysis.pathways as pathways_module
    import brugdata.analysis.reach as reach_module

    calls: list[tuple[str, str | None]] = []

    def counted(name: str, function: object) -> object:
        def run(con: object, keys: object, pilots: object, school_year: str | None) -> object:
            calls.append((name, school_year))
            return function(con, keys, pilots, school_year)  # type: ignore[operator]

        return run

    monkeypatch.setattr(
        pathways_module,
        "_pathway_outcomes",
        counted("outcomes", pathways_module._pathway_outcomes),
    )
    monkeypatch.setattr(reach_module, "_log_parents", counted("parents", reach_module._log_parents))
    with brugdata.open(two_years, read_only=True) as store:
        page = report_html(store)  # type: ignore[arg-type]
    assert "2023-2024" in page  # the trend: compare over every year
    # each worked out once, over every school year (submitted beside compare, which takes
    # them); the sections' report year is taken from it
    assert sorted(calls, key=str) == [("outcomes", None), ("parents", None)]


@pytest.mark.parametrize("by", ["pilot", "school"])
def test_a_year_is_taken_from_every_year_inside_a_report_as_it_is_alone(
    two_years: Path, by: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    import brugdata.analysis.reach as reach_module
    from brugdata.analysis.pathways import pathway_outcomes
    from brugdata.analysis.reach import parents_of_pupil_cases

    analyses = (reach, parents_of_pupil_cases, pathway_outcomes)
    with brugdata.open(two_years, read_only=True) as store:
        alone = [f(store, by=by, school_year="2023-2024") for f in analyses]
        with shared_results():
            every = [f(store, by=by) for f in analyses]  # every school year
            asked: list[str | None] = []
            work = reach_module._log_reach_of

            def counted(con: object, keys: object, pilots: object, year: str | None) -> object:
                asked.append(year)
                return work(con, keys, pilots, year)  # type: ignore[arg-type]

            monkeypatch.setattr(reach_module, "_log_reach_of", counted)
            taken = [f(store, by=by, school_year="2023-2024") for f in analyses]
            assert asked == []  # not worked out again
            other = reach(store, by=by, school_year="2023-2024", pilots=["den_bosch"])
            assert asked == ["2023-2024"]  # another selection is
    for a, t, e in zip(alone, taken, every, strict=True):
        assert t.equals(a)  # the same rows, in the same order
        assert 0 < t.height < e.height
    assert other["pilot" if by == "pilot" else "school_id"].n_unique() >= 1

"""What a researcher writes today: straightforward pandas over the Parquet files (read once,
outside the timings of the analyses), one function per analysis, giving the core numbers in
the shapes of :mod:`core`. The graph measures of the network use networkx, as a researcher
would.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import polars as pl

from brugdata.analysis._cases import partner_classes
from brugdata.analysis.compare import SCHOOL_WEEKS
from brugdata.analysis.time_use import FALLBACK_TASK, counterpart_tasks
from brugdata.model.vocab import vocabulary


def load(folder: Path) -> dict[str, pd.DataFrame]:
    """The tables as pandas frames, contacts from every contacts_*.parquet."""
    files = sorted(folder.glob("contacts_*.parquet"))
    frames = {
        name: pd.read_parquet(folder / f"{name}.parquet")
        for name in ("schools", "officers", "assignments", "time_use", "partners")
    }
    frames["contacts"] = pd.concat([pd.read_parquet(f) for f in files], ignore_index=True)
    frames["contacts"]["date"] = pd.to_datetime(frames["contacts"]["date"])
    return frames


def _pl(frame: pd.DataFrame) -> pl.DataFrame:
    return pl.from_pandas(frame.reset_index(drop=True))


def _year(dates: pd.Series) -> pd.Series:
    return dates.dt.year - (dates.dt.month < 8).astype(int)


def _school_year(y: pd.Series) -> pd.Series:
    return y.astype(str) + "-" + (y + 1).astype(str)


def reach(t: dict[str, pd.DataFrame]) -> dict[str, pl.DataFrame]:
    c = t["contacts"]
    c = c[c["counterpart"].isin(["parent", "pupil"])]
    who = c["person_key"].where(
        c["counterpart"] != "parent", c["family_key"].fillna(c["person_key"])
    )
    r = (
        pd.DataFrame(
            {
                "school_id": c["school_id"],
                "y": _year(c["date"]),
                "counterpart": c["counterpart"],
                "who": who,
            }
        )
        .groupby(["school_id", "y", "counterpart"])["who"]
        .nunique()
        .rename("reached")
        .reset_index()
    )
    s = t["schools"].assign(y=t["schools"]["school_year"].str[:4].astype(int))
    sides = pd.DataFrame({"counterpart": ["parent", "pupil"]})
    p = s.merge(sides, how="cross")
    out = p.merge(r, on=["school_id", "y", "counterpart"], how="outer")
    out["reached"] = out["reached"].fillna(0).astype("int64")
    out["population"] = out["families"].where(out["counterpart"] == "parent", out["pupils"])
    out["pct"] = (100.0 * out["reached"] / out["population"]).where(out["population"] > 0)
    out["school_year"] = _school_year(out["y"])
    return {
        "reach": _pl(
            out[["school_id", "school_year", "counterpart", "reached", "population", "pct"]]
        )
    }


def _pilots(t: dict[str, pd.DataFrame], c: pd.DataFrame) -> pd.Series:
    """The pilot of each contact: its school's that year, else its officer's."""
    s = t["schools"].assign(y=t["schools"]["school_year"].str[:4].astype(int))
    keys = pd.DataFrame({"school_id": c["school_id"].to_numpy(), "y": _year(c["date"]).to_numpy()})
    school_pilot = keys.merge(s[["school_id", "y", "pilot"]], on=["school_id", "y"], how="left")
    officer_pilot = c[["officer_id"]].merge(t["officers"][["officer_id", "pilot"]], how="left")
    return pd.Series(school_pilot["pilot"].fillna(officer_pilot["pilot"]).to_numpy(), index=c.index)


def seasonality(t: dict[str, pd.DataFrame]) -> dict[str, pl.DataFrame]:
    c = t["contacts"]
    x = pd.DataFrame(
        {
            "pilot": _pilots(t, c),
            "school_year": _school_year(_year(c["date"])),
            "school_month": (c["date"].dt.month + 4) % 12 + 1,
            "theme": c["themes"].str.split("|"),
        }
    ).explode("theme")
    keys = ["pilot", "school_year"]
    m = (
        x.groupby([*keys, "theme", "school_month"], dropna=False)
        .size()
        .rename("contacts")
        .reset_index()
    )
    grid = (
        m[[*keys, "theme"]]
        .drop_duplicates()
        .merge(pd.DataFrame({"school_month": range(1, 13)}), how="cross")
    )
    f = grid.merge(m, on=[*keys, "theme", "school_month"], how="left")
    f["contacts"] = f["contacts"].fillna(0).astype("int64")
    month_total = f.groupby([*keys, "school_month"], dropna=False)["contacts"].transform("sum")
    theme_total = f.groupby([*keys, "theme"], dropna=False)["contacts"].transform("sum")
    f["share"] = (f["contacts"] / month_total).where(month_total > 0)
    f["seasonal_index"] = (f["contacts"] / (theme_total / 12.0)).where(theme_total > 0)
    return {"seasonality": _pl(f)}


def _links(c: pd.DataFrame) -> pd.DataFrame:
    """An officer's links to colleague roles and partners, with the contact's school year."""
    c = c.assign(school_year=_school_year(_year(c["date"])))
    cols = ["officer_id", "school_id", "school_year"]
    colleague = c[(c["counterpart"] == "colleague") & c["colleague_role"].notna()]
    partner = c[(c["counterpart"] == "partner") & c["partner_id"].notna()]
    referred = c[c["referred_to"].notna()]
    return pd.concat(
        [
            colleague[cols].assign(
                node=colleague["colleague_role"], node_kind="colleague_role", contact=1, referral=0
            ),
            partner[cols].assign(
                node=partner["partner_id"], node_kind="partner", contact=1, referral=0
            ),
            referred[cols].assign(
                node=referred["referred_to"], node_kind="partner", contact=0, referral=1
            ),
        ],
        ignore_index=True,
    )


def _per_officer(rows: pd.DataFrame, links: pd.DataFrame, on: list[str]) -> pd.DataFrame:
    """``rows`` (officers, keyed by ``on``) with their distinct colleagues (school × role)
    and partners in ``links``."""
    colleague = links[links["node_kind"] == "colleague_role"]
    internal = (
        colleague.drop_duplicates([*on, "school_id", "node"]).groupby(on).size().rename("internal")
    )
    external = links[links["node_kind"] == "partner"].groupby(on)["node"].nunique()
    out = rows.merge(internal, on=on, how="left")
    out = out.merge(external.rename("external"), on=on, how="left")
    out[["internal", "external"]] = out[["internal", "external"]].fillna(0).astype("int64")
    return out


def network(t: dict[str, pd.DataFrame]) -> dict[str, pl.DataFrame]:
    import networkx as nx

    o = t["officers"][["officer_id", "pilot"]]
    links = _links(t["contacts"]).merge(o, on="officer_id")  # the officer's pilot
    keys = ["pilot", "school_year", "officer_id", "node_kind", "node"]
    edges = (
        links.groupby(keys)[["contact", "referral"]]
        .sum()
        .rename(columns={"contact": "contacts", "referral": "referrals"})
        .reset_index()
    )
    edges["weight"] = edges["contacts"] + edges["referrals"]
    # every officer in each school year their pilot has schools, assignments or links
    assigned = t["assignments"][["officer_id", "school_year"]].merge(o, on="officer_id")
    years = pd.concat(
        [frame[["pilot", "school_year"]] for frame in (t["schools"], assigned, links)]
    ).drop_duplicates()
    rows = o[["pilot", "officer_id"]].merge(years, on="pilot")
    officers = _per_officer(rows, links, ["officer_id", "school_year"])
    # graph measures per pilot and school year, with networkx, on the officer–node graph
    between = []
    for (pilot, year), group in officers.groupby(["pilot", "school_year"]):
        g = nx.Graph()
        g.add_nodes_from("officer:" + group["officer_id"])
        e = edges[(edges["pilot"] == pilot) & (edges["school_year"] == year)]
        other = np.where(e["node_kind"] == "colleague_role", "colleague:", "partner:") + e["node"]
        g.add_edges_from(zip("officer:" + e["officer_id"], other, strict=True))
        b = nx.betweenness_centrality(g, normalized=True)
        between += [(year, who, b["officer:" + who]) for who in group["officer_id"]]
    return {
        "edges": _pl(edges),
        "officers": _pl(officers[["pilot", "school_year", "officer_id", "internal", "external"]]),
        "betweenness": _pl(
            pd.DataFrame(between, columns=["school_year", "officer_id", "betweenness"])
        ),
    }


def time_use(t: dict[str, pd.DataFrame]) -> dict[str, pl.DataFrame]:
    c = t["contacts"]
    rep = t["time_use"][["officer_id", "school_year", "task", "share_pct"]].astype(
        {"share_pct": "float64"}
    )
    timed = c[c["duration_min"].notna()]
    logged = (
        pd.DataFrame(
            {
                "officer_id": timed["officer_id"],
                "school_year": _school_year(_year(timed["date"])),
                "task": timed["counterpart"].map(counterpart_tasks()).fillna(FALLBACK_TASK),
                "minutes": timed["duration_min"],
            }
        )
        .groupby(["officer_id", "school_year", "task"])["minutes"]
        .sum()
        .reset_index()
    )
    reported = rep[["officer_id", "school_year"]].drop_duplicates()
    logged = logged.merge(reported, how="left", indicator=True)
    logged = logged[logged["_merge"] == "left_only"].drop(columns="_merge")
    total = logged.groupby(["officer_id", "school_year"])["minutes"].transform("sum")
    derived = logged[total > 0].assign(share_pct=100.0 * logged["minutes"] / total)
    shares = pd.concat(
        [
            rep.assign(source="time_use"),
            derived[["officer_id", "school_year", "task", "share_pct"]].assign(source="contacts"),
        ],
        ignore_index=True,
    )
    tasks = pd.DataFrame(
        {"task": list(dict.fromkeys([*vocabulary("task").code_list, *shares["task"]]))}
    )
    keys = shares[["officer_id", "school_year", "source"]].drop_duplicates()
    out = keys.merge(tasks, how="cross").merge(
        shares, on=["officer_id", "school_year", "source", "task"], how="left"
    )
    out["share_pct"] = out["share_pct"].fillna(0.0)
    return {"time_use": _pl(out[["officer_id", "school_year", "task", "share_pct", "source"]])}


def _case_outcomes(t: dict[str, pd.DataFrame], c: pd.DataFrame) -> pd.DataFrame:
    """Per pilot: cases (a family at a school in the school year of ``c``, from its parent and
    pupil contacts and the other contacts that name the family and refer), those without a
    referral, those referred to specialised care, and the median days to the first referral."""
    people = c["counterpart"].isin(["parent", "pupil"])
    family = c["family_key"].where(~people, c["family_key"].fillna(c["person_key"]))
    in_case = (people & family.notna()) | (c["referred_to"].notna() & c["family_key"].notna())
    x = c.loc[in_case, ["pilot", "school_id", "date", "referred_to"]]
    x = x.assign(family=family[in_case])
    kinds = t["partners"].drop_duplicates("partner_id").set_index("partner_id")["kind"]
    referred = x["referred_to"].notna()
    x = x.assign(
        referred=referred,
        specialised=x["referred_to"].map(kinds).map(partner_classes()) == "specialised",
        referral_date=x["date"].where(referred),
    )
    per_case = x.groupby(["pilot", "school_id", "family"], dropna=False).agg(
        first=("date", "min"),
        first_referral=("referral_date", "min"),
        referred=("referred", "any"),
        specialised=("specialised", "any"),
    )
    per_case["no_referral"] = ~per_case["referred"]
    per_case["days"] = (per_case["first_referral"] - per_case["first"]).dt.days
    return per_case.groupby("pilot").agg(
        cases=("no_referral", "size"),
        no_referral=("no_referral", "sum"),
        specialised=("specialised", "sum"),
        median_days=("days", "median"),
    )


def _compare_year(
    t: dict[str, pd.DataFrame], c: pd.DataFrame, school_year: str, top: int
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The figures (pilot, school_year, metric, value, basis) and top themes of one school
    year, from its contacts ``c``. ``basis`` says over how many of how many schools a
    population (and reach as a % of it) is when some school's count is unknown ("" else)."""
    c = c.copy()
    c["pilot"] = _pilots(t, c)
    s = t["schools"][t["schools"]["school_year"] == school_year]
    o = t["officers"]
    a = t["assignments"].merge(
        s[["school_id", "school_year", "pilot"]], on=["school_id", "school_year"]
    )
    hours = a.groupby("pilot")["hours_per_week"].sum()
    # a population with schools of unknown count is given over the schools whose count is
    # known, and so is the reach as a share of it
    pop = s.groupby("pilot").agg(
        schools=("school_id", "nunique"),
        pupils=("pupils", lambda x: x.sum(min_count=1)),
        families=("families", lambda x: x.sum(min_count=1)),
        pupils_unknown=("pupils", lambda x: x.isna().sum()),
        families_unknown=("families", lambda x: x.isna().sum()),
    )
    parents = c[c["counterpart"] == "parent"]
    pupils = c[c["counterpart"] == "pupil"]
    family = parents["family_key"].fillna(parents["person_key"])
    parents_reached = family.groupby(parents["pilot"]).nunique()
    pupils_reached = pupils.groupby("pilot")["person_key"].nunique()
    known_f = parents["school_id"].isin(s.loc[s["families"].notna(), "school_id"])
    known_p = pupils["school_id"].isin(s.loc[s["pupils"].notna(), "school_id"])
    parents_known = family[known_f].groupby(parents.loc[known_f, "pilot"]).nunique()
    pupils_known = pupils[known_p].groupby("pilot")["person_key"].nunique()
    parents_for_pct = parents_reached.where(
        pop["families_unknown"].reindex(parents_reached.index) == 0,
        parents_known.reindex(parents_reached.index).fillna(0),
    )
    pupils_for_pct = pupils_reached.where(
        pop["pupils_unknown"].reindex(pupils_reached.index) == 0,
        pupils_known.reindex(pupils_reached.index).fillna(0),
    )
    contacts = c.groupby("pilot").size()
    cases = pupils.groupby(["pilot", "person_key"])["family_key"].first().reset_index()
    fams = parents.assign(family=parents["family_key"].fillna(parents["person_key"]))[
        ["pilot", "family"]
    ].drop_duplicates()
    cases = cases.merge(
        fams, left_on=["pilot", "family_key"], right_on=["pilot", "family"], how="left"
    )
    linked = cases.groupby("pilot")["family_key"].count()
    contacted = cases.groupby("pilot")["family"].count()
    per_officer = _per_officer(o[["pilot", "officer_id"]], _links(c), ["officer_id"])
    partners = per_officer.groupby("pilot")[["internal", "external"]].mean()
    officers = o.groupby("pilot").size()
    outcomes = _case_outcomes(t, c)
    f = pd.DataFrame(
        {
            "schools": pop["schools"],
            "officers": officers,
            "hours_per_week": hours,
            "pupils": pop["pupils"],
            "families": pop["families"],
            "parents_reached": parents_reached,
            "pupils_reached": pupils_reached,
            "parents_reached_pct": 100.0 * parents_for_pct / pop["families"],
            "pupils_reached_pct": 100.0 * pupils_for_pct / pop["pupils"],
            "parents_reached_per_weekly_hour": parents_reached / hours,
            "pupils_reached_per_weekly_hour": pupils_reached / hours,
            "contacts": contacts,
            "contacts_per_officer_hour": contacts / (hours * SCHOOL_WEEKS),
            "pupil_cases_parents_contacted_pct": 100.0 * contacted / linked,
            "internal_per_officer": partners["internal"],
            "external_per_officer": partners["external"],
            "cases_no_referral_pct": 100.0 * outcomes["no_referral"] / outcomes["cases"],
            "cases_specialised_pct": 100.0 * outcomes["specialised"] / outcomes["cases"],
            "median_days_to_referral": outcomes["median_days"],
        }
    ).loc[pop.index]
    figures = (
        f.rename_axis("pilot")
        .reset_index()
        .melt(id_vars="pilot", var_name="metric", value_name="value")
    )
    figures["value"] = figures["value"].astype("float64")
    figures.insert(1, "school_year", school_year)
    # brugdata gives the change of a population (and reach as a % of it) over part of the
    # schools only when the year before is over as many of as many schools
    figures["basis"] = ""
    for side, metrics in (
        ("families", ["families", "parents_reached_pct"]),
        ("pupils", ["pupils", "pupils_reached_pct"]),
    ):
        unknown = pop[f"{side}_unknown"]
        text = (pop["schools"] - unknown).astype(str) + " of " + pop["schools"].astype(str)
        text = text.where((unknown > 0) & (pop[side] > 0), "")
        rows = figures["metric"].isin(metrics)
        figures.loc[rows, "basis"] = figures.loc[rows, "pilot"].map(text).to_numpy()
    mentions = c.assign(theme=c["themes"].str.split("|")).explode("theme")
    counts = mentions.groupby(["pilot", "theme"]).size().rename("n").reset_index()
    counts = counts.sort_values(["pilot", "n", "theme"], ascending=[True, False, True])
    counts = counts.groupby("pilot").head(top)
    counts["value"] = 100.0 * counts["n"] / counts["pilot"].map(contacts)
    themes = counts.rename(columns={"theme": "label"})[["pilot", "label", "value"]]
    themes.insert(1, "school_year", school_year)
    return figures, themes


def compare(t: dict[str, pd.DataFrame], school_year: str, top: int = 3) -> dict[str, pl.DataFrame]:
    """The figures and top themes of ``school_year`` per pilot, and each one's value in the
    school year before (``previous``, ``previous_themes``: previous_value and change)."""
    year = int(school_year[:4])
    before = f"{year - 1}-{year}"
    c = t["contacts"]
    years = _year(c["date"])
    figures, themes = _compare_year(t, c[years == year], school_year, top)
    if (t["schools"]["school_year"] == before).any():
        old_figures, old_themes = _compare_year(t, c[years == year - 1], before, top)
    else:  # no figures the year before
        old_figures = pd.DataFrame(columns=["pilot", "metric", "basis", "value"])
        old_themes = pd.DataFrame(columns=["pilot", "label", "value"])
    # a figure's value the year before: the same pilot and metric (over as many schools);
    # a theme's when it was among the top themes then too
    previous = figures.merge(
        old_figures[["pilot", "metric", "basis", "value"]].rename(
            columns={"value": "previous_value"}
        ),
        on=["pilot", "metric", "basis"],
        how="left",
    )
    previous_themes = themes.merge(
        old_themes[["pilot", "label", "value"]].rename(columns={"value": "previous_value"}),
        on=["pilot", "label"],
        how="left",
    )
    for frame in (previous, previous_themes):
        frame["previous_value"] = frame["previous_value"].astype("float64")
        frame["change"] = frame["value"] - frame["previous_value"]
    return {
        "figures": _pl(figures.drop(columns="basis")),
        "top_themes": _pl(themes),
        "previous": _pl(previous[["pilot", "school_year", "metric", "previous_value", "change"]]),
        "previous_themes": _pl(
            previous_themes[["pilot", "school_year", "label", "previous_value", "change"]]
        ),
    }

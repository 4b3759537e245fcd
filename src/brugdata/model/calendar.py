"""The Dutch school calendar: school years, school weeks, holidays per region, regions.

- The school year runs from 1 August to 31 July: :func:`school_year_of` gives ``"2024-2025"``
  for any date from 2024-08-01 to 2025-07-31, :func:`school_year_start` its first day and
  :func:`count_date` its pupil count date (1 October, the date DUO counts pupils on).
- :func:`school_week` numbers the weeks of a school year: weeks run Monday to Sunday and
  week 1 is the week that contains 1 August (so it may start in late July, and the days of
  that week before 1 August belong to the previous school year). A school year has 53 or 54
  such (partial) weeks.
- :func:`holidays` gives the school holidays per region (``noord``, ``midden``, ``zuid``) as
  shipped in ``brugdata/data/holidays-2023-2027.json`` (2023-2024 to 2026-2027, plus the summer
  holiday of 2022-2023 that runs into August 2023); :func:`load_rijksoverheid_json` reads the
  Rijksoverheid open-data JSON so a new school year can be added without a new release:
  pass its frame as ``extra=`` to :func:`holidays`, :func:`is_school_day` and
  :func:`school_weeks`.
- :func:`region_of` finds the holiday region of a municipality from the shipped table
  ``brugdata/data/municipality_regions.csv``; :func:`school_regions` gives every school of a
  store its region, from ``schools.region`` or else from its municipality.

A holiday frame has the columns ``school_year``, ``region``, ``name`` (lower case:
``herfstvakantie``, ``kerstvakantie``, ``voorjaarsvakantie``, ``meivakantie``,
``zomervakantie``), ``start`` and ``end`` (dates, both inclusive), ``advisory`` (the dates are
advice, not compulsory; also set for shipped dates not yet checked against the official
publication) and ``source``.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterator, Mapping
from functools import cache
from importlib.resources import files
from pathlib import Path
from typing import TYPE_CHECKING, Any

import polars as pl

from brugdata.errors import BrugdataError
from brugdata.model.vocab import fold

if TYPE_CHECKING:
    pass

__all__ = [
    "HOLIDAY_COLUMNS",
    "REGIONS",
    "count_date",
    "holidays",
    "is_school_day",
    "load_rijksoverheid_json",
    "municipality_regions",
    "public_holidays",
    "region_of",
    "school_days_by_month",
    "school_week",
    "school_weeks",
    "school_year_of",
    "school_year_start",
]

#: The three holiday regions of the Netherlands.
REGIONS: tuple[str, ...] = ("noord", "midden", "zuid")

#: The shipped holiday file (in ``brugdata/data``).
HOLIDAYS_FILE = "holidays-2023-2027.json"
#: The shipped municipality → region table (in ``brugdata/data``).
MUNICIPALITIES_FILE = "municipality_regions.csv"

HOLIDAY_COLUMNS: dict[str, pl.DataType] = {
    "school_year": pl.String(),
    "region": pl.String(),
    "name": pl.String(),
    "start": pl.Date(),
    "end": pl.Date(),
    "advisory": pl.Boolean(),
    "source": pl.String(),
}

_AMSTERDAM = "Europe/Amsterdam"
_SCHOOL_YEAR = re.compile(r"^\s*(\d{4})\s*[-/]\s*(\d{4}|\d{2})\s*$")

# --------------------------------------------------------------------------- school years


def _as_date(value: dt.date | dt.datetime | str) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError:
        raise BrugdataError(f"{value!r} is not a date (use YYYY-MM-DD)") from None


def school_year_of(date: dt.date | dt.datetime | str) -> str:
    """The school year (``"2024-2025"``) a date falls in; it starts on 1 August."""
    d = _as_date(date)
    first = d.year if d.month >= 8 else d.year - 1
    return f"{first}-{first + 1}"


def _first_year(school_year: str) -> int:
    m = _SCHOOL_YEAR.match(str(school_year))
    if m:
        first, second = int(m.group(1)), m.group(2)
        following = int(second) if len(second) == 4 else (first + 1) % 100
        if (len(second) == 4 and following == first + 1) or (
            len(second) == 2 and int(second) == following
        ):
            return first
    raise BrugdataError(f"{school_year!r} is not a school year (write it like 2024-2025)")


def _normal_school_year(school_year: str) -> str:
    first = _first_year(school_year)
    return f"{first}-{first + 1}"


def school_year_start(school_year: str) -> dt.date:
    """The first day of a school year: 1 August (``"2024-2025"`` → 2024-08-01)."""
    return dt.date(_first_year(school_year), 8, 1)


def school_year_end(school_year: str) -> dt.date:
    """The last day of a school year: 31 July (``"2024-2025"`` → 2025-07-31)."""
    return dt.date(_first_year(school_year) + 1, 7, 31)


def count_date(school_year: str) -> dt.date:
    """The pupil count date of a school year: 1 October (``"2024-2025"`` → 2024-10-01)."""
    return dt.date(_first_year(school_year), 10, 1)


def _week_one_monday(school_year: str) -> dt.date:
    start = school_year_start(school_year)
    return start - dt.timedelta(days=start.weekday())


def school_week(date: dt.date | dt.datetime | str) -> int:
    """The week of the school year a date falls in: weeks run Monday to Sunday and week 1 is
    the week containing 1 August of the date's school year (31 July is in week 53 or 54)."""
    d = _as_date(date)
    return (d - _week_one_monday(school_year_of(d))).days // 7 + 1


# --------------------------------------------------------------------------- regions


def _region_key(text: str) -> str | None:
    """``noord``/``midden``/``zuid`` for a region as written (``"Regio Noord"``, ``"MIDDEN "``,
    ``"zuid-nederland"``), ``"all"`` for heel Nederland, None when unknown."""
    key = re.sub(r"^regio_", "", fold(str(text)))
    if not key:
        return None
    key = re.sub(r"_?(nederland|nl)$", "", key) or "heel"
    if key in REGIONS:
        return key
    if key in {"heel", "geheel", "alle", "alle_regios", "landelijk", "all"}:
        return "all"
    aliases = {"north": "noord", "central": "midden", "middle": "midden", "south": "zuid"}
    return aliases.get(key)


def _check_region(region: str) -> str:
    key = _region_key(region)
    if key is None or key == "all":
        raise BrugdataError(f"{region!r} is not a holiday region (use noord, midden or zuid)")
    return key


# --------------------------------------------------------------------------- holidays


def _empty_holidays() -> pl.DataFrame:
    return pl.DataFrame(schema=HOLIDAY_COLUMNS)


def _frame(rows: list[dict[str, Any]]) -> pl.DataFrame:
    if not rows:
        return _empty_holidays()
    return pl.DataFrame(rows, schema=HOLIDAY_COLUMNS).sort("school_year", "start", "region")


@cache
def _shipped() -> pl.DataFrame:
    text = files("brugdata.model.data").joinpath(HOLIDAYS_FILE).read_text(encoding="utf-8")
    raw = json.loads(text)
    rows: list[dict[str, Any]] = []
    for school_year, vacations in raw["school_years"].items():
        for vacation in vacations:
            verified = vacation.get("verified", True)
            source = raw["source"] if verified else raw["source_unverified"]
            for region, (start, end) in vacation["dates"].items():
                targets = REGIONS if region == "heel Nederland" else (region,)
                for target in targets:
                    rows.append(
                        {
                            "school_year": school_year,
                            "region": target,
                            "name": vacation["name"],
                            "start": dt.date.fromisoformat(start),
                            "end": dt.date.fromisoformat(end),
                            "advisory": bool(vacation["advisory"]) or not verified,
                            "source": source,
                        }
                    )
    return _frame(rows)


def _combined(extra: pl.DataFrame | None) -> pl.DataFrame:
    """The shipped holidays, with the rows of ``extra`` replacing shipped rows of the same
    school year, region and holiday."""
    shipped = _shipped()
    if extra is None or extra.is_empty():
        return shipped
    missing = [c for c in HOLIDAY_COLUMNS if c not in extra.columns]
    if missing:
        raise BrugdataError(
            f"the extra holidays lack the columns {', '.join(missing)} "
            "(make them with load_rijksoverheid_json)"
        )
    extra = extra.select(pl.col(c).cast(t) for c, t in HOLIDAY_COLUMNS.items()).unique(
        subset=["school_year", "region", "name"], keep="last", maintain_order=True
    )
    kept = shipped.join(extra, on=["school_year", "region", "name"], how="anti")
    return pl.concat([kept, extra]).sort("school_year", "start", "region")


def holidays(
    region: str | None = None,
    school_year: str | None = None,
    *,
    extra: pl.DataFrame | None = None,
) -> pl.DataFrame:
    """School holidays: school_year, region, name, start, end (dates, inclusive), advisory,
    source; of one region and/or school year when given. ``extra`` (a frame from
    :func:`load_rijksoverheid_json`) adds holidays to the shipped ones and replaces shipped
    rows of the same school year, region and holiday."""
    frame = _combined(extra)
    if region is not None:
        frame = frame.filter(pl.col("region") == _check_region(region))
    if school_year is not None:
        frame = frame.filter(pl.col("school_year") == _normal_school_year(school_year))
    return frame


def _local_date(value: Any, where: str) -> dt.date:
    """The Europe/Amsterdam calendar date of a UTC timestamp (or a plain date)."""
    from zoneinfo import ZoneInfo

    text = str(value).strip()
    try:
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            return dt.date.fromisoformat(text)
        moment = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise BrugdataError(f"{where}: {text!r} is not a date or timestamp") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(ZoneInfo(_AMSTERDAM)).date()


def _vacation_name(raw: Any) -> str:
    return " ".join(str(raw).split()).lower()


def _year_nodes(data: Any) -> Iterator[Mapping[str, Any]]:
    """Every object holding a school year's vacations, wherever it sits in the document."""
    if isinstance(data, Mapping):
        if "vacations" in data and "schoolyear" in data:
            yield data
            return
        for value in data.values():
            yield from _year_nodes(value)
    elif isinstance(data, list):
        for value in data:
            yield from _year_nodes(value)


def load_rijksoverheid_json(path_or_text: str | Path, *, source: str | None = None) -> pl.DataFrame:
    """Read the Rijksoverheid open-data JSON of school holidays (a file path or the JSON
    text) into a holiday frame (see :func:`holidays`).

    The document holds ``content`` items with a ``schoolyear`` and ``vacations``; each
    vacation has a ``type``, ``compulsorydates`` (``"false"`` → advisory) and ``regions``
    with ``region``, ``startdate`` and ``enddate``. Timestamps are UTC and are turned into
    Europe/Amsterdam calendar dates (``2024-10-19T22:00:00.000Z`` → 2024-10-20); ``heel
    Nederland`` stands for all three regions; region names are matched loosely (``Noord``,
    ``regio midden``). Anything else raises :class:`~brugdata.errors.BrugdataError`.
    """
    text, name = _json_text(path_or_text)
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise BrugdataError(f"{name}: not JSON ({exc.msg} at line {exc.lineno})") from None
    nodes = list(_year_nodes(data))
    if not nodes:
        raise BrugdataError(
            f"{name}: not the Rijksoverheid school holiday format (no content with a "
            "schoolyear and vacations)"
        )
    label = source or ("rijksoverheid open data" if name == "the JSON text" else name)
    rows: dict[tuple[str, str, str], dict[str, Any]] = {}
    for node in nodes:
        school_year = _normal_school_year(str(node["schoolyear"]))
        vacations = node.get("vacations") or []
        if not isinstance(vacations, list):
            raise BrugdataError(f"{name}: the vacations of {school_year} are not a list")
        for vacation in vacations:
            rows.update(_vacation_rows(vacation, school_year, name, label))
    return _frame(list(rows.values()))


def _json_text(path_or_text: str | Path) -> tuple[str, str]:
    if isinstance(path_or_text, Path) or not str(path_or_text).lstrip().startswith(("{", "[")):
        path = Path(path_or_text)
        try:
            return path.read_text(encoding="utf-8-sig"), path.name
        except OSError as exc:
            raise BrugdataError(f"{path}: cannot be read ({exc.strerror or exc})") from None
        except UnicodeDecodeError:
            raise BrugdataError(f"{path}: not a UTF-8 JSON file") from None
    return str(path_or_text), "the JSON text"


def _vacation_rows(
    vacation: Any, school_year: str, name: str, source: str
) -> dict[tuple[str, str, str], dict[str, Any]]:
    if not isinstance(vacation, Mapping) or "type" not in vacation:
        raise BrugdataError(f"{name}: a vacation of {school_year} has no type")
    holiday = _vacation_name(vacation["type"])
    where = f"{name}, {school_year} {holiday}"
    compulsory = str(vacation.get("compulsorydates", "true")).strip().lower()
    advisory = compulsory in {"false", "0", "no", "nee"}
    out: dict[tuple[str, str, str], dict[str, Any]] = {}
    regions = vacation.get("regions")
    if not isinstance(regions, list) or not regions:
        raise BrugdataError(f"{where}: no regions with dates")
    for item in regions:
        if not isinstance(item, Mapping) or not {"region", "startdate", "enddate"} <= set(item):
            raise BrugdataError(f"{where}: a region lacks region, startdate or enddate")
        key = _region_key(str(item["region"]))
        if key is None:
            raise BrugdataError(f"{where}: unknown region {item['region']!r}")
        start = _local_date(item["startdate"], where)
        end = _local_date(item["enddate"], where)
        if end < start:
            raise BrugdataError(f"{where}: it ends ({end}) before it starts ({start})")
        for region in REGIONS if key == "all" else (key,):
            out[(school_year, region, holiday)] = {
                "school_year": school_year,
                "region": region,
                "name": holiday,
                "start": start,
                "end": end,
                "advisory": advisory,
                "source": source,
            }
    return out


# --------------------------------------------------------------------------- school days


def _easter(year: int) -> dt.date:
    """Easter Sunday (anonymous Gregorian algorithm)."""
    a, b, c = year % 19, year // 100, year % 100
    d, e = b // 4, b % 4
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = c // 4, c % 4
    el = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * el) // 451
    month = (h + el - 7 * m + 114) // 31
    day = (h + el - 7 * m + 114) % 31 + 1
    return dt.date(year, month, day)


def public_holidays(year: int) -> dict[dt.date, str]:
    """The public holidays of a calendar year on which every school is closed: Nieuwjaarsdag,
    Tweede Paasdag, Koningsdag (26 April when the 27th is a Sunday), Hemelvaartsdag, Tweede
    Pinksterdag, Eerste and Tweede Kerstdag. Goede Vrijdag and Bevrijdingsdag are left out:
    whether schools close then differs per school."""
    easter = _easter(year)
    kings = dt.date(year, 4, 27)
    if kings.weekday() == 6:
        kings = dt.date(year, 4, 26)
    return {
        dt.date(year, 1, 1): "nieuwjaarsdag",
        easter + dt.timedelta(days=1): "tweede paasdag",
        kings: "koningsdag",
        easter + dt.timedelta(days=39): "hemelvaartsdag",
        easter + dt.timedelta(days=50): "tweede pinksterdag",
        dt.date(year, 12, 25): "eerste kerstdag",
        dt.date(year, 12, 26): "tweede kerstdag",
    }


def _holiday_spans(region: str, extra: pl.DataFrame | None) -> list[tuple[dt.date, dt.date]]:
    frame = holidays(region, extra=extra)
    return list(zip(frame["start"].to_list(), frame["end"].to_list(), strict=True))


def _in_holiday(d: dt.date, spans: list[tuple[dt.date, dt.date]]) -> bool:
    return any(start <= d <= end for start, end in spans)


def _check_covered(d: dt.date, region: str, extra: pl.DataFrame | None) -> None:
    year = school_year_of(d)
    known = set(holidays(region, extra=extra)["school_year"].to_list())
    if year not in known:
        raise BrugdataError(
            f"no school holidays known for {year} in region {region}; add them with "
            "load_rijksoverheid_json and pass the frame as extra"
        )


def is_school_day(
    date: dt.date | dt.datetime | str, region: str, *, extra: pl.DataFrame | None = None
) -> bool:
    """True when schools of ``region`` are open on ``date``: a weekday, not in a school
    holiday of the region and not a public holiday (see :func:`public_holidays`). Study days
    and other days a single school chooses are not known. Raises
    :class:`~brugdata.errors.BrugdataError` when no holidays are known for that school year."""
    d = _as_date(date)
    key = _check_region(region)
    _check_covered(d, key, extra)
    return _school_day(d, _holiday_spans(key, extra))


def _school_day(d: dt.date, spans: list[tuple[dt.date, dt.date]]) -> bool:
    return d.weekday() < 5 and d not in public_holidays(d.year) and not _in_holiday(d, spans)


def school_weeks(school_year: str, region: str, *, extra: pl.DataFrame | None = None) -> int:
    """The number of school weeks of a school year in a region.

    The rule: of the weeks of the school year (see :func:`school_week`; Monday to Sunday,
    counting only the days from 1 August to 31 July), a week counts when at least one of its
    days is a school day (:func:`is_school_day`): a weekday outside the region's school
    holidays and the public holidays. A week that lies wholly inside a holiday does not
    count; a week with a public holiday or a few holiday days does. The summer holiday of
    the previous school year (which runs into August) is taken into account, so the holidays
    of that year must be known too."""
    year = _normal_school_year(school_year)
    weeks = {
        (day - _week_one_monday(year)).days // 7 + 1
        for day in _school_days(year, region, extra, "weeks")
    }
    return len(weeks)


def school_days_by_month(
    school_year: str, region: str, *, extra: pl.DataFrame | None = None
) -> dict[int, int]:
    """The school days of each month of a school year in a region: school month (1 = August
    ... 12 = July) → the number of days :func:`is_school_day` counts (every month present,
    0 for a month wholly in a holiday). Divided by 5 they give the school weeks of a month.
    Like :func:`school_weeks` it needs the holidays of the school year and of the previous
    one (whose summer holiday runs into August); raises
    :class:`~brugdata.errors.BrugdataError` otherwise."""
    year = _normal_school_year(school_year)
    counts = dict.fromkeys(range(1, 13), 0)
    for day in _school_days(year, region, extra, "days"):
        counts[(day.month + 4) % 12 + 1] += 1
    return counts


def _school_days(year: str, region: str, extra: pl.DataFrame | None, what: str) -> list[dt.date]:
    """The school days of the school year ``year`` (normalised) in ``region``; raises when
    the holidays of that year or the previous one are not known."""
    key = _check_region(region)
    frame = holidays(key, extra=extra)
    previous = f"{_first_year(year) - 1}-{_first_year(year)}"
    known = set(frame["school_year"].to_list())
    for needed in (year, previous):
        if needed not in known:
            raise BrugdataError(
                f"no school holidays known for {needed} in region {key}, needed to count the "
                f"school {what} of {year}; add them with load_rijksoverheid_json and pass the "
                "frame as extra"
            )
    spans = _holiday_spans(key, extra)
    start, end = school_year_start(year), school_year_end(year)
    days: list[dt.date] = []
    day = start
    while day <= end:
        if _school_day(day, spans):
            days.append(day)
        day += dt.timedelta(days=1)
    return days


# --------------------------------------------------------------------------- municipalities

#: Other names for municipalities (folded name → official name in the table): common short
#: names, and municipalities merged since 2019 (their schools may still carry the old name).
MUNICIPALITY_ALIASES: dict[str, str] = {
    "den bosch": "'s-Hertogenbosch",
    "hertogenbosch": "'s-Hertogenbosch",
    "den haag": "'s-Gravenhage",
    "the hague": "'s-Gravenhage",
    "s-gravenhage": "'s-Gravenhage",
    "bergen nh": "Bergen (NH.)",
    "bergen noord-holland": "Bergen (NH.)",
    "bergen l": "Bergen (L.)",
    "bergen limburg": "Bergen (L.)",
    "nuenen": "Nuenen, Gerwen en Nederwetten",
    "nuenen ca": "Nuenen, Gerwen en Nederwetten",
    "tietjerksteradeel": "Tytsjerksteradiel",
    "dantumadeel": "Dantumadiel",
    "weesp": "Amsterdam",
    "beemster": "Purmerend",
    "heerhugowaard": "Dijk en Waard",
    "langedijk": "Dijk en Waard",
    "brielle": "Voorne aan Zee",
    "hellevoetsluis": "Voorne aan Zee",
    "westvoorne": "Voorne aan Zee",
    "uden": "Maashorst",
    "landerd": "Maashorst",
    "boxmeer": "Land van Cuijk",
    "cuijk": "Land van Cuijk",
    "grave": "Land van Cuijk",
    "mill en sint hubert": "Land van Cuijk",
    "sint anthonis": "Land van Cuijk",
    "appingedam": "Eemsdelta",
    "delfzijl": "Eemsdelta",
    "loppersum": "Eemsdelta",
    "haaren": "Vught",
    "vianen": "Vijfheerenlanden",
    "leerdam": "Vijfheerenlanden",
    "zederik": "Vijfheerenlanden",
    "aalburg": "Altena",
    "werkendam": "Altena",
    "woudrichem": "Altena",
    "geldermalsen": "West Betuwe",
    "lingewaal": "West Betuwe",
    "neerijnen": "West Betuwe",
    "giessenlanden": "Molenlanden",
    "molenwaard": "Molenlanden",
    "noordwijkerhout": "Noordwijk",
    "haarlemmerliede en spaarnwoude": "Haarlemmermeer",
    "onderbanken": "Beekdaelen",
    "nuth": "Beekdaelen",
    "schinnen": "Beekdaelen",
    "groesbeek": "Berg en Dal",
    "rijnwaarden": "Zevenaar",
    "binnenmaas": "Hoeksche Waard",
    "cromstrijen": "Hoeksche Waard",
    "korendijk": "Hoeksche Waard",
    "oud-beijerland": "Hoeksche Waard",
    "strijen": "Hoeksche Waard",
    "leeuwarderadeel": "Leeuwarden",
}


def _municipality_key(name: str) -> str:
    key = fold(name).replace("(", "").replace(")", "")
    return re.sub(r"_+", "_", re.sub(r"[^a-z0-9_]", "", key)).strip("_")


@cache
def municipality_regions() -> pl.DataFrame:
    """The shipped table of municipalities: municipality, province, region."""
    data = files("brugdata.model.data").joinpath(MUNICIPALITIES_FILE).read_bytes()
    return pl.read_csv(
        data,
        schema={"municipality": pl.String, "province": pl.String, "region": pl.String},
    )


@cache
def _municipality_lookup() -> dict[str, str]:
    table = municipality_regions()
    regions = dict(zip(table["municipality"], table["region"], strict=True))
    lookup: dict[str, str] = {}
    for alias, official in MUNICIPALITY_ALIASES.items():
        lookup[_municipality_key(alias)] = regions[official]
    for official, region in regions.items():
        lookup[_municipality_key(official)] = region
    lookup.pop("bergen", None)  # Bergen (NH.) is noord, Bergen (L.) zuid: ambiguous
    return lookup


def region_of(municipality: str | None) -> str | None:
    """The holiday region (noord, midden, zuid) of a municipality, from the shipped table;
    names are matched without regard to case, accents, apostrophes and hyphens, and a few
    other names are known (``Den Bosch``, ``Den Haag``, municipalities merged since 2019).
    None when the name is unknown, or ambiguous (``Bergen``: say ``Bergen (NH.)`` or
    ``Bergen (L.)``)."""
    if municipality is None or not str(municipality).strip():
        return None
    return _municipality_lookup().get(_municipality_key(str(municipality)))

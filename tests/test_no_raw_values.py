"""Personal data is never kept or shown (issue 18): identifiers in everyday forms, personal data
in the wrong columns, in free text and in a folder name go in; no byte of the store, its side
files, the report, the rejects export or any ``analyse --publish`` output holds one of them."""

from __future__ import annotations

import stat
import string
from pathlib import Path

import polars as pl
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

import brugdata
from brugdata.analysis import ANALYSES
from brugdata.cli.app import app
from brugdata.ingest.privacy import (
    elfproef,
    find_personal_data,
    might_hold_personal_data,
    pseudonym,
    redact,
    redact_label,
)
from tests.conftest import OFFICERS, PARTNERS, SCHOOLS, TEST_KEY, TODAY, write_csv

runner = CliRunner()

HEADER = (
    "contact_id;datum;functionaris;school;gesprekspartner;persoon;gezin;thema;kanaal;notitie;"
    "Lotte Visser\n"
)
#: (contact_id, date, school, person, family, themes, channel, notes): the valid rows hold
#: identifiers in everyday forms and personal data in their notes; the others hold personal
#: data where a code, a date or a school belongs
ROWS = [
    (
        "C-1",
        "14-03-2025",
        "91AB00",
        "Jansen2014",
        "fam-devries-1",
        "armoede",
        "telefoon",
        "BSN 111 222 333, moeder belt (06) 87654321",
    ),
    (
        "C-2",
        "15-03-2025",
        "91AB00",
        "Pietje.Puk-2013",
        "Bakker3",
        "taal",
        "telefoon",
        "vader: 06.87654321 of +31 (0) 6 11223344",
    ),
    (
        "C-3",
        "16-03-2025",
        "91AB00",
        "jjansen_2012",
        "Yilmaz-gezin1",
        "armoede",
        "telefoon",
        "woont Kerkstraat 12 in Hilversum, BSN 111-222-333",
    ),
    (
        "C-4",
        "17-03-2025",
        "91AB00",
        "Sophie_de_Vries_7b",
        "fam-devries-1",
        "taal",
        "telefoon",
        "mail s.devries@voorbeeld.nl",
    ),
    ("C-5", "18-03-2025", "91AB00", "BSN111222333", "Bakker3", "armoede", "bel 06-22334455", ""),
    (
        "C-6",
        "19-03-2025",
        "91AB00",
        "P-6",
        "G-6",
        "moeder Fatima Yilmaz BSN 123456782",
        "telefoon",
        "",
    ),
    ("C-7", "111222333", "91AB00", "P-7", "G-7", "armoede", "telefoon", ""),
    ("C-8", "20-03-2025", "j.jansen@voorbeeld.nl", "P-8", "G-8", "armoede", "telefoon", ""),
]
#: a contacts file without its header row: its first row holds a name, a BSN and a phone
HEADERLESS = (
    "C-9;21-03-2025;O-1;91AB00;ouder;Lotte Visser;123456782;armoede;06-99887766\n"
    "C-10;22-03-2025;O-1;91AB00;ouder;P-10;G-10;armoede;telefoon\n"
)
FOLDER = "dossier Emma de Boer 06-11112222"
SURVEY = (
    "officer_id,pilot,school_year,school_type,parents_helped,pupils_helped,families_total,"
    "pupils_total,pct_pupil_cases_parents_spoken,internal_contacts,external_contacts\n"
    "R-1,p1,2024-2025,po,20,30,120,200,50,5,4\n"
    "R-2,p2,2024-2025,vo,15,40,600,800,40,6,3\n"
)
SURVEY_TIME_USE = (
    "functionaris;pilot;schooljaar;taak;aandeel\n"
    "R-1;p1;2024-2025;samenwerking sociaal domein;60\n"
    "R-1;p1;2024-2025;ondersteuning schoolteam;40\n"
    "R-2;p2;2024-2025;ondersteuning schoolteam;100\n"
)
SURVEY_PARTNERS = (
    "officer_id,pilot,school_year,organisation,kind\n"
    "R-1,p1,2024-2025,Wijkteam Oost (tel. 030-7654321),wijkteam\n"
)
SURVEY_THEMES = "officer_id,pilot,school_year,asker,theme\nR-1,p1,2024-2025,parent,armoede\n"
SURVEY_ANSWERS = (
    "officer_id,pilot,school_year,relation,kind,text\n"
    "R-1,p1,2024-2025,parents,works,bel mij op 06-55443322 of mail a.bakker@voorbeeld.nl\n"
    "R-2,p2,2024-2025,pupils,bottleneck,wachttijden\n"
)

#: Every raw value of the case: none may reach a byte of the store or an output.
RAW = [
    "Jansen2014", "Pietje", "Puk-2013", "jjansen", "Sophie", "de_Vries", "BSN111222333",
    "fam-devries", "devries", "Bakker3", "Yilmaz", "111 222 333", "111-222-333", "111222333",
    "87654321", "11223344", "Kerkstraat", "22334455", "Fatima", "123456782", "voorbeeld.nl",
    "Lotte", "Visser", "99887766", "Emma", "de Boer", "11112222", "55443322", "a.bakker",
    "7654321",
]  # fmt: skip


def _case(root: Path) -> Path:
    """The folder to ingest: the reference tables, and the contacts in a folder named after
    a child with a phone number."""
    data = root / "data"
    folder = data / FOLDER
    folder.mkdir(parents=True)
    write_csv(data, "schools.csv", SCHOOLS)
    write_csv(data, "officers.csv", OFFICERS)
    write_csv(data, "partners.csv", PARTNERS)
    write_csv(data, "survey.csv", SURVEY)  # the questionnaire analyses get answers
    write_csv(data, "survey_time_use.csv", SURVEY_TIME_USE)
    write_csv(data, "survey_partners.csv", SURVEY_PARTNERS)
    write_csv(data, "survey_themes.csv", SURVEY_THEMES)
    write_csv(data, "survey_answers.csv", SURVEY_ANSWERS)
    lines = [
        f"{cid};{date};O-1;{school};ouder;{person};{family};{themes};{channel};{notes};x"
        for cid, date, school, person, family, themes, channel, notes in ROWS
    ]
    write_csv(folder, "contacten.csv", HEADER + "\n".join(lines) + "\n")
    write_csv(folder, "contacten_zonder_kop.csv", HEADERLESS)
    return data


def _find_raw(blob: bytes, where: str) -> list[str]:
    text = blob.decode("utf-8", errors="replace").casefold()
    return [f"{raw!r} in {where}" for raw in RAW if raw.casefold() in text]


def test_no_raw_value_reaches_the_store_or_any_output(tmp_path: Path) -> None:
    data = _case(tmp_path)
    db = tmp_path / "store" / "s.duckdb"
    db.parent.mkdir()
    key = tmp_path / "key"
    made = runner.invoke(app, ["key", "new", "--out", str(key)])
    assert made.exit_code == 0, made.output
    from brugdata.config import settings as config

    saved = config.pseudonym_key_value, config.pseudonym_key_file
    config.pseudonym_key_value, config.pseudonym_key_file = None, str(key)
    try:
        ingest = runner.invoke(app, ["ingest", str(data), "--db", str(db)])
    finally:
        config.pseudonym_key_value, config.pseudonym_key_file = saved
    assert ingest.exit_code == 2, ingest.output  # the file without a header row is refused
    assert "contacten_zonder_kop.csv: the first row looks like data" in ingest.output
    outputs: dict[str, bytes] = {}
    report = tmp_path / "out" / "report.html"
    done = runner.invoke(app, ["report", "--db", str(db), "--out", str(report)])
    assert done.exit_code == 0, done.output
    outputs["report"] = report.read_bytes()
    for fmt in ("table", "csv", "json"):
        shown = runner.invoke(app, ["rejects", "--db", str(db), "--format", fmt])
        assert shown.exit_code == 0, shown.output
        outputs[f"rejects {fmt}"] = shown.stdout.encode()
        for name in ANALYSES:
            result = runner.invoke(
                app, ["analyse", name, "--db", str(db), "--publish", "--format", fmt]
            )
            outputs[f"analyse {name} {fmt}"] = result.output.encode()
            if result.exit_code == 2:  # one row per case, free text: never published
                assert "cannot publish" in result.output, (name, result.output)
                assert "declared" not in result.output, (name, result.output)
                continue
            assert result.exit_code == 0, (name, result.output)

    with brugdata.open(db, read_only=True) as s:
        # what was loaded and rejected, as planned
        assert s.table("contacts")["contact_id"].to_list() == ["C-1", "C-2", "C-3", "C-4"]
        rejects = s.rejects()
        dump = "".join(
            str(s.sql(f"SELECT * FROM {t}").rows())
            for t in s.sql("SELECT table_name FROM duckdb_tables()")["table_name"]
        )
        ingests = s.ingests().filter(pl.col("table_name") == "contacts")
        answers = s.table("survey_answers")["text"].to_list()
    assert sorted(set(rejects["column"].to_list())) == [
        "channel",
        "date",
        "school_id",
        "themes",
    ]
    # the values kept are redacted, the messages quote them redacted
    by_column = {r["column"]: r for r in rejects.iter_rows(named=True)}
    assert by_column["channel"]["value"] == "bel [telefoon]"
    assert by_column["themes"]["value"] == "moeder [naam] BSN [BSN]"
    assert by_column["date"]["value"] == "[BSN]"
    assert by_column["school_id"]["value"] == "[e-mail]"
    assert "'[e-mail]'" in by_column["school_id"]["message"]
    # provenance: relative to the folder ingested, redacted; a data-like column not named
    assert ingests["path"].to_list() == ["dossier [naam] [telefoon]/contacten.csv"]
    assert ingests["file_name"].to_list() == ["contacten.csv"]
    assert ingests["unknown_columns"].to_list() == [["(column 11)"]]
    assert ingests["pseudonymised"].to_list() == [16]
    assert answers == [
        "bel mij op [telefoon] of mail [e-mail]",
        "wachttijden",
    ]  # 8 rows × 2 key columns

    found = _find_raw(dump.encode(), "the store's tables")
    store_files = sorted(p for p in db.parent.iterdir())
    # no copy and no WAL left; the store and its lock private
    assert [p.name for p in store_files] == ["s.duckdb", "s.duckdb.lock"]
    assert {stat.S_IMODE(p.stat().st_mode) for p in store_files} == {0o600}
    for path in store_files:
        found += _find_raw(path.read_bytes(), path.name)
    for name, blob in outputs.items():
        found += _find_raw(blob, name)
    assert found == []


def test_the_pseudonyms_are_the_keyed_hmac_of_every_value(tmp_path: Path) -> None:
    data = _case(tmp_path)
    with brugdata.open(tmp_path / "s.duckdb") as s:
        s.ingest(data, today=TODAY)
        got = s.table("contacts").select("person_key", "family_key").rows()
    key = TEST_KEY.encode()
    assert got == [(pseudonym(r[3], key), pseudonym(r[4], key)) for r in ROWS[:4]]


# ------------------------------------------------------------------ hypothesis

_DIGITS = st.text(string.digits, min_size=1, max_size=1)


@st.composite
def bsns(draw: st.DrawFn) -> str:
    """A 9-digit number passing the elfproef, written as people write it."""
    first = draw(st.lists(st.integers(0, 9), min_size=8, max_size=8))
    total = sum((9 - i) * d for i, d in enumerate(first))
    assume(total % 11 <= 9 and total >= 11)
    digits = "".join(map(str, [*first, total % 11]))
    assert elfproef(digits)
    sep = draw(st.sampled_from(["", " ", "-", "."]))
    if draw(st.booleans()):
        return sep.join([digits[:3], digits[3:6], digits[6:]])
    return sep.join([digits[:4], digits[4:6], digits[6:]])


@st.composite
def phones(draw: st.DrawFn) -> str:
    """A Dutch phone number in one of its everyday forms."""
    rest = draw(st.text(string.digits, min_size=8, max_size=8))
    form = draw(st.integers(0, 9))
    return [
        f"06{rest}",
        f"06-{rest}",
        f"06 {rest[:2]} {rest[2:4]} {rest[4:6]} {rest[6:]}",
        f"(06) {rest}",
        f"06.{rest}",
        f"+316{rest}",
        f"+31 (0) 6 {rest}",
        f"0031 6 {rest}",
        f"+31-6-{rest}",
        f"030-{rest[:7]}",
    ][form]


@st.composite
def emails(draw: st.DrawFn) -> str:
    user = draw(st.text(string.ascii_lowercase + ".", min_size=1, max_size=8).filter(
        lambda u: not u.startswith(".") and not u.endswith(".")))  # fmt: skip
    host = draw(st.text(string.ascii_lowercase, min_size=2, max_size=8))
    return f"{user}@{host}.nl"


@st.composite
def addresses(draw: st.DrawFn) -> str:
    street = draw(st.sampled_from(["Kerk", "Dorps", "Molen", "School", "Beuken", "Hoofd"]))
    kind = draw(st.sampled_from(["straat", "laan", "weg", "plein", "gracht", "kade"]))
    number = draw(st.integers(1, 999))
    suffix = draw(st.sampled_from(["", "a", "-2", " b"]))
    postcode = draw(st.sampled_from(["", ", 1234 AB", " 3511CX Utrecht"]))
    return f"{street}{kind} {number}{suffix}{postcode}"


_WORDS = st.sampled_from(
    ["moeder", "belde", "over", "groep", "7", "de", "leerkracht", "afspraak", "week", "3",
     "keer", "2024-2025", "om", "10:30", "op", "12-03-2025", "tolk", "geregeld", ","]
)  # fmt: skip


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    before=st.lists(_WORDS, max_size=4),
    after=st.lists(_WORDS, max_size=4),
    data=st.data(),
)
def test_personal_data_in_free_text_never_survives(
    before: list[str], after: list[str], data: st.DataObject
) -> None:
    kind = data.draw(st.sampled_from(["bsn", "phone", "email", "address"]))
    strategy = {"bsn": bsns(), "phone": phones(), "email": emails(), "address": addresses()}
    value = data.draw(strategy[kind])
    text = " ".join([*before, value, *after])
    clean, counts = redact(text)
    assert value not in clean
    assert counts.get(kind, 0) >= 1, (kind, clean)
    assert sum(counts.values()) >= 1
    assert find_personal_data(text)
    # the fast pre-filter never lets through what redaction would find
    assert pl.select(might_hold_personal_data(pl.lit(text))).item()
    assert value not in redact_label(text)


@settings(max_examples=150, deadline=None)
@given(
    value=st.one_of(
        st.text(min_size=1, max_size=30).filter(lambda v: v.strip() != ""),
        st.from_regex(r"[A-Z][a-z]{2,8}[._-]?[a-z]{0,6}\d{0,4}", fullmatch=True),
    )
)
def test_every_key_value_is_pseudonymised(value: str) -> None:
    from brugdata.ingest.validate import Privacy
    from brugdata.ingest.validate.guard import guard
    from brugdata.model.tables import table

    spec = table("contacts")
    frame = pl.DataFrame(
        {"_idx": [0], "_line": [2], "_problem": [None]}
        | {c: [value if c in ("person_key", "family_key") else None] for c in spec.column_names},
        schema_overrides={"_problem": pl.String} | {c: pl.String for c in spec.column_names},
    )
    key = b"hypothesis-key-9fK3mQ"
    out, failures, counts = guard(frame, spec, Privacy(key, "error"), Path("x.csv"))
    assert failures == []
    got = out.row(0, named=True)
    if value.strip().startswith("PS1-") and len(value.strip()) == 20:
        return  # may be a pseudonym already
    assert got["person_key"] == got["family_key"] == pseudonym(value, key)
    assert counts["pseudonymised"] == {"person_key": 1, "family_key": 1}


@pytest.mark.parametrize("value", ["Lotte Visser", "06-12345678", "111222333", "a@b.nl"])
def test_a_header_row_of_data_is_refused(tmp_path: Path, value: str) -> None:
    write_csv(tmp_path, "contacten.csv", f"C-1,14-03-2025,{value},O-1\nC-2,15-03-2025,x,O-1\n")
    result = brugdata.validate(tmp_path, today=TODAY)
    assert result.files == []
    assert len(result.errors) == 1
    message = result.errors[0].message
    assert message.startswith("contacten.csv: the first row looks like data")
    assert value not in message
    assert value not in result.to_json()

"""Privacy: keyed pseudonyms, redaction of personal data, small-cell protection."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

import brugdata
from brugdata.config import Settings
from brugdata.errors import BrugdataError, StoreError
from brugdata.ingest.privacy import (
    elfproef,
    find_personal_data,
    hmac_sha256,
    pseudonym,
    pseudonym_series,
    pseudonyms,
    redact,
)
from brugdata.publish.protect import protect, suppress
from tests.conftest import TODAY, write_csv

KEY = b"test-key-0123456789abcdef"

HEADER = "contact_id;datum;functionaris;school;gesprekspartner;persoon;gezin;thema;notitie\n"


def contacts(folder: Path, name: str, *rows: str) -> Path:
    return write_csv(folder, name, HEADER + "".join(r + "\n" for r in rows))


# ------------------------------------------------------------------ pseudonyms


#: Values and the pseudonyms brugdata 0.x made of them under KEY: stores hold these, so
#: they may never change (white space, case folding beyond ASCII, control characters).
PINNED = {
    "Jan Jansen": "PS1-2d624e9f251f2c17",
    "  jan   JANSEN ": "PS1-2d624e9f251f2c17",
    "P-123": "PS1-26986340bf9bb10d",
    "Straße": "PS1-9ed4b3b0e9aeef23",
    "İstanbul": "PS1-533e83ab8742135d",
    "a\tb\x1cc": "PS1-845134ab0f2a184c",
    "ÉMILE": "PS1-5f3a422331c8a7bb",
    "": "PS1-3c179bf9f2fdcf70",
    "x" * 200: "PS1-f6dafb3fda01f589",
    "PS1-12ab": "PS1-333de8f789921609",
}


def test_pseudonyms_are_the_pinned_ones_every_way_they_are_made() -> None:
    values = list(PINNED)
    assert pseudonyms(values, KEY) == list(PINNED.values())
    assert [pseudonym(v, KEY) for v in values] == list(PINNED.values())
    series = pseudonym_series(pl.Series("person_key", values), KEY)
    assert series.name == "person_key"
    assert series.to_list() == list(PINNED.values())
    assert pseudonym_series(pl.Series("k", [], dtype=pl.String), KEY).len() == 0
    # a key longer than SHA-256's block is hashed first, as HMAC does
    assert pseudonym("Jan Jansen", b"k" * 100) == "PS1-1b5b8929ba535be3"


@pytest.mark.parametrize("key", [b"", b"short", KEY, b"k" * 64, b"k" * 65, b"k" * 200])
def test_hmac_sha256_is_hmac(key: bytes) -> None:
    import hmac

    messages = [b"", b"a", b"P-123", "Straße".encode(), b"x" * 1000]
    assert hmac_sha256(messages, key) == [hmac.digest(key, m, "sha256") for m in messages]


def test_pseudonym_is_keyed_stable_and_normalised() -> None:
    a = pseudonym("Jan Jansen", KEY)
    assert a == pseudonym("  jan   JANSEN ", KEY)
    assert a != pseudonym("Jan Jansen", b"another-key-0123456789")
    assert a.startswith("PS1-") and len(a) == 20
    # HMAC-SHA256("jan jansen") under KEY, first 16 hex digits, computed independently:
    import hashlib
    import hmac

    assert a[4:] == hmac.new(KEY, b"jan jansen", hashlib.sha256).hexdigest()[:16]


def test_ingest_replaces_identifiers_and_never_stores_them(tmp_path: Path, refs: Path) -> None:
    contacts(
        refs,
        "contacten_2024.csv",
        "C-1;14-03-2025;O-1;91AB00;ouder;Jan Jansen;Fam Jansen;armoede;",
        "C-2;31-02-2025;O-1;91AB00;ouder;Piet Pietersen;Fam Pietersen;taal;",
    )  # bad date
    later = tmp_path / "later"
    later.mkdir()
    contacts(
        later, "contacten_2025.csv", "C-3;15-03-2025;O-1;91AB00;leerling;jan  jansen;P-123;pesten;"
    )
    db = tmp_path / "s.duckdb"
    with brugdata.open(db) as s:
        first = s.ingest(refs, today=TODAY, pseudonym_key=KEY)
        s.ingest(later, today=TODAY, pseudonym_key=KEY)
        keys = s.table("contacts")["person_key"].to_list()
        families = s.table("contacts")["family_key"].to_list()
        ingests = s.ingests().filter(pl.col("table_name") == "contacts")
        rejected = s.rejected_rows()["data"].to_list()
    assert keys == [pseudonym("Jan Jansen", KEY)] * 2  # same person across files and years
    # every value of a key column is replaced, whatever it looks like (P-123 too)
    assert ingests["pseudonymised"].to_list() == [4, 2]
    assert families == [
        pseudonym("Fam Jansen", KEY),
        pseudonym("P-123", KEY),
    ]
    assert first.validation.files[-1].pseudonymised == {"person_key": 2, "family_key": 2}
    assert pseudonym("Piet Pietersen", KEY) in rejected[0]
    raw = db.read_bytes()
    for name in (b"Jansen", b"Pietersen", b"jansen"):
        assert name not in raw


@pytest.mark.usefixtures("no_key")
def test_ingest_without_a_key_stops_with_one_sentence_and_writes_nothing(
    tmp_path: Path, refs: Path
) -> None:
    # a key that does not look like a name (G-1) needs a key all the same
    contacts(refs, "contacten.csv", "C-1;14-03-2025;O-1;91AB00;ouder;Jan Jansen;G-1;armoede;")
    db = tmp_path / "s.duckdb"
    with brugdata.open(db) as s:
        with pytest.raises(BrugdataError) as info:
            s.ingest(refs, today=TODAY, pseudonym_key=None)
        assert s.counts()["schools"] == 0
    message = str(info.value)
    assert "contacten.csv: line 2, column person_key" in message
    assert "BRUGDATA_PSEUDONYM_KEY" in message
    assert "brugdata key new" in message
    assert "Jansen" not in message
    assert sorted(p.name for p in tmp_path.iterdir()) == ["refs"]  # no store file, no side file


@pytest.mark.usefixtures("no_key")
def test_an_ingest_without_person_keys_needs_no_key(tmp_path: Path, refs: Path) -> None:
    db = tmp_path / "s.duckdb"
    with brugdata.open(db) as s:
        s.ingest(refs, today=TODAY)
        assert s.counts()["schools"] == 3
        assert s.key_fingerprint is None


@pytest.mark.usefixtures("no_key")
def test_validate_without_a_key_uses_throwaway_pseudonyms(refs: Path) -> None:
    contacts(
        refs,
        "contacten.csv",
        "C-1;14-03-2025;O-1;91AB00;ouder;Jan Jansen;G-1;armoede;",
        "C-2;15-03-2025;O-1;91AB00;ouder;jan  jansen;Jansen2014;armoede;",
    )
    result = brugdata.validate(refs, today=TODAY)
    f = next(f for f in result.files if f.table == "contacts")
    assert f.rows_rejected == 0
    keys = f.valid["person_key"].to_list()
    assert keys[0] == keys[1] and keys[0].startswith("PS1-")  # one person within the call
    assert keys[0] != pseudonym("Jan Jansen", KEY)
    again = brugdata.validate(refs, today=TODAY).files[-1].valid["person_key"][0]
    assert again != keys[0]  # a key for that call only: nothing to link the pseudonyms by
    assert "Jansen" not in str(f.valid.to_dicts())
    assert f.pseudonymised == {"person_key": 2, "family_key": 2}


def test_a_store_refuses_a_second_key(tmp_path: Path, refs: Path) -> None:
    from brugdata.config import key_fingerprint

    contacts(refs, "contacten.csv", "C-1;14-03-2025;O-1;91AB00;ouder;P-1;G-1;armoede;")
    later = tmp_path / "later"
    later.mkdir()
    contacts(later, "contacten_2.csv", "C-2;14-03-2025;O-1;91AB00;ouder;P-2;G-2;armoede;")
    db = tmp_path / "s.duckdb"
    with brugdata.open(db) as s:
        s.ingest(refs, today=TODAY, pseudonym_key=KEY)
        assert s.key_fingerprint == key_fingerprint(KEY)
        with pytest.raises(StoreError, match="made with another key") as info:
            s.ingest(later, today=TODAY, pseudonym_key=b"another-key-0123456789")
        assert s.counts()["contacts"] == 1
        s.ingest(later, today=TODAY, pseudonym_key=KEY)
        assert s.counts()["contacts"] == 2
    assert "\n" not in str(info.value)
    assert KEY.decode() not in str(info.value) and KEY not in db.read_bytes()
    # the fingerprint is 16 hex digits of an HMAC under the key, not the key
    assert len(key_fingerprint(KEY)) == 16
    assert key_fingerprint(KEY) != key_fingerprint(b"another-key-0123456789")


@pytest.mark.parametrize(
    "key", ["0000000000000000", "0123456789abcdef", "abababababababab", "short-key"]
)
def test_weak_keys_are_refused(key: str, tmp_path: Path, refs: Path) -> None:
    with pytest.raises(BrugdataError, match="too (short|weak)"):
        Settings(pseudonym_key_value=key).pseudonym_key()
    with brugdata.open(tmp_path / "s.duckdb") as s, pytest.raises(BrugdataError):
        s.ingest(refs, today=TODAY, pseudonym_key=key.encode())
    assert not (tmp_path / "s.duckdb").exists()


def test_values_that_are_pseudonyms_already_stay(refs: Path) -> None:
    made = pseudonym("Jan Jansen", KEY)
    contacts(refs, "contacten.csv", f"C-1;14-03-2025;O-1;91AB00;ouder;{made};PS1-12ab;armoede;")
    f = brugdata.validate(refs, today=TODAY, pseudonym_key=KEY).files[-1]
    assert f.valid["person_key"].to_list() == [made]
    # PS1- with other than 16 hex digits is not one of ours: pseudonymised like any value
    assert f.valid["family_key"].to_list() == [pseudonym("PS1-12ab", KEY)]
    assert f.pseudonymised == {"family_key": 1}


def test_key_settings(tmp_path: Path) -> None:
    key_file = tmp_path / "key"
    key_file.write_text("a-long-enough-secret-key\n")
    assert Settings(pseudonym_key_file=str(key_file)).pseudonym_key() == (
        b"a-long-enough-secret-key"
    )
    assert Settings().pseudonym_key() is None
    with pytest.raises(BrugdataError, match="too short"):
        Settings(pseudonym_key_value="short").pseudonym_key()
    with pytest.raises(BrugdataError, match="cannot read the key"):
        Settings(pseudonym_key_file=str(tmp_path / "missing")).pseudonym_key()


# ------------------------------------------------------------------ free text


@pytest.mark.parametrize(
    ("digits", "ok"),
    [("111222333", True), ("123456782", True), ("123456789", False), ("000000000", False)],
)
def test_elfproef(digits: str, ok: bool) -> None:
    # 111222333: 9+8+7+2*(6+5+4)+3*(3+2) - 3 = 66 = 6 × 11
    assert elfproef(digits) is ok


def test_personal_data_is_found_and_redacted() -> None:
    text = (
        "Moeder belde 06-12345678 en mailde jan@voorbeeld.nl; BSN 111222333; woont op "
        "1234 AB 12, vader op Kerkstraat 5a, 3511 CX."
    )
    clean, counts = redact(text)
    assert clean == (
        "Moeder belde [telefoon] en mailde [e-mail]; BSN [BSN]; woont op [adres], vader op [adres]."
    )
    assert counts == {"phone": 1, "email": 1, "bsn": 1, "address": 2}


#: Every pattern of free-text redaction, as docs/privacy.md lists it: id, text, redacted.
PATTERNS = [
    ("bsn-plain", "BSN 111222333.", "BSN [BSN]."),
    ("bsn-spaces", "bsn 111 222 333", "bsn [BSN]"),
    ("bsn-dashes", "bsn: 111-222-333", "bsn: [BSN]"),
    ("bsn-dots", "111.222.333 is bekend", "[BSN] is bekend"),
    ("bsn-4-2-3", "BSN 1112 22 333", "BSN [BSN]"),
    ("phone-mobile", "bel 06-12345678", "bel [telefoon]"),
    ("phone-plain", "bel 0612345678", "bel [telefoon]"),
    ("phone-pairs", "bel 06 12 34 56 78", "bel [telefoon]"),
    ("phone-brackets", "bel (06) 87654321", "bel [telefoon]"),
    ("phone-dots", "bel 06.87654321", "bel [telefoon]"),
    ("phone-plus31", "bel +31612345678", "bel [telefoon]"),
    ("phone-plus31-0", "bel +31 (0) 6 11223344", "bel [telefoon]"),
    ("phone-0031", "bel 0031 6 11223344", "bel [telefoon]"),
    ("phone-landline", "school 030-1234567", "school [telefoon]"),
    ("phone-landline-brackets", "school (030) 123 45 67", "school [telefoon]"),
    ("email", "mail jan.jansen@voorbeeld.nl", "mail [e-mail]"),
    ("address-street", "Kerkstraat 12 in Hilversum", "[adres] in Hilversum"),
    ("address-street-letter", "woont Dorpsweg 3a", "woont [adres]"),
    ("address-street-range", "woont Molenlaan 3-5", "woont [adres]"),
    ("address-laan-van", "Laan van Meerdervoort 112", "[adres]"),
    ("address-postcode-number", "op 1234 AB 12", "op [adres]"),
    ("address-street-postcode", "Kerkstraat 5a, 3511 CX", "[adres]"),
    ("address-postcode-place", "in 3511CX Utrecht", "in [adres]"),
]


@pytest.mark.parametrize(("text", "clean"), [p[1:] for p in PATTERNS], ids=[p[0] for p in PATTERNS])
def test_redaction_pattern(text: str, clean: str) -> None:
    assert redact(text)[0] == clean
    assert sum(redact(text)[1].values()) == 1


def test_names_in_free_text_are_not_found_but_labels_mask_them() -> None:
    from brugdata.ingest.privacy import redact_label

    assert redact("gesprek met Emma de Boer") == ("gesprek met Emma de Boer", {})
    assert redact_label("dossier Emma de Boer 06-11112222") == "dossier [naam] [telefoon]"
    assert redact_label("Sophie_de_Vries_7b") == "[naam]_7b"
    assert redact_label("contacten_2024.csv") == "contacten_2024.csv"


def test_the_privacy_doc_lists_every_pattern() -> None:
    doc = (Path(__file__).resolve().parents[1] / "docs" / "privacy.md").read_text("utf-8")
    for pid, text, _ in PATTERNS:
        assert f"`test_redaction_pattern[{pid}]`" in doc, pid
        assert f"`{text}`" in doc, pid


@pytest.mark.parametrize(
    "text",
    [
        "groep 7 en groep 8",
        "schooljaar 2024-2025",
        "gesprek op 12-03-2025 om 10:30",
        "nummer 123456789",
        "zie dossier 1234",
        "van 01-02-2025 03-04-2025",  # two dates are not a phone number
        "verloop 2 weken",  # not a street
        "Van de 3 kinderen",
        "onderweg 2 keer",
    ],
)
def test_ordinary_text_is_left_alone(text: str) -> None:
    assert find_personal_data(text) == []
    assert redact(text) == (text, {})


def test_notes_are_redacted_at_ingest_and_counted(tmp_path: Path, refs: Path) -> None:
    contacts(
        refs,
        "contacten.csv",
        "C-1;14-03-2025;O-1;91AB00;ouder;P-1;G-1;armoede;Bel 06-12345678 of 0612345678",
        "C-2;14-03-2025;O-1;91AB00;ouder;P-2;G-2;taal;Tolk geregeld",
    )
    db = tmp_path / "s.duckdb"
    with brugdata.open(db) as s:
        result = s.ingest(refs, today=TODAY)
        notes = s.table("contacts")["notes"].to_list()
        redacted = s.ingests().filter(pl.col("table_name") == "contacts")["redacted"][0]
    assert notes == ["Bel [telefoon] of [telefoon]", "Tolk geregeld"]
    assert result.validation.files[-1].redacted == {"phone": 2}
    assert redacted == 2
    assert b"12345678" not in db.read_bytes()


def test_personal_data_can_reject_the_row_instead(tmp_path: Path, refs: Path) -> None:
    contacts(
        refs,
        "contacten.csv",
        "C-1;14-03-2025;O-1;91AB00;ouder;P-1;G-1;armoede;mail jan@voorbeeld.nl",
    )
    db = tmp_path / "s.duckdb"
    with brugdata.open(db) as s:
        s.ingest(refs, today=TODAY, personal_data="reject")
        rejects = s.rejects().select("line", "column", "rule", "value", "message").rows()
        data = s.rejected_rows()["data"][0]
    assert rejects == [(2, "notes", "personal_data", None, "holds personal data (email)")]
    assert "[e-mail]" in data
    assert b"voorbeeld" not in db.read_bytes()


# ------------------------------------------------------------------ small cells


def test_suppress_primary_and_complementary_within_groups() -> None:
    frame = pl.DataFrame(
        {
            "pilot": ["A", "A", "A", "A", "B", "B"],
            "school_id": list("abcdef"),
            "reached": [3, 20, 25, 40, 5, 0],
            "pct": [1.0, 2.0, 3.0, 4.0, 5.0, 6.0],
        }
    )
    out = suppress(frame, ["reached"], by=["pilot"], derived=["pct"], threshold=10)
    # A: 3 is small; alone in its group, so the smallest other non-zero (20) goes too.
    # B: 5 is small, the only other cell is 0: nothing more to hide.
    assert out["reached"].to_list() == ["<10", "x", "25", "40", "<10", "0"]
    assert out["pct"].to_list() == [None, None, 3.0, 4.0, None, 6.0]


def test_suppress_hides_a_second_part_of_a_row_total() -> None:
    frame = pl.DataFrame(
        {
            "pilot": ["A", "B"],
            "cases": [30, 25],
            "no_referral": [12, 18],
            "light": [13, 6],
            "specialised": [5, 1],
        }
    )
    out = suppress(frame, ["cases", "no_referral", "light", "specialised"], threshold=10)
    # A: specialised 5 alone is hidden, cases − no_referral − light would give it: hide light
    assert out.row(0) == ("A", "30", "12", "x", "<10")
    assert out.row(1) == ("B", "25", "18", "<10", "<10")


def test_protect_uses_the_settings_threshold(monkeypatch: pytest.MonkeyPatch) -> None:
    from brugdata.config import settings

    frame = pl.DataFrame({"pilot": ["A", "B", "C"], "reached": [12, 30, 40]})
    monkeypatch.setattr(settings, "small_cell_threshold", 15)
    # 12 < 15 is hidden; the pilots add up to a total, so the next smallest (30) goes too
    assert protect("reach", frame)["reached"].to_list() == ["<15", "x", "40"]
    assert protect("reach", frame, threshold=10)["reached"].to_list() == ["12", "30", "40"]


def test_protect_hides_every_figure_derived_from_a_small_count() -> None:
    """Regression: reach's pct_low/pct_high (DUO bounds) and seasonality's rates per school
    week give the hidden count back (pct_low × pupils_high) unless hidden with it."""
    reach_rows = pl.DataFrame(
        {
            "pilot": ["A", "B", "C"],
            "counterpart": ["pupil"] * 3,
            "reached": [4, 30, 40],
            "population": [100, 200, 300],
            "pct": [4.0, 15.0, 13.3],
            "pct_low": [3.9, 14.9, 13.2],
            "pct_high": [4.1, 15.1, 13.4],
        }
    )
    out = protect("reach", reach_rows, threshold=10)
    assert out["reached"].to_list() == ["<10", "x", "40"]
    for column in ("pct", "pct_low", "pct_high"):
        assert out[column].to_list() == [None, None, reach_rows[column][2]], column
    monthly = pl.DataFrame(
        {
            "pilot": ["A", "A"],
            "theme": ["armoede", "armoede"],
            "school_month": [1, 2],
            "contacts": [3, 50],
            "school_weeks": [2.0, 4.0],
            "contacts_per_school_week": [1.5, 12.5],
            "school_week_index": [0.2, 1.6],
            "seasonal_index": [0.7, 1.3],
        }
    )
    out = protect("seasonality", monthly, threshold=10)
    assert out["contacts"].to_list()[0] == "<10"
    for column in ("contacts_per_school_week", "school_week_index", "seasonal_index"):
        assert out[column][0] is None, column
    assert out["school_weeks"].to_list() == [2.0, 4.0]  # the calendar is not about people


def test_protect_compare_hides_small_counts_and_their_percentages() -> None:
    frame = pl.DataFrame(
        {
            "pilot": ["A", "A", "A", "B"],
            "metric": ["parents_reached", "parents_reached_pct", "schools", "parents_reached"],
            "value": [7.0, 3.5, 2.0, 40.0],
            "ci_low": [None, 1.0, None, None],
            "ci_high": [None, 7.0, None, None],
        }
    )
    out = protect("compare", frame, threshold=10)
    assert out["suppressed"].to_list() == ["<10", "x", None, None]
    assert out["value"].to_list() == [None, None, 2.0, 40.0]
    assert out["ci_low"].to_list() == [None, None, None, None]


def test_the_report_protects_small_cells_by_default(
    tmp_path: Path, refs: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from brugdata.config import settings
    from brugdata.publish.report import report_html

    contacts(
        refs,
        "contacten.csv",
        "C-1;14-03-2025;O-1;91AB00;ouder;P-1;G-1;armoede;",
        "C-2;15-03-2025;O-1;91AB00;leerling;P-2;G-1;taal;",
    )
    with brugdata.open(tmp_path / "s.duckdb") as s:
        s.ingest(refs, today=TODAY)
        protected = report_html(s)
        monkeypatch.setattr(settings, "protect", False)
        open_html = report_html(s)
    assert "&lt;10" in protected  # 1 family and 1 pupil reached: hidden
    assert "&lt;10" not in open_html

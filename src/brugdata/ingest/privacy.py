"""Privacy at ingest: keyed pseudonyms and redaction of personal data in free text (what is
published is protected by :mod:`brugdata.publish.protect`).

- :func:`pseudonym` replaces a direct identifier (a name, a pupil number, an e-mail) by
  ``PS1-`` and 16 hex digits of HMAC-SHA256 under a key kept outside the store: the same key
  gives the same pseudonym in every file and year; without the key it cannot be reversed or
  recomputed.
- :func:`find_personal_data` / :func:`redact` find BSNs (9 digits passing the elfproef), phone
  numbers, e-mail addresses and postcodes with a house number in free text.
"""

from __future__ import annotations

import hashlib
import hmac
import re

import polars as pl

__all__ = [
    "PII_KINDS",
    "elfproef",
    "find_personal_data",
    "is_direct_identifier",
    "might_hold_personal_data",
    "pseudonym",
    "redact",
]

# --------------------------------------------------------------------------- pseudonyms

_SPACES = re.compile(r"\s+")


def pseudonym(value: str, key: bytes) -> str:
    """The keyed pseudonym of ``value``: ``PS1-`` + 16 hex digits of HMAC-SHA256. Case and
    runs of white space do not matter (``"Jan  Jansen"`` and ``"jan jansen"`` are one person)."""
    normal = _SPACES.sub(" ", value.strip()).casefold()
    return "PS1-" + hmac.new(key, normal.encode("utf-8"), hashlib.sha256).hexdigest()[:16]


def is_direct_identifier(values: pl.Expr) -> pl.Expr:
    """True where a person or family key looks like a direct identifier rather than a
    pseudonym: an e-mail address, a name (white space, or no digit at all), or a bare number
    of 6 digits or more (a pupil number, BSN or phone number)."""
    text = values.str.strip_chars()
    return (
        text.str.contains("@")
        | text.str.contains(r"\s")
        | ~text.str.contains(r"\d")
        | text.str.contains(r"^\+?[\d.\- ]{6,}$")
    ).fill_null(False)


# --------------------------------------------------------------------------- free text

#: Kinds of personal data found in free text, with the mark that replaces them.
PII_KINDS: dict[str, str] = {
    "email": "[e-mail]",
    "bsn": "[BSN]",
    "phone": "[telefoon]",
    "address": "[adres]",
}

_EMAIL = r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+"
_BSN_CANDIDATE = r"(?<![\d+])\d{4}[. ]?\d{2}[. ]?\d{3}(?![\d])"
_PHONE = r"(?:(?:\+|00)31[\s-]?(?:\(0\))?|\b0)(?:[1-9](?:[\s-]?\d){8})\b"
_POSTCODE = r"[1-9]\d{3}\s?[A-Z]{2}"
_ADDRESS = (
    rf"\b{_POSTCODE}\s*,?\s+\d{{1,5}}[a-zA-Z]?\b"  # 1234 AB 12, 1234AB 12a
    rf"|\b\d{{1,5}}[a-zA-Z]?\s*,\s*{_POSTCODE}\b"  # Kerkstraat 12, 1234 AB
)


def elfproef(digits: str) -> bool:
    """The BSN eleven test: 9·d1 + 8·d2 + … + 2·d8 − d9 is a multiple of 11 (and not 0)."""
    d = [int(c) for c in digits if c.isdigit()]
    if len(d) != 9:
        return False
    total = sum((9 - i) * d[i] for i in range(8)) - d[8]
    return total % 11 == 0 and total != 0


_PY_EMAIL = re.compile(_EMAIL)
_PY_BSN = re.compile(_BSN_CANDIDATE.replace("(?<![\\d+])", r"(?<![\d+])"))
_PY_PHONE = re.compile(_PHONE)
_PY_ADDRESS = re.compile(_ADDRESS)


def find_personal_data(text: str) -> list[tuple[str, str]]:
    """Every (kind, value) of personal data in ``text``; kinds as in :data:`PII_KINDS`."""
    found: list[tuple[str, str]] = []
    rest = text
    for kind, pattern in (("email", _PY_EMAIL), ("address", _PY_ADDRESS)):
        for m in pattern.finditer(rest):
            found.append((kind, m.group(0)))
        rest = pattern.sub(" ", rest)
    for m in _PY_BSN.finditer(rest):
        if elfproef(m.group(0)):
            found.append(("bsn", m.group(0)))
    rest = _PY_BSN.sub(lambda m: " " if elfproef(m.group(0)) else m.group(0), rest)
    found.extend(("phone", m.group(0)) for m in _PY_PHONE.finditer(rest))
    return found


def redact(text: str) -> tuple[str, dict[str, int]]:
    """``text`` with its personal data replaced by marks (``[BSN]``, ``[telefoon]``, ...), and
    how many of each kind were replaced."""
    counts: dict[str, int] = {}

    def mark(kind: str) -> str:
        counts[kind] = counts.get(kind, 0) + 1
        return PII_KINDS[kind]

    out = _PY_EMAIL.sub(lambda m: mark("email"), text)
    out = _PY_ADDRESS.sub(lambda m: mark("address"), out)
    out = _PY_BSN.sub(lambda m: mark("bsn") if elfproef(m.group(0)) else m.group(0), out)
    out = _PY_PHONE.sub(lambda m: mark("phone"), out)
    return out, counts


def might_hold_personal_data(values: pl.Expr) -> pl.Expr:
    """A fast pre-filter: True where a text may hold personal data (then check it with
    :func:`find_personal_data`)."""
    return values.str.contains(r"@|\d{4}|\d[\s.-]\d").fill_null(False)

"""Settings, one object, read from ``BRUGDATA_*`` environment variables.

- ``BRUGDATA_PSEUDONYM_KEY``: the secret for keyed pseudonyms (HMAC-SHA256), or
  ``BRUGDATA_PSEUDONYM_KEY_FILE``: a file holding it (``brugdata key new --out FILE``). Never
  stored in a store (its fingerprint is); weak keys are refused (:func:`check_key`).
- ``BRUGDATA_SMALL_CELL_THRESHOLD``: counts below it are hidden in publications (default 10).
- ``BRUGDATA_PROTECT``: ``0`` switches small-cell protection off (default on).
- ``BRUGDATA_PROTECTION_PROFILE``: the rules publications follow: ``rivm`` (default), ``nco``
  or ``cbs`` (see docs/privacy.md).
- ``BRUGDATA_EARLIEST_DATE`` (``2000-01-01``) and ``BRUGDATA_YEARS_AHEAD`` (``1``): the window
  of plausible dates at ingest; a date before the first or more than that many years after
  today is rejected (``implausible_date``).
- ``BRUGDATA_MAX_UNPACKED_MB`` (``1024``): the most a workbook (.xlsx, .ods: a zip) may unpack
  to, in megabytes; ``BRUGDATA_MAX_COLUMNS`` (``16384``, Excel's own limit): the most columns
  of a header; ``BRUGDATA_MAX_FIELD_LENGTH`` (``131072``): the most characters of one CSV field
  (a longer field rejects its row). Files over the first two are refused, never read.

A notebook can change them for its session: ``brugdata.settings.protect = False``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import os
from dataclasses import dataclass
from pathlib import Path

from brugdata.errors import BrugdataError

__all__ = ["DEMO_KEY", "Settings", "check_key", "key_fingerprint", "settings"]


@dataclass
class Settings:
    """What brugdata reads from the environment; change the attributes to override."""

    small_cell_threshold: int = 10
    protect: bool = True
    profile: str = "rivm"
    pseudonym_key_value: str | None = None
    pseudonym_key_file: str | None = None
    earliest_date: dt.date = dt.date(2000, 1, 1)
    years_ahead: int = 1
    max_unpacked_mb: int = 1024
    max_columns: int = 16_384
    max_field_length: int = 131_072

    @classmethod
    def from_env(cls) -> Settings:
        """Settings from the ``BRUGDATA_*`` environment variables."""
        raw = os.environ.get("BRUGDATA_SMALL_CELL_THRESHOLD", "10")
        try:
            threshold = int(raw)
        except ValueError:
            raise BrugdataError(
                f"BRUGDATA_SMALL_CELL_THRESHOLD must be a whole number, not {raw!r}"
            ) from None
        earliest = os.environ.get("BRUGDATA_EARLIEST_DATE", "2000-01-01").strip()
        try:
            earliest_date = dt.date.fromisoformat(earliest)
        except ValueError:
            raise BrugdataError(
                f"BRUGDATA_EARLIEST_DATE must be a date as yyyy-mm-dd, not {earliest!r}"
            ) from None
        ahead = os.environ.get("BRUGDATA_YEARS_AHEAD", "1").strip()
        if not ahead.isdigit():
            raise BrugdataError(
                f"BRUGDATA_YEARS_AHEAD must be a whole number of years, not {ahead!r}"
            )
        return cls(
            small_cell_threshold=threshold,
            earliest_date=earliest_date,
            years_ahead=int(ahead),
            max_unpacked_mb=_positive("BRUGDATA_MAX_UNPACKED_MB", 1024),
            max_columns=_positive("BRUGDATA_MAX_COLUMNS", 16_384),
            max_field_length=_positive("BRUGDATA_MAX_FIELD_LENGTH", 131_072),
            profile=os.environ.get("BRUGDATA_PROTECTION_PROFILE", "rivm").strip().lower() or "rivm",
            protect=os.environ.get("BRUGDATA_PROTECT", "1").strip().lower()
            not in ("0", "false", "no", "off"),
            pseudonym_key_value=os.environ.get("BRUGDATA_PSEUDONYM_KEY") or None,
            pseudonym_key_file=os.environ.get("BRUGDATA_PSEUDONYM_KEY_FILE") or None,
        )

    def use_demo_key(self) -> None:
        """Use the public demo key for this session, saying so: for the synthetic sample only
        (``python dev.py demo`` and the notebooks); real data needs a key of its own
        (``brugdata key new --out FILE``)."""
        import warnings

        warnings.warn(
            "brugdata uses the public DEMO pseudonym key: for the synthetic sample data only, "
            "never for real data (make a key with: brugdata key new --out FILE)",
            UserWarning,
            stacklevel=2,
        )
        self.pseudonym_key_value, self.pseudonym_key_file = DEMO_KEY, None

    def pseudonym_key(self) -> bytes | None:
        """The pseudonym key, or None when none is set. A key file that cannot be read, or
        a key shorter than 16 bytes, is an error: a weak key makes pseudonyms guessable."""
        if self.pseudonym_key_value:
            key = self.pseudonym_key_value.encode("utf-8")
            origin = "BRUGDATA_PSEUDONYM_KEY"
        elif self.pseudonym_key_file:
            try:
                key = Path(self.pseudonym_key_file).read_bytes().strip()
            except OSError as exc:
                raise BrugdataError(
                    f"BRUGDATA_PSEUDONYM_KEY_FILE {self.pseudonym_key_file}: cannot read the "
                    f"key ({exc.strerror})"
                ) from None
            origin = f"the key file {self.pseudonym_key_file}"
        else:
            return None
        return check_key(key, origin)


def _positive(name: str, default: int) -> int:
    """The whole number > 0 in the environment variable ``name`` (``default`` when unset)."""
    raw = os.environ.get(name, "").strip().replace("_", "")
    if not raw:
        return default
    if not raw.isdigit() or int(raw) == 0:
        raise BrugdataError(f"{name} must be a whole number above 0, not {raw!r}")
    return int(raw)


#: The public demo key of ``python dev.py demo`` and the notebooks: for the synthetic sample
#: only. Anyone can recompute its pseudonyms, so it is never for real data.
DEMO_KEY = "brugdata-DEMO-key-public-for-sample-data-only-7f3a"

#: The fewest characters, and the fewest different characters, of a pseudonym key.
KEY_MIN_LENGTH = 16
KEY_MIN_DISTINCT = 8


def check_key(key: bytes, origin: str = "the pseudonym key") -> bytes:
    """``key`` when it is strong enough for keyed pseudonyms; else a
    :class:`~brugdata.errors.BrugdataError` in one sentence. Refused: fewer than 16
    characters, fewer than 8 different characters (``0000000000000000``), or a run such as
    ``0123456789abcdef`` or ``abababab...``: a weak key makes pseudonyms guessable."""
    hint = "make a strong one with: brugdata key new --out FILE"
    if len(key) < KEY_MIN_LENGTH:
        raise BrugdataError(f"{origin} is too short: use at least 16 random characters ({hint})")
    steps = [key[i + 1] - key[i] for i in range(len(key) - 1)]
    runs = sum(1 for a, b in zip(steps, steps[1:], strict=False) if a == b)
    if len(set(key)) < KEY_MIN_DISTINCT or runs >= len(steps) * 3 // 4:
        raise BrugdataError(f"{origin} is too weak: it repeats or counts characters ({hint})")
    return key


def key_fingerprint(key: bytes) -> str:
    """What a store records of its key: 16 hex digits of HMAC-SHA256 of a fixed text under
    the key; it tells keys apart but gives nothing to recompute pseudonyms with."""
    digest = hmac.new(key, b"brugdata key fingerprint v1", hashlib.sha256).hexdigest()
    return digest[:16]


#: The settings in force; read once from the environment at import.
settings = Settings.from_env()

"""Settings, one object, read from ``BRUGDATA_*`` environment variables.

- ``BRUGDATA_PSEUDONYM_KEY``: the secret for keyed pseudonyms (HMAC-SHA256), or
  ``BRUGDATA_PSEUDONYM_KEY_FILE``: a file holding it. Never stored in a store.
- ``BRUGDATA_SMALL_CELL_THRESHOLD``: counts below it are hidden in publications (default 10).
- ``BRUGDATA_PROTECT``: ``0`` switches small-cell protection off (default on).

A notebook can change them for its session: ``brugdata.settings.protect = False``.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from brugdata.errors import BrugdataError

__all__ = ["Settings", "settings"]


@dataclass
class Settings:
    """What brugdata reads from the environment; change the attributes to override."""

    small_cell_threshold: int = 10
    protect: bool = True
    pseudonym_key_value: str | None = None
    pseudonym_key_file: str | None = None

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
        return cls(
            small_cell_threshold=threshold,
            protect=os.environ.get("BRUGDATA_PROTECT", "1").strip().lower()
            not in ("0", "false", "no", "off"),
            pseudonym_key_value=os.environ.get("BRUGDATA_PSEUDONYM_KEY") or None,
            pseudonym_key_file=os.environ.get("BRUGDATA_PSEUDONYM_KEY_FILE") or None,
        )

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
        if len(key) < 16:
            raise BrugdataError(f"{origin} is too short: use at least 16 random characters")
        return key


#: The settings in force; read once from the environment at import.
settings = Settings.from_env()

"""Reference data from outside the pilots: DUO pupil counts (:mod:`brugdata.reference.duo`).

The school calendar (school years, holidays, regions) is :mod:`brugdata.calendar`.
"""

from __future__ import annotations

from brugdata.reference.duo import DuoPupils, PopulationUpdate, fill_population, read_duo

__all__ = ["DuoPupils", "PopulationUpdate", "fill_population", "read_duo"]

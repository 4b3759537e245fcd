"""Deterministic synthetic sample data (no real people) for two pilots."""

from brugdata.sample.generate import DEFAULT_SEED, generate_sample

__all__ = ["DEFAULT_SEED", "generate_sample"]

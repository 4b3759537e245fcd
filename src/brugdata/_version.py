"""The version of brugdata, recorded in every store and publication."""

__version__ = "0.1.0"

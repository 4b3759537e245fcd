"""The ``brugdata`` command: parses, calls the library, formats; holds no logic of its own."""

from brugdata.cli.app import app, main

__all__ = ["app", "main"]

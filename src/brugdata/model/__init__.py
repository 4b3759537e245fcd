"""The data model: tables and columns, vocabularies, pandera schemas, the school calendar and
the codebook of open answers, with the package data they are read from (``model/data/``).

Takes nothing from the other stages; every stage takes from it.
"""

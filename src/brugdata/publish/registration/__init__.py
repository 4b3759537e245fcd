"""A shared registration format: the template workbook officers fill in
(:func:`~brugdata.publish.registration.template.write_template`) and the open codebook, a
Frictionless Data Package of the data model
(:func:`~brugdata.publish.registration.datapackage.codebook_package`)."""

from __future__ import annotations

from brugdata.publish.registration.datapackage import codebook_package
from brugdata.publish.registration.template import write_template

__all__ = ["codebook_package", "write_template"]

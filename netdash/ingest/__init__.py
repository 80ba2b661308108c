"""The one door for data: read, map, validate and pseudonymise a source.

Typical use::

    from netdash.ingest import load_dataset, load_or_create_secret
    ds, report = load_dataset("exports/", secret=load_or_create_secret(workspace))

Every problem in every file is collected and reported at once, as
:class:`~netdash.errors.InvalidInputError` whose ``problems`` are
:class:`Problem` objects; for any input bytes nothing else is raised.
"""

from netdash.ingest.load import load_dataset
from netdash.ingest.mapping import (apply_mapping, automatic_mapping, check_mapping, load_mapping, normalise_header,
                                    suggest_mapping)
from netdash.ingest.parse import MAX_COLUMNS, MAX_FIELD_CHARS, MAX_ROWS
from netdash.ingest.problems import Problem, ValidationReport, format_rows
from netdash.ingest.pseudonym import load_or_create_secret, pseudonymise
from netdash.ingest.read import (MAX_FILE_MB, MAX_UNZIPPED_MB, MAX_UPLOAD_MB, RawTable, SourceTables, read_source,
                                 read_uploads)
from netdash.ingest.template import template_readme, template_zip
from netdash.ingest.validate import validate

__all__ = [
    "read_source", "read_uploads", "RawTable", "SourceTables",
    "validate", "ValidationReport", "Problem", "format_rows",
    "load_dataset", "load_or_create_secret", "pseudonymise",
    "suggest_mapping", "automatic_mapping", "load_mapping", "check_mapping", "apply_mapping", "normalise_header",
    "template_zip", "template_readme",
    "MAX_FILE_MB", "MAX_UPLOAD_MB", "MAX_UNZIPPED_MB", "MAX_COLUMNS", "MAX_ROWS", "MAX_FIELD_CHARS",
]

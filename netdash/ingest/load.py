"""Read, validate and pseudonymise a source in one call."""

from collections.abc import Mapping
from pathlib import Path

from netdash.dataset import Dataset, keep_log_codes
from netdash.errors import InvalidInputError
from netdash.ingest.options import resolve_options
from netdash.ingest.problems import summary_message
from netdash.ingest.pseudonym import check_secret, pseudonymise
from netdash.ingest.read import read_source
from netdash.ingest.validate import validate_and_build

__all__ = ["load_dataset"]


def load_dataset(source, *, secret, mapping=None, dayfirst=False, today=None, name=None, directed=None,
                 min_date=None):
    """Import a source as a :class:`~netdash.dataset.Dataset`.

    Parameters
    ----------
    source : str, Path or dict
        A folder, ``.xlsx`` or ``.zip`` (see :func:`read_source`), or the
        ``{table: RawTable}`` returned by :func:`read_source` /
        :func:`read_uploads`.
    secret : bytes
        Workspace key for the client pseudonyms.
    mapping : dict, optional
        ``{table: {their_column: canonical_column}}``; ignored when
        ``source`` is already read.
    dayfirst : bool
        Accept ``DD/MM/YYYY`` dates.
    today : date-like, optional
        Later dates are errors (default: today).
    name : str, optional
        Dataset name (default: the source's name).
    directed : bool, optional
        False when contact rows have no direction (each then counts both
        ways). Default: ``dataset.json``'s ``directed`` in a source folder,
        else True (:mod:`netdash.ingest.options`).
    min_date : date-like, optional
        Earliest date accepted (default: ``dataset.json``'s ``min_date``,
        else 1990-01-01); earlier dates are errors.

    Returns
    -------
    dataset : Dataset
        Client IDs are pseudonyms.
    report : ValidationReport
        Its ``.warnings`` describe what was kept or dropped.

    Raises
    ------
    InvalidInputError
        Listing every problem, one per line, after a summary line such as
        ``contacts.csv and practitioners.csv have 3 problems; nothing was imported.``
        Also, before anything is read, when ``secret`` is not non-empty bytes.
    """
    check_secret(secret)
    directed, min_date = resolve_options(source, directed=directed, min_date=min_date)
    raw = source if isinstance(source, Mapping) else read_source(source, mapping=mapping)
    # Client IDs are pseudonymised per distinct value while the tables are built; the
    # memo hashes a client named in both contacts and clients once.
    memo, codes = {}, {}
    report = validate_and_build(raw, dayfirst=dayfirst, today=today, min_date=min_date, directed=directed,
                                recode={"client_id": lambda ids: pseudonymise(ids, secret, memo=memo)}, codes=codes)
    if not report.ok:
        raise InvalidInputError(summary_message(report.errors), problems=report.errors)
    if name is None:
        name = "dataset" if isinstance(source, Mapping) else (Path(source).stem or "dataset")
    ds = Dataset(**report.tables, name=str(name), directed=directed)
    # The analysis codes the log's IDs again (netdash.networks.codes): from these codes, not by hashing millions
    # of rows. Only the two large tables', whose text columns conform() leaves as built.
    keep_log_codes(ds, codes)
    return ds, report

"""Plain counts that describe a dataset (the Overview page and the report)."""

import pandas as pd

__all__ = ["dataset_summary", "monthly_activity"]


def dataset_summary(ds, period=None):
    """Headline counts of a dataset, optionally within a period.

    Returns
    -------
    dict
        agencies, practitioners, clients (distinct pseudonyms with a contact),
        contacts, colleague_contacts (rows naming a colleague),
        cross_agency_contacts (colleague contacts between agencies),
        cop_sessions, cop_attendees, first_date and last_date (ISO strings or
        None).

    Examples
    --------
    >>> from netdash.dataset import Dataset
    >>> ds = Dataset.from_records(
    ...     agencies=[{"agency_id": "A", "name": "A"}, {"agency_id": "B", "name": "B"}],
    ...     practitioners=[{"practitioner_id": "p", "agency_id": "A"},
    ...                    {"practitioner_id": "q", "agency_id": "B"}],
    ...     contacts=[{"date": "2024-01-02", "practitioner_id": "p", "with_practitioner_id": "q"},
    ...               {"date": "2024-01-03", "practitioner_id": "p", "client_id": "c1"}])
    >>> s = dataset_summary(ds)
    >>> s["contacts"], s["colleague_contacts"], s["cross_agency_contacts"], s["clients"]
    (2, 1, 1, 1)
    """
    contacts = ds.contacts
    attendance = ds.cop_attendance
    if period is not None:
        contacts = contacts[period.mask(contacts["date"])]
        attendance = attendance[period.mask(attendance["date"])]
    colleague = contacts[contacts["with_practitioner_id"].notna()]
    agency = ds.agency_of()
    cross = colleague["practitioner_id"].map(agency) != colleague["with_practitioner_id"].map(agency)
    dates = pd.concat([contacts["date"], attendance["date"]]).dropna()
    return {
        "agencies": int(len(ds.agencies)),
        "practitioners": int(len(ds.practitioners)),
        "clients": int(contacts["client_id"].dropna().nunique()),
        "contacts": int(len(contacts)),
        "colleague_contacts": int(len(colleague)),
        "cross_agency_contacts": int(cross.sum()),
        "cop_sessions": int(attendance["session_id"].nunique()),
        "cop_attendees": int(attendance["practitioner_id"].nunique()),
        "first_date": dates.min().date().isoformat() if len(dates) else None,
        "last_date": dates.max().date().isoformat() if len(dates) else None,
    }


def monthly_activity(ds, period=None):
    """Contacts per calendar month, split into client, within-agency and cross-agency.

    Returns
    -------
    DataFrame
        Columns month (first day of month), kind ("client", "within agency",
        "cross agency"), contacts. A row that names both a client and a
        colleague counts once as a colleague contact.
    """
    contacts = ds.contacts
    if period is not None:
        contacts = contacts[period.mask(contacts["date"])]
    agency = ds.agency_of()
    colleague = contacts["with_practitioner_id"].notna()
    same = contacts["practitioner_id"].map(agency) == contacts["with_practitioner_id"].map(agency)
    kind = pd.Series("client", index=contacts.index)
    kind[colleague & same] = "within agency"
    kind[colleague & ~same] = "cross agency"
    month = contacts["date"].dt.to_period("M").dt.to_timestamp()
    out = (
        pd.DataFrame({"month": month, "kind": kind})
        .groupby(["month", "kind"], observed=True)
        .size()
        .rename("contacts")
        .reset_index()
    )
    return out

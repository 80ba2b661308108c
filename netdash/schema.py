"""The data contract: the tables of a dataset and their columns.

This module is the single description of the contract. The importer
validates against it, the template download is generated from it and
``docs/data.md`` documents it.
"""

from dataclasses import dataclass, field

__all__ = ["Column", "Table", "TABLES", "SECTORS", "CONTACT_TYPES", "TRUST_DIMENSIONS"]

SECTORS = (
    "housing",
    "mental_health",
    "substance_use",
    "criminal_justice",
    "money_advice",
    "primary_care",
    "outreach",
    "social_care",
    "other",
)

CONTACT_TYPES = (
    "visit",
    "phone",
    "email",
    "referral",
    "case_conference",
    "joint_visit",
    "housing_placement",
)

TRUST_DIMENSIONS = ("reliability", "openness", "shared_mission")


@dataclass(frozen=True)
class Column:
    """One column of a table.

    kind is one of ``"id"``, ``"text"``, ``"date"``, ``"int"``, ``"number"``.
    """

    name: str
    kind: str
    required: bool = True
    description: str = ""
    example: str = ""


@dataclass(frozen=True)
class Table:
    name: str
    columns: tuple
    required: bool = True
    description: str = ""
    key: tuple = field(default=())
    #: Further example rows (dicts) for the template, beyond each column's example.
    more_examples: tuple = field(default=())

    @property
    def filename(self):
        return f"{self.name}.csv"

    def column_names(self):
        return [c.name for c in self.columns]

    def required_columns(self):
        return [c.name for c in self.columns if c.required]


TABLES = {
    t.name: t
    for t in (
        Table(
            "agencies",
            (
                Column("agency_id", "id", True, "Unique agency identifier.", "A01"),
                Column("name", "text", False, "Agency name; the agency_id when left out or blank.",
                       "Riverside Housing"),
                Column("sector", "text", False, "One of: " + ", ".join(SECTORS) + ".", "housing"),
            ),
            description="One row per agency.",
            key=("agency_id",),
        ),
        Table(
            "practitioners",
            (
                Column("practitioner_id", "id", True, "Unique practitioner identifier.", "P001"),
                Column("agency_id", "id", True, "The practitioner's agency; must be in agencies.csv.", "A01"),
                Column("name", "text", False, "Display name, shown only if supplied.", ""),
                Column("role", "text", False, "Job role.", "support worker"),
                Column("start_date", "date", False, "First day in post.", "2023-01-09"),
                Column("end_date", "date", False, "Last day in post.", ""),
            ),
            description="One row per practitioner.",
            key=("practitioner_id",),
            more_examples=({"practitioner_id": "P002", "agency_id": "A01", "role": "nurse",
                            "start_date": "2023-02-01"},),
        ),
        Table(
            "contacts",
            (
                Column("date", "date", True, "Day of the contact.", "2024-03-14"),
                Column("practitioner_id", "id", True, "Who made the contact.", "P001"),
                Column("client_id", "id", False, "Client seen (pseudonymised on import).", "C0042"),
                Column(
                    "with_practitioner_id",
                    "id",
                    False,
                    "Colleague contacted, referred to or met (direction practitioner_id -> with_practitioner_id).",
                    "P002",
                ),
                Column("contact_type", "text", False, "One of: " + ", ".join(CONTACT_TYPES) + ".", "referral"),
                Column("duration_minutes", "number", False, "Length of the contact in minutes.", "30"),
                Column("weight", "number", False,
                       "Tie strength this row adds (a positive number; 1 when left out or blank). Used where "
                       "measures are weighted; the count of contact rows is unchanged.", "1"),
            ),
            description="One row per contact. Every row names a client, a colleague, or both.",
        ),
        Table(
            "cop_attendance",
            (
                Column("session_id", "id", True, "COP session identifier.", "S01"),
                Column("date", "date", True, "Day of the session.", "2024-06-05"),
                Column("practitioner_id", "id", True, "Who attended.", "P001"),
                Column("cop_name", "text", False, "Name of the COP.", "Eastside COP"),
            ),
            required=False,
            description="Optional (leave it out when there is no COP). One row per practitioner per session "
                        "attended.",
        ),
        Table(
            "clients",
            (
                Column("client_id", "id", True, "Client identifier (pseudonymised on import).", "C0042"),
                Column("needs", "text", False, "Needs separated by semicolons.", "housing;mental_health"),
            ),
            required=False,
            description="Optional. One row per client.",
            key=("client_id",),
        ),
        Table(
            "trust_survey",
            (
                Column("date", "date", True, "Day of the survey response.", "2024-09-01"),
                Column("rater_id", "id", True, "Practitioner giving the rating.", "P001"),
                Column("ratee_id", "id", True, "Practitioner being rated.", "P002"),
                Column("trust", "int", True, "Overall trust, 1 (low) to 4 (high).", "3"),
                Column("reliability", "int", False, "PARTNER dimension, 1 to 4.", "3"),
                Column("openness", "int", False, "PARTNER dimension, 1 to 4.", "4"),
                Column("shared_mission", "int", False, "PARTNER dimension, 1 to 4.", "3"),
            ),
            required=False,
            description="Optional. Trust ratings after the PARTNER tool's dimensions.",
        ),
    )
}

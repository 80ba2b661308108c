"""Errors a person can act on.

Pages and the CLI catch :class:`NetdashError` and show its message; anything
else is a bug.
"""

__all__ = [
    "NetdashError",
    "InvalidInputError",
    "DatasetNotFoundError",
    "AnalysisError",
]


class NetdashError(Exception):
    """Base class for every error netdash reports to a user."""


class InvalidInputError(NetdashError, ValueError):
    """Input data or an argument is not what netdash expects.

    ``problems`` holds the individual messages when several were collected
    (for example every bad row of an import).
    """

    def __init__(self, message, problems=None):
        super().__init__(message)
        self.problems = list(problems or [])


class DatasetNotFoundError(NetdashError, LookupError):
    """No dataset of that name or id in the workspace."""


class AnalysisError(NetdashError):
    """A measure cannot be computed for this data (for example, nobody attended a COP)."""

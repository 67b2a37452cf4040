"""The data layer's own exceptions: nothing above the gateway sees a driver error."""


class DataError(Exception):
    """Base of every error raised by the data layer."""


class NotFound(DataError):
    """The record does not exist, or the acting user may not see it."""


class Conflict(DataError):
    """A write collided with an existing key (a duplicate id, username or email)."""


class DatabaseUnavailable(DataError):
    """The database cannot be reached; pages answer 503 and retry on the next request."""


class QueryError(DataError):
    """A statement was rejected by the database (a bug in our SQL, not in the input)."""

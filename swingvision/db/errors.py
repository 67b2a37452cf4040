"""The data layer's own exceptions: nothing above the gateway sees a driver error, and the
managers' input and permission errors sit beside them (pages map each to one status)."""


class DataError(Exception):
    """Base of every error raised by the data layer."""


class NotFound(DataError):
    """The record does not exist, or the acting user may not see it."""


class Conflict(DataError):
    """A write collided with an existing key (a duplicate id, username or email)."""


class Changed(Conflict):
    """The record changed since it was read (a guarded write lost a race, or a form was opened
    before someone else's save): views answer 409 and ask to reload."""


class DatabaseUnavailable(DataError):
    """The database cannot be reached; pages answer 503 and retry on the next request."""


class QueryError(DataError):
    """A statement was rejected by the database (a bug in our SQL, not in the input)."""


class NotAllowed(NotFound):
    """The actor may see the record but not change it (views answer 403; a view that forgets to
    tell the two apart still answers 404, never a change)."""


class ValidationError(ValueError):
    """Bad input for a write, naming the field: shown next to it in forms, 400 in the API."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message

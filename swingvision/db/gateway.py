"""The one gateway to the domain database: connections, named queries, bound values, errors.

Nothing else imports a driver. `Database` runs a named query with a dict of parameters, maps rows to
records and turns driver errors into NotFound / Conflict / DatabaseUnavailable / QueryError.
"""

from __future__ import annotations

import logging
import os
import sqlite3
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import parse_qs, unquote, urlsplit, urlunsplit

from .codec import encode, to_record
from .errors import Conflict, DatabaseUnavailable, NotFound, QueryError
from .queries import Query, load_queries

log = logging.getLogger("swingvision.db")
T = TypeVar("T")

# Tables a caller may name (REFRESH, counts, backups): identifiers never come from input.
TABLES = (
    "users",
    "user_logins",
    "videos",
    "poses",
    "swing_analysis",
    "progress",
    "sessions",
    "schema_migrations",
    "api_tokens",
    "api_token_hashes",
    "audit_log",
    "notes",
    "drills",
    "player_summary",
    "lessons",
)


# How long statements fail fast after CrateDB was found unreachable (then one tries again).
CRATE_OUTAGE_HOLD_S = 2.0

# CrateDB's own list of errors that "may be temporary" (`SQLExceptions.maybeTemporary` in 6.4): a
# shard without a primary (its node died and no replica was promoted), a node gone mid-statement,
# the cluster blocked without a master. The rows are not lost, only out of reach for now, so the
# statement fails as DatabaseUnavailable (pages answer 503) and the next request tries again; the
# message starts with the exception's name: "UnavailableShardsException[[s.videos] shard 4 ...]".
CRATE_TEMPORARY_ERRORS = (
    "UnavailableShardsException",
    "NoShardAvailableActionException",
    "ShardNotFoundException",
    "IllegalIndexShardStateException",
    "AlreadyClosedException",
    "ClusterBlockException",
    "ElasticsearchTimeoutException",
    "NodeNotConnectedException",
    "NodeClosedException",
    "NodeDisconnectedException",
    "ConnectTransportException",
    "NoSeedNodeLeftException",
    # Not in CrateDB's list, but met on a three-node cluster when a node died mid-statement:
    # "JobKilledException[Job killed. Participating node ... disconnected]",
    # "NoSuchNodeException[No such node [...]]" (a routing table that still names it).
    "JobKilledException",
    "NoSuchNodeException",
    "SendRequestTransportException",
    "ReceiveTimeoutTransportException",
    "MasterNotDiscoveredException",
    "NotMasterException",
)


def crate_error_is_temporary(message: str) -> bool:
    """Whether a CrateDB error names one of CRATE_TEMPORARY_ERRORS (see there)."""
    return any(name in message for name in CRATE_TEMPORARY_ERRORS)


def refresh_sql(table: str) -> str:
    """CrateDB's REFRESH for a table from the allowlist (identifiers cannot be bound)."""
    if table not in TABLES:
        raise ValueError(f"unknown table {table!r}")
    return f"REFRESH TABLE {table}"


@dataclass(frozen=True, slots=True)
class DbConfig:
    dialect: str  # "sqlite" | "crate"
    path: str = ""  # sqlite file
    servers: tuple[str, ...] = ()  # crate http(s) URLs
    username: str | None = None
    password: str | None = None
    schema: str | None = None
    verify_ssl: bool = True
    ca_cert: str | None = None
    timeout: float = 10.0  # seconds to wait for CrateDB's answer to a statement
    connect_timeout: float = 2.0  # seconds to open a connection: a dead node is found quickly

    @property
    def label(self) -> str:
        return f"sqlite:{self.path}" if self.dialect == "sqlite" else ",".join(self.servers)


def _redacted(url: str) -> str:
    """The URL as an error message may show it: any password replaced by ***."""
    parts = urlsplit(url)
    netloc = parts.netloc
    if "@" in netloc:
        user, _, hosts = netloc.rpartition("@")
        name, colon, _ = user.partition(":")
        netloc = f"{name}{':***' if colon else ''}@{hosts}"
    query = "&".join(
        f"{k}=***" if k == "password" else f"{k}={v}"
        for k, v in (pair.partition("=")[::2] for pair in parts.query.split("&") if pair)
    )
    return urlunsplit((parts.scheme, netloc, parts.path, query, parts.fragment))


def parse_db_url(url: str) -> DbConfig:
    """`sqlite:///relative.db`, `sqlite:////absolute/path.db` (SQLAlchemy's convention) or
    `crate://[user:pass@]host:4200[,host2:4200][?schema=..&ssl=true]`. Errors name the setting
    and never repeat a password."""
    shown = _redacted(url)
    parts = urlsplit(url)
    if parts.scheme == "sqlite":
        if not url.startswith("sqlite:///") or len(url) <= len("sqlite:///"):
            raise ValueError(
                f"SWINGVISION_DB={shown!r}: use sqlite:///relative or sqlite:////abs/path"
            )
        path = unquote(url[len("sqlite:///") :].split("?", 1)[0])
        return DbConfig(dialect="sqlite", path=os.path.abspath(path))
    if parts.scheme in ("crate", "crate+https"):
        q = {k: v[-1] for k, v in parse_qs(parts.query).items()}
        ssl = parts.scheme == "crate+https" or q.get("ssl", "").lower() in ("1", "true")
        netloc = parts.netloc.rsplit("@", 1)[-1]
        hosts = [h for h in netloc.split(",") if h]
        if not hosts:
            raise ValueError(f"SWINGVISION_DB={shown!r}: no host")

        def seconds(option: str, default: str) -> float:
            try:
                value = float(q.get(option, default))
            except ValueError:
                value = float("nan")
            if not value > 0 or value == float("inf"):
                raise ValueError(
                    f"SWINGVISION_DB={shown!r}: {option} must be a number of seconds above 0"
                )
            return value

        scheme = "https" if ssl else "http"
        return DbConfig(
            dialect="crate",
            servers=tuple(f"{scheme}://{h if ':' in h else h + ':4200'}" for h in hosts),
            username=unquote(parts.username) if parts.username else q.get("user"),
            password=unquote(parts.password) if parts.password else q.get("password"),
            schema=q.get("schema"),
            verify_ssl=q.get("verify_ssl", "true").lower() not in ("0", "false"),
            ca_cert=q.get("ca_cert"),
            timeout=seconds("timeout", "10"),
            connect_timeout=seconds("connect_timeout", "2"),
        )
    raise ValueError(f"SWINGVISION_DB={shown!r}: the scheme must be sqlite:// or crate://")


class Database:
    """A connection factory plus the named queries of one dialect; safe to share across threads."""

    def __init__(self, config: DbConfig) -> None:
        self.config = config
        self.dialect = config.dialect
        self.queries = load_queries(self.dialect)
        self._local = threading.local()
        self.slow_query_ms = float(os.environ.get("SWINGVISION_SLOW_QUERY_MS", "500"))
        # After CrateDB was found unreachable, statements fail at once until this moment instead
        # of each waiting for its own timeout (every thread would pile up on a hung cluster).
        self._crate_down_until = 0.0

    # -- connections -----------------------------------------------------------------------
    def _sqlite_connect(self, create: bool) -> sqlite3.Connection:
        path = self.config.path
        if not create and not os.path.exists(path):
            raise DatabaseUnavailable(f"the database file {path} does not exist")
        if create:
            os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
        try:
            conn = sqlite3.connect(
                f"{Path(path).as_uri()}?mode={'rwc' if create else 'rw'}",
                uri=True,
                timeout=10,
                isolation_level=None,
                check_same_thread=False,
            )
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
            conn.execute("PRAGMA busy_timeout=10000")
            conn.execute("PRAGMA foreign_keys=OFF")
        except sqlite3.Error as e:
            raise DatabaseUnavailable(f"cannot open the database file {path}: {e}") from e
        return conn

    def _crate_connect(self, read_timeout: float | None = None) -> Any:
        from crate import client
        from urllib3 import Timeout

        c = self.config
        return client.connect(
            list(c.servers),
            username=c.username,
            password=c.password,
            schema=c.schema,
            timeout=Timeout(connect=c.connect_timeout, read=read_timeout or c.timeout),
            verify_ssl_cert=c.verify_ssl,
            ca_cert=c.ca_cert,
        )

    def connection(self, *, create: bool = False) -> Any:
        """This thread's connection, opened on first use and reopened if the file was replaced."""
        conn = getattr(self._local, "conn", None)
        if self.dialect == "sqlite":
            # A renamed or deleted file would go on working through the open handle; check the
            # inode so the app notices an outage (and a restored file) on the next statement.
            try:
                ino = os.stat(self.config.path).st_ino
            except FileNotFoundError:
                ino = None
            if conn is not None and ino != getattr(self._local, "ino", None):
                self.close()
                conn = None
            if conn is None:
                conn = self._sqlite_connect(create)
                self._local.ino = os.stat(self.config.path).st_ino
                self._local.conn = conn
            return conn
        wait = self._crate_down_until - time.monotonic()
        if wait > 0:
            raise DatabaseUnavailable(
                f"CrateDB at {self.config.label} was unreachable moments ago; "
                f"trying again in {wait:.1f} s"
            )
        if conn is None:
            conn = self._crate_connect()
            self._local.conn = conn
        return conn

    def close(self) -> None:
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            try:
                conn.close()
            except Exception:
                log.debug("closing a broken connection failed", exc_info=True)
            self._local.conn = None

    # -- running statements ----------------------------------------------------------------
    def query(self, name: str) -> Query:
        try:
            return self.queries[name]
        except KeyError:
            raise QueryError(f"no query named {name!r} for {self.dialect}") from None

    def _bind(self, q: Query, params: Mapping[str, Any] | None) -> tuple:
        params = params or {}
        missing = [p for p in q.params if p not in params]
        if missing:
            raise QueryError(f"query {q.name}: missing parameter(s) {', '.join(missing)}")
        return tuple(encode(params[p], self.dialect) for p in q.params)

    @contextmanager
    def _errors(self, what: str) -> Iterator[None]:
        try:
            yield
        except (NotFound, Conflict, DatabaseUnavailable, QueryError):
            raise
        except sqlite3.IntegrityError as e:
            raise Conflict(f"{what}: {e}") from e
        except sqlite3.OperationalError as e:
            msg = str(e)
            self.close()
            if "no such table" in msg:
                raise DatabaseUnavailable(
                    f"the database has no schema ({msg}); run `manage.py migrate_db`"
                ) from e
            if any(s in msg for s in ("unable to open", "disk I/O", "locked", "readonly")):
                raise DatabaseUnavailable(f"{what}: {msg}") from e
            raise QueryError(f"{what}: {msg}") from e
        except sqlite3.DatabaseError as e:
            self.close()
            raise DatabaseUnavailable(f"{what}: {e}") from e
        except Exception as e:
            if self.dialect != "crate":
                raise
            from crate.client import exceptions as cx

            if isinstance(e, cx.IntegrityError):
                raise Conflict(f"{what}: {e}") from e
            if isinstance(e, cx.ConnectionError):
                self.close()
                self._crate_down_until = time.monotonic() + CRATE_OUTAGE_HOLD_S
                raise DatabaseUnavailable(f"CrateDB at {self.config.label}: {e}") from e
            if isinstance(e, cx.ProgrammingError | cx.DatabaseError):
                if crate_error_is_temporary(str(e)):
                    raise DatabaseUnavailable(f"{what}: {e}") from e
                raise QueryError(f"{what}: {e}") from e
            raise

    def _execute(
        self, sql: str, args: tuple | list, what: str
    ) -> tuple[list[str], list[tuple], int]:
        t0 = time.perf_counter()
        with self._errors(what):
            conn = self.connection()
            cur = conn.cursor()
            try:
                cur.execute(sql, args)
                cols = [d[0] for d in cur.description] if cur.description else []
                rows = cur.fetchall() if cur.description else []
                rowcount = cur.rowcount
            finally:
                cur.close()
        ms = (time.perf_counter() - t0) * 1000
        if ms > self.slow_query_ms:
            known = self.queries.get(what)
            about = f" ({known.description})" if known and known.description else ""
            log.warning("slow query %s%s: %.0f ms", what, about, ms)
        return cols, rows, rowcount

    def rows(self, name: str, params: Mapping[str, Any] | None = None) -> list[dict[str, Any]]:
        q = self.query(name)
        cols, rows, _ = self._execute(q.sql, self._bind(q, params), q.name)
        return [dict(zip(cols, r, strict=True)) for r in rows]

    def raw_rows(self, name: str, params: Mapping[str, Any] | None = None) -> list[tuple]:
        """Rows as tuples in the query's column order, for hot paths that decode themselves."""
        q = self.query(name)
        return self._execute(q.sql, self._bind(q, params), q.name)[1]

    def fetch_all(
        self, record: type[T], name: str, params: Mapping[str, Any] | None = None
    ) -> list[T]:
        return [to_record(record, r, self.dialect) for r in self.rows(name, params)]

    def fetch_first(
        self, record: type[T], name: str, params: Mapping[str, Any] | None = None
    ) -> T | None:
        rows = self.rows(name, params)
        return to_record(record, rows[0], self.dialect) if rows else None

    def fetch_one(self, record: type[T], name: str, params: Mapping[str, Any] | None = None) -> T:
        found = self.fetch_first(record, name, params)
        if found is None:
            raise NotFound(f"{record.__name__} not found")
        return found

    def fetch_value(self, name: str, params: Mapping[str, Any] | None = None) -> Any:
        q = self.query(name)
        _, rows, _ = self._execute(q.sql, self._bind(q, params), q.name)
        return rows[0][0] if rows else None

    def execute(self, name: str, params: Mapping[str, Any] | None = None) -> int:
        """Run a write; returns the number of rows it changed."""
        q = self.query(name)
        return self._execute(q.sql, self._bind(q, params), q.name)[2]

    def execute_many(self, name: str, seq: Iterable[Mapping[str, Any]]) -> int:
        """Run one write for many parameter sets (one transaction in SQLite, one bulk request in
        CrateDB, where every row's result is checked)."""
        q = self.query(name)
        args = [self._bind(q, p) for p in seq]
        if not args:
            return 0
        with self._errors(q.name):
            conn = self.connection()
            cur = conn.cursor()
            try:
                if self.dialect == "sqlite":
                    cur.execute("BEGIN")
                    try:
                        cur.executemany(q.sql, args)
                    except BaseException:
                        cur.execute("ROLLBACK")
                        raise
                    cur.execute("COMMIT")
                    return len(args)
                results = cur.executemany(q.sql, args)
            finally:
                cur.close()
        failed = [(i, r) for i, r in enumerate(results or []) if r.get("rowcount") == -2]
        if failed:
            i, r = failed[0]
            msg = r.get("error_message", "")
            err = Conflict if "DuplicateKey" in msg else QueryError
            raise err(f"{q.name}: {len(failed)} of {len(args)} rows failed (row {i}: {msg})")
        return sum(max(r.get("rowcount", 0), 0) for r in results or [])

    def run_sql(
        self,
        sql: str,
        args: tuple | list = (),
        *,
        create: bool = False,
        timeout: float | None = None,
    ) -> list[tuple]:
        """A statement that is not a named query: migrations and operator commands only.

        `timeout` (CrateDB) waits that long for the answer instead of the URL's timeout, on a
        connection of the statement's own: a snapshot or restore that waits for completion
        takes minutes, and its wait must not mark the cluster unreachable for the app."""
        with self._errors("sql"):
            own = timeout is not None and self.dialect == "crate"
            conn = self._crate_connect(timeout) if own else self.connection(create=create)
            cur = conn.cursor()
            try:
                cur.execute(sql, args)
                return cur.fetchall() if cur.description else []
            finally:
                cur.close()
                if own:
                    conn.close()

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """All-or-nothing on SQLite. CrateDB has no transactions: there, writes are idempotent
        upserts ordered so that a crash half-way leaves nothing a re-run cannot finish."""
        if self.dialect != "sqlite":
            yield
            return
        conn = self.connection()
        if conn.in_transaction:
            yield
            return
        with self._errors("transaction"):
            conn.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
        with self._errors("commit"):
            conn.execute("COMMIT")

    def refresh(self, table: str) -> None:
        """Make CrateDB show recent writes to searches at once (SQLite always does)."""
        if self.dialect == "crate":
            self.run_sql(refresh_sql(table))

    def ping(self) -> None:
        """Raise DatabaseUnavailable unless a trivial statement runs (for /healthz)."""
        self.fetch_value("ping")

    # -- SQLite online backup (the backup and restore commands) ------------------------------
    def sqlite_backup_to(
        self,
        path: str | os.PathLike,
        *,
        pages: int = -1,
        progress: Callable[[int, int, int], object] | None = None,
    ) -> None:
        """Copy the live database into a new file with SQLite's online backup API.

        The default (pages=-1) copies in one step inside one read transaction: in WAL mode the
        app's writers go on committing meanwhile, and the copy is the database as of the step's
        start. A stepwise copy (pages > 0) restarts whenever another connection writes, so under
        steady writes it may never finish."""
        self._sqlite_only("backup")
        with self._errors("backup"):
            # Its own connection: this thread's one may be inside a transaction.
            src = self._sqlite_connect(create=False)
            try:
                dst = sqlite3.connect(os.fspath(path), isolation_level=None)
                try:
                    src.backup(dst, pages=pages, progress=progress)
                finally:
                    dst.close()
            finally:
                src.close()

    def sqlite_restore_from(self, path: str | os.PathLike) -> None:
        """Replace this database's content with the database file at `path`, in place.

        The backup API writes through SQLite's own locking, so connections of other threads and
        processes see the restored content on their next statement; replacing the file under
        them instead would leave them on the old inode and lets SQLite delete the new -wal
        when the last old connection closes."""
        self._sqlite_only("restore")
        with self._errors("restore"):
            src = sqlite3.connect(f"{Path(path).as_uri()}?mode=ro", uri=True)
            try:
                dst = self._sqlite_connect(create=True)
                try:
                    src.backup(dst)
                finally:
                    dst.close()
            finally:
                src.close()
        self.close()

    def _sqlite_only(self, what: str) -> None:
        if self.dialect != "sqlite":
            raise QueryError(f"{what}: SQLite's backup API does not apply to {self.dialect}")

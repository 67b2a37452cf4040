"""Values across the driver boundary: Python values in, records out, per dialect.

SQLite stores timestamps as epoch milliseconds, objects as JSON text and arrays as float32 BLOBs;
CrateDB takes epoch milliseconds for TIMESTAMP WITH TIME ZONE, native objects, arrays of objects for
keypoints and lists for FLOAT_VECTOR columns.
"""

from __future__ import annotations

import dataclasses
import json
import typing
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from functools import cache
from typing import Any, TypeVar

import numpy as np

from analysis.engine.pose import LANDMARK_INDEX, LANDMARK_NAMES, N_LANDMARKS


class Keypoints:
    """Marks a (33, 4) array bound to a keypoints column."""

    __slots__ = ("array",)

    def __init__(self, array: np.ndarray) -> None:
        self.array = array


class Vector:
    """Marks a 1-D array bound to a FLOAT_VECTOR / BLOB column (None stays NULL)."""

    __slots__ = ("array",)

    def __init__(self, array: np.ndarray | None) -> None:
        self.array = array


def to_epoch_ms(value: datetime) -> int:
    if value.tzinfo is None:
        raise ValueError("naive datetime: every timestamp must be timezone-aware")
    return int(round(value.timestamp() * 1000))


def from_epoch_ms(value: int | float) -> datetime:
    return datetime.fromtimestamp(value / 1000, tz=UTC)


def _json_default(value: Any) -> Any:
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, datetime):
        return value.isoformat()
    raise TypeError(f"cannot store {type(value).__name__} in a JSON column")


def _plain(value: Any) -> Any:
    """Objects for CrateDB: numpy scalars and datetimes made JSON-like."""
    return json.loads(json.dumps(value, default=_json_default))


def keypoints_to_objects(arr: np.ndarray) -> list[dict]:
    present = ~np.isnan(arr[:, 0])
    return [
        {
            "name": LANDMARK_NAMES[i],
            "x": float(arr[i, 0]),
            "y": float(arr[i, 1]),
            "z": float(arr[i, 2]),
            "confidence": float(arr[i, 3]),
        }
        for i in np.flatnonzero(present)
    ]


def keypoints_from_objects(objs: Sequence[dict] | None) -> np.ndarray:
    out = np.full((N_LANDMARKS, 4), np.nan, dtype=np.float32)
    for o in objs or ():
        i = LANDMARK_INDEX.get(o.get("name", ""))
        if i is not None:
            out[i] = (o["x"], o["y"], o["z"], o["confidence"])
    return out


def keypoints_from_blob(blob: bytes) -> np.ndarray:
    return np.frombuffer(blob, dtype=np.float32).reshape(N_LANDMARKS, 4)


def encode(value: Any, dialect: str) -> Any:
    """One bound parameter, in the form the dialect's driver wants."""
    if value is None or isinstance(value, str | int | float | bool):
        return value
    if isinstance(value, datetime):
        return to_epoch_ms(value)
    if isinstance(value, Keypoints):
        arr = np.asarray(value.array, dtype=np.float32)
        if arr.shape != (N_LANDMARKS, 4):
            raise ValueError(f"keypoints must have shape (33, 4), not {arr.shape}")
        return arr.tobytes() if dialect == "sqlite" else keypoints_to_objects(arr)
    if isinstance(value, Vector):
        if value.array is None:
            return None
        arr = np.asarray(value.array, dtype=np.float32).ravel()
        return arr.tobytes() if dialect == "sqlite" else arr.tolist()
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, dict | list | tuple):
        if dialect == "sqlite":
            return json.dumps(value, separators=(",", ":"), default=_json_default)
        return _plain(value)
    raise TypeError(f"cannot bind a {type(value).__name__}")


# Decoders per field kind. Each takes the driver's value and the dialect.
def _dec_datetime(v: Any, dialect: str) -> datetime | None:
    if v is None:
        return None
    if isinstance(v, datetime):
        return v if v.tzinfo else v.replace(tzinfo=UTC)
    return from_epoch_ms(v)


def as_datetime(v: Any) -> datetime | None:
    """A timestamp as either driver returns it (epoch ms or datetime) as an aware UTC datetime."""
    return _dec_datetime(v, "")


def _dec_json(default: Callable[[], Any]) -> Callable[[Any, str], Any]:
    def dec(v: Any, dialect: str) -> Any:
        if v is None:
            return default()
        return json.loads(v) if isinstance(v, str | bytes) else v

    return dec


def _dec_keypoints(v: Any, dialect: str) -> np.ndarray:
    if isinstance(v, bytes | memoryview):
        return keypoints_from_blob(bytes(v))
    return keypoints_from_objects(v)


def _dec_vector(v: Any, dialect: str) -> np.ndarray | None:
    if v is None:
        return None
    if isinstance(v, bytes | memoryview):
        return np.frombuffer(bytes(v), dtype=np.float32)
    return np.asarray(v, dtype=np.float32)


def _dec_bool(v: Any, dialect: str) -> bool | None:
    return None if v is None else bool(v)


def _dec_float(v: Any, dialect: str) -> float | None:
    return None if v is None else float(v)


def _dec_plain(v: Any, dialect: str) -> Any:
    return v


def _decoder_for(f: dataclasses.Field, hint: Any) -> Callable[[Any, str], Any]:
    codec = f.metadata.get("codec")
    if codec == "keypoints":
        return _dec_keypoints
    if codec == "vector":
        return _dec_vector
    base = {a for a in typing.get_args(hint) if a is not type(None)} or {hint}
    if datetime in base:
        return _dec_datetime
    if dict in base:
        return _dec_json(dict)
    if list in base:
        return _dec_json(list)
    if bool in base:
        return _dec_bool
    if float in base:
        return _dec_float
    return _dec_plain


@cache
def record_decoders(cls: type) -> tuple[tuple[str, Callable[[Any, str], Any]], ...]:
    hints = typing.get_type_hints(cls)
    return tuple((f.name, _decoder_for(f, hints[f.name])) for f in dataclasses.fields(cls))


def record_columns(cls: type) -> tuple[str, ...]:
    return tuple(f.name for f in dataclasses.fields(cls))


T = TypeVar("T")


def to_record(cls: type[T], row: dict[str, Any], dialect: str) -> T:
    """Build a record from a row keyed by column name; every field must be present."""
    try:
        return cls(**{name: dec(row[name], dialect) for name, dec in record_decoders(cls)})
    except KeyError as e:
        raise KeyError(f"{cls.__name__}: the query did not select column {e.args[0]!r}") from e


def utc_now() -> datetime:
    """Now, in UTC, at the millisecond precision both backends store."""
    now = datetime.now(UTC)
    return now.replace(microsecond=now.microsecond // 1000 * 1000)


def row_version(row: Mapping[str, Any]) -> dict[str, int]:
    """The version a guarded write binds, from the row its `*_version` query read: CrateDB's
    _seq_no and _primary_term (0 and 0 on SQLite, whose UPDATE checks its own condition; see
    sql/queries/{sqlite,crate}/guarded.sql)."""
    return {"seq_no": int(row["seq_no"]), "primary_term": int(row["primary_term"])}

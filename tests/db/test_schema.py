"""The live schema of every configured backend matches the record dataclasses."""

from __future__ import annotations

import dataclasses

from swingvision.db.migrate import live_columns
from swingvision.db.records import (
    ApiToken,
    ApiTokenHash,
    AuditEntry,
    Drill,
    Lesson,
    Note,
    PlayerSummary,
    Pose,
    ProgressPoint,
    SessionRecord,
    SwingAnalysis,
    User,
    Video,
)
from tests.backends import managers_fixture

m = managers_fixture()


TABLE_RECORDS = {
    "users": User,
    "videos": Video,
    "poses": Pose,
    "swing_analysis": SwingAnalysis,
    "progress": ProgressPoint,
    "sessions": SessionRecord,
    "player_summary": PlayerSummary,
    "api_tokens": ApiToken,
    "api_token_hashes": ApiTokenHash,
    "audit_log": AuditEntry,
    "notes": Note,
    "drills": Drill,
    "lessons": Lesson,
}


def test_live_schema_matches_the_records(m):
    for table, record in TABLE_RECORDS.items():
        fields = {f.name for f in dataclasses.fields(record)}
        assert set(live_columns(m.db, table)) == fields, table

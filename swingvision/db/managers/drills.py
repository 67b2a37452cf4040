"""The drill library: drills per feedback aspect, linked from feedback and the practice plan."""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from typing import Any
from urllib.parse import urlsplit

from analysis.engine.metrics import METRICS

from ..codec import utc_now
from ..errors import NotAllowed, ValidationError
from ..gateway import Database
from ..ids import new_id
from ..records import Drill
from .admin import clean_text
from .audit import Audit, target_of
from .scope import SYSTEM, Actor, is_admin

DRILL_TEXT = {"name": 120, "description": 2000}
MAX_URL = 500
MAX_DRILLS = 2000
SYSTEM_AUTHOR = "system"


def clean_video_url(raw: Any) -> str | None:
    """An external drill video: an absolute http(s) URL (it is linked, never embedded)."""
    url = clean_text("video_url", raw or "", max_length=MAX_URL)
    if not url:
        return None
    if any(c.isspace() for c in url):
        raise ValidationError("video_url", "must not contain spaces")
    parts = urlsplit(url)
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        raise ValidationError("video_url", "must be an http:// or https:// address")
    return url


def drill_aspects() -> dict[str, str]:
    """Aspect name -> label: the engine's metrics, which are what feedback items name."""
    return {name: spec.label for name, spec in METRICS.items()}


_SPACES = re.compile(r"\s+")


# Unicode's Default_Ignorable_Code_Point ranges (DerivedCoreProperties.txt): characters a text
# shows as nothing whatever their category (a combining grapheme joiner, variation selectors,
# Hangul fillers), beside the format characters (Cf).
_IGNORABLE = (
    (0x00AD, 0x00AD), (0x034F, 0x034F), (0x061C, 0x061C), (0x115F, 0x1160), (0x17B4, 0x17B5),
    (0x180B, 0x180F), (0x200B, 0x200F), (0x202A, 0x202E), (0x2060, 0x206F), (0x3164, 0x3164),
    (0xFE00, 0xFE0F), (0xFEFF, 0xFEFF), (0xFFA0, 0xFFA0), (0xFFF0, 0xFFF8), (0x1BCA0, 0x1BCA3),
    (0x1D173, 0x1D17A), (0xE0000, 0xE0FFF),
)  # fmt: skip
_BLANK = "\u2800"  # the Braille blank: a space to the eye


def _ignorable(c: str) -> bool:
    code = ord(c)
    return unicodedata.category(c) == "Cf" or any(lo <= code <= hi for lo, hi in _IGNORABLE)


def _visible(text: str) -> str:
    """`text` without the characters that show as nothing (format characters such as
    zero-width spaces, soft hyphens and byte-order marks, and the other default-ignorable
    ones), with a blank that looks like a space as one, and each run of white space one
    space."""
    text = "".join(" " if c in _BLANK else c for c in text if not _ignorable(c))
    return _SPACES.sub(" ", text).strip()


def clean_drill_name(raw: Any) -> str:
    """A drill name as shown: form text in composed form (NFC), with no invisible characters and
    single spaces, so what the library lists is what tells two drills apart."""
    name = clean_text("name", raw, max_length=DRILL_TEXT["name"], required=True)
    name = _visible(unicodedata.normalize("NFC", name))
    if not name:
        raise ValidationError("name", "is required")
    return name


def drill_name_key(name: str) -> str:
    """What makes two drill names the same: names that look alike are one name. Compatibility
    forms (NFKC: composed and decomposed accents, full-width letters), invisible format
    characters, runs of spaces and case aside."""
    return unicodedata.normalize("NFKC", _visible(unicodedata.normalize("NFKC", name)).casefold())


class Drills:
    """The drill library: everyone reads it; coaches and admins add drills; a drill is changed
    by whoever added it or an admin (the default library by admins)."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self.audit = Audit(db)

    def all(self, actor: Actor) -> list[Drill]:
        """By aspect, then name."""
        return self.db.fetch_all(Drill, "drills_all", {"limit": MAX_DRILLS})

    def by_aspect(self, actor: Actor) -> dict[str, list[Drill]]:
        out: dict[str, list[Drill]] = defaultdict(list)
        for d in self.all(actor):
            out[d.aspect].append(d)
        return dict(out)

    def get(self, actor: Actor, drill_id: str) -> Drill:
        return self.db.fetch_one(Drill, "drills_get", {"id": drill_id})

    def _clean(self, *, name: Any, aspect: Any, description: Any, video_url: Any) -> dict:
        if aspect not in drill_aspects():
            raise ValidationError("aspect", "must be one of the swing's metrics")
        return {
            "name": clean_drill_name(name),
            "aspect": aspect,
            "description": clean_text(
                "description", description, max_length=DRILL_TEXT["description"], multiline=True
            ),
            "video_url": clean_video_url(video_url),
        }

    def _name_taken(self, name: str, aspect: str, *, own_id: str | None = None) -> Drill | None:
        """The other drill of `aspect` with this name (as `drill_name_key` compares them), if
        any: the library is one list everyone reads per aspect, where two drills of one name
        would show as the same entry twice."""
        key = drill_name_key(name)
        for d in self.db.fetch_all(
            Drill, "drills_for_aspect", {"aspect": aspect, "limit": MAX_DRILLS}
        ):
            if d.id != own_id and drill_name_key(d.name) == key:
                return d
        return None

    def _refuse_taken(self, fields: dict, *, own_id: str | None = None) -> None:
        if self._name_taken(fields["name"], fields["aspect"], own_id=own_id):
            label = drill_aspects().get(fields["aspect"], fields["aspect"])
            raise ValidationError(
                "name", f"the library already has a {label} drill of this name: pick another"
            )

    def _write(self, drill: Drill) -> None:
        self.db.execute(
            "drills_upsert",
            {
                "id": drill.id,
                "name": drill.name,
                "aspect": drill.aspect,
                "description": drill.description,
                "video_url": drill.video_url,
                "created_by": drill.created_by,
                "created_at": drill.created_at,
            },
        )
        self.db.refresh("drills")

    def create(
        self, actor: Actor, *, name: Any, aspect: Any, description: Any = "", video_url: Any = ""
    ) -> Drill:
        if not (is_admin(actor) or actor.role == "coach"):
            raise NotAllowed("only coaches and admins add drills")
        fields = self._clean(name=name, aspect=aspect, description=description, video_url=video_url)
        self._refuse_taken(fields)
        drill = Drill(id=new_id(), created_by=actor.id, created_at=utc_now(), **fields)
        self._write(drill)
        self.audit.record(actor, "drill.create", **target_of(drill), after=fields)
        return drill

    def _editable(self, actor: Actor, drill_id: str) -> Drill:
        drill = self.get(actor, drill_id)
        if not (is_admin(actor) or (actor.role == "coach" and drill.created_by == actor.id)):
            raise NotAllowed("only the coach who added this drill or an admin may change it")
        return drill

    def update(
        self,
        actor: Actor,
        drill_id: str,
        *,
        name: Any,
        aspect: Any,
        description: Any = "",
        video_url: Any = "",
    ) -> Drill:
        old = self._editable(actor, drill_id)
        fields = self._clean(name=name, aspect=aspect, description=description, video_url=video_url)
        new = Drill(id=old.id, created_by=old.created_by, created_at=old.created_at, **fields)
        if new == old:
            return old
        renamed = drill_name_key(fields["name"]) != drill_name_key(old.name)
        if renamed or fields["aspect"] != old.aspect:
            # (A twin written before names were checked can still be edited under its name.)
            self._refuse_taken(fields, own_id=old.id)
        self._write(new)
        before = {k: getattr(old, k) for k in fields if getattr(old, k) != fields[k]}
        self.audit.record(
            actor,
            "drill.update",
            **target_of(old),
            before=before,
            after={k: fields[k] for k in before},
        )
        return new

    def delete(self, actor: Actor, drill_id: str) -> Drill:
        drill = self._editable(actor, drill_id)
        self.db.execute("drills_delete", {"id": drill.id})
        self.db.refresh("drills")
        self.audit.record(
            actor,
            "drill.delete",
            **target_of(drill),
            before={"name": drill.name, "aspect": drill.aspect},
        )
        return drill

    def insert_missing(self, actor: Actor, drills: list[dict]) -> int:
        """The default library (operators and the demo seed): drills whose id is not there yet
        are added, ones already there are left as they are, and so is one whose name a coach's
        drill of its aspect already has (no twin entries). Returns how many were added."""
        if actor is not SYSTEM:
            raise NotAllowed("the default library is written by commands")
        before = len(self.all(actor))
        now = utc_now()
        rows = []
        for d in drills:
            fields = self._clean(
                name=d["name"],
                aspect=d["aspect"],
                description=d.get("description", ""),
                video_url=d.get("video_url", ""),
            )
            taken = self._name_taken(fields["name"], fields["aspect"], own_id=d["id"])
            if taken is None:
                rows.append(
                    {"id": d["id"], **fields, "created_by": SYSTEM_AUTHOR, "created_at": now}
                )
        self.db.execute_many("drills_insert_missing", rows)
        self.db.refresh("drills")
        return len(self.all(actor)) - before


__all__ = ["Drills", "clean_video_url", "drill_aspects"]

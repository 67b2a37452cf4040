"""The similarity page: positions like this frame, or swings like this one, with filters."""

from __future__ import annotations

import json
from urllib.parse import urlencode

import numpy as np
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET

from analysis.engine.pose import SKELETON_EDGES
from analysis.engine.similarity import per_joint_rms, phase_label, phase_span
from swingvision.db.errors import NotFound, ValidationError
from swingvision.db.managers import managers
from swingvision.db.managers.similarity import SCOPES, ScopeError
from swingvision.db.records import Pose, Video
from swingvision.http import is_htmx
from swingvision.videos.availability import raw_video_available
from swingvision.web import BadRequest, choice_param, int_param, player_or_404, video_or_404

from . import service

SCOPE_LABELS = {
    # A coach sees only their own players' swings: "mine" and "all" are the same set.
    "coach": {"mine": "All my players", "player": "One player", "all": "All my players"},
    "admin": {"mine": "Everyone", "player": "One player", "all": "Everyone"},
    "player": {"mine": "My swings", "player": "My swings", "all": "My swings"},
}
DEFAULT_RESULTS = 10


# A match's typical joint offset (torso lengths) -> how a coach would say it. A torso is about
# 50 cm: "very close" keeps each joint within about 4 cm, "close" within about 10 cm.
CLOSENESS_BANDS = (0.08, 0.2)


def closeness(per_joint: float) -> tuple[str, str]:
    """(css class, words) for a match whose joints are `per_joint` torso lengths off, typically,
    judged on the figure as the card shows it (two decimals), so words and number agree."""
    per_joint = round(per_joint, 2)
    if per_joint <= CLOSENESS_BANDS[0]:
        return "very-close", "very close"
    if per_joint <= CLOSENESS_BANDS[1]:
        return "close", "close"
    return "loose", "loosely similar"


def frame_url(player_id: str, video: Video, frame: int | None) -> str:
    """The picture of the matched frame, when the swing still has its video."""
    if frame is None or not raw_video_available(video):
        return ""
    return reverse("video-frame", args=[player_id, video.id, frame])


def replay_url(player_id: str, video_id: str, frame: int | None) -> str:
    """The replay page of a swing, opened at a frame (`?frame=N`, which the replay page reads)."""
    url = reverse("swing", args=[player_id, video_id])
    return f"{url}?frame={frame}" if frame is not None else url


def thumb(pose: Pose | None, video: Video) -> str:
    """A pose as the thumbnail module draws it: [x, y] per landmark (null if unseen), JSON."""
    if pose is None:
        return ""
    kp = np.asarray(pose.keypoints, dtype=np.float64)
    points = [
        None
        if not np.isfinite(x) or not np.isfinite(y)
        else [round(float(x), 4), round(float(y), 4)]
        for x, y in kp[:, :2]
    ]
    width, height = video.metadata.get("width"), video.metadata.get("height")
    aspect = float(width) / float(height) if width and height else 4 / 3
    return json.dumps({"points": points, "aspect": round(aspect, 4)}, separators=(",", ":"))


def _default_frame(db, actor, player_id: str, video_id: str) -> int:
    """With no ?frame, a position search starts at the swing's Top."""
    analysis = managers(db).analyses.latest_for_video(actor, player_id, video_id)
    top = (analysis.events or {}).get("top") if analysis else None
    if not isinstance(top, int | float):
        raise ValidationError("frame", "this swing has no analysis with a Top to start from")
    return int(top)


@require_GET
def similar(request: HttpRequest, player_id: str, video_id: str) -> HttpResponse:
    """Matches for a frame (kind=positions, the default) or a whole swing (kind=swings)."""
    player = player_or_404(request, player_id)
    video = video_or_404(request, player.id, video_id)
    actor = request.user
    m = managers()
    db = m.db
    kind = choice_param(request, "kind", service.KINDS, "positions")
    # A chosen player makes it a one-player search (the form has one select for both).
    chosen = request.GET.get("player", "")
    if len(chosen) > 100:
        raise BadRequest("player: too long")
    scope_name = "player" if chosen else choice_param(request, "scope", SCOPES, "mine")
    same_phase = choice_param(request, "phase", ("any", "same"), "any") == "same"
    same_view = choice_param(request, "view", ("same", "any"), "same") == "same"
    # Whole swings are compared within one camera view only (#20): their metrics and timing
    # differ between views. Positions may still be searched across views.
    same_view = same_view or kind == "swings"
    same_hand = choice_param(request, "hand", ("any", "same"), "any") == "same"
    n = int_param(request, "n", DEFAULT_RESULTS, lo=1, hi=service.MAX_RESULTS)
    try:
        scope = m.similarity.scope(actor, scope_name, chosen)
    except ScopeError as e:
        raise BadRequest(str(e)) from None
    except NotFound:
        raise BadRequest("player: no such player") from None
    # A swing that cannot start a search (no analysed pose at this frame, no analysis yet) gets
    # the page with the reason: the replay links here from every frame.
    query, hits, problem = None, [], ""
    frame = int_param(request, "frame", -1, lo=0, hi=10**6) if kind == "positions" else -1
    try:
        if kind == "positions":
            if frame < 0:
                frame = _default_frame(db, actor, player.id, video.id)
            query = service.position_query(db, actor, player.id, video.id, frame)
        else:
            query = service.swing_query(db, actor, player.id, video.id)
        flt = service.filters_for(
            query, same_phase=same_phase, same_view=same_view, same_hand=same_hand
        )
        hits = service.search(db, actor, query, scope, flt, k=n)
    except ValidationError as e:
        problem = e.message

    state = {
        "kind": kind,
        "frame": str(frame) if kind == "positions" and frame >= 0 else "",
        "scope": "" if scope_name in ("mine", "player") else scope_name,
        "player": chosen,
        "phase": "same" if same_phase else "",
        "view": "" if same_view else "any",
        "hand": "same" if same_hand else "",
    }
    if n != DEFAULT_RESULTS:
        state["n"] = str(n)
    results = [
        {
            "hit": h,
            "thumb": thumb(h.pose, h.video),
            "replay_url": replay_url(h.player.id, h.video.id, h.frame_number),
            # The matched frame's phase as the engine labelled it when it analysed that swing,
            # and whether it is the query's own phase (the same moment of the swing).
            "phase_label": phase_label(h.phase) if h.phase else "",
            "phase_span": phase_span(h.phase),
            "same_phase": bool(
                query and query.kind == "positions" and h.phase and h.phase == query.phase
            ),
            "per_joint": per_joint_rms(h.distance, len(query.vector)) if query else 0.0,
            "closeness": closeness(per_joint_rms(h.distance, len(query.vector)) if query else 0.0),
            "frame_url": frame_url(h.player.id, h.video, h.frame_number),
            "search_url": _link(
                reverse("similar", args=[h.player.id, h.video.id]),
                {**state, "frame": "" if h.frame_number is None else str(h.frame_number)},
            ),
        }
        for h in hits
    ]
    role = actor.role if actor.role in SCOPE_LABELS else "admin"
    context = {
        "player": player,
        "video": video,
        "query": query,
        "frame": frame if frame >= 0 else None,
        "problem": problem,
        "query_thumb": thumb(query.pose, video) if query else "",
        "query_phase": phase_label(query.phase) if query and query.phase else "",
        "query_replay_url": replay_url(player.id, video.id, frame if frame >= 0 else None),
        "closeness_bands": CLOSENESS_BANDS,
        "results": results,
        "kind": kind,
        "scope": scope,
        "scope_name": scope_name,
        "scope_labels": SCOPE_LABELS[role],
        "scope_choices": [] if actor.role == "player" else list(SCOPES),
        "scope_players": []
        if actor.role == "player"
        else m.similarity.players(actor, m.similarity.scope(actor, "all")),
        "chosen_player": chosen,
        "same_phase": same_phase,
        "same_view": same_view,
        "same_hand": same_hand,
        "n": n,
        "positions_url": _link(request.path, {**state, "kind": "positions", "frame": ""}),
        "swings_url": _link(request.path, {**state, "kind": "swings", "frame": "", "phase": ""}),
        "edges": SKELETON_EDGES,
    }
    if is_htmx(request):
        return render(request, "similar.html#results", context)
    return render(request, "similar.html", context)


def _link(path: str, params: dict[str, str]) -> str:
    kept = {k: v for k, v in params.items() if v not in ("", None)}
    return f"{path}?{urlencode(kept)}" if kept else path

"""Demo data: two coaches, their players and weeks of swings that show real progress in some
metrics and none in others. Generated swings are rendered to H.264 and analysed by the engine."""

from __future__ import annotations

import logging
import tempfile
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import numpy as np

from analysis.engine.synth import SwingParams, generate_swing, render_video
from analysis.pipeline import (
    LoadedPoses,
    ProcessingError,
    analyze_and_store,
    fail,
    thumbnail_step,
)
from swingvision.coaching.library import seed_drills
from swingvision.db.codec import utc_now
from swingvision.db.managers import SYSTEM, Managers
from swingvision.storage import get_store, video_key
from swingvision.videos import retention
from swingvision.videos.probe import MP4_FAMILY

log = logging.getLogger("swingvision.demo")

DEMO_PASSWORD = "swing-demo-2026"
COACHES = (("morgan", "Morgan Reyes"), ("sam", "Sam Okafor"))
PLAYER_NAMES = (
    "Ava Lindqvist", "Ben Carter", "Chloe Nakamura", "Diego Alvarez", "Emma Schultz",
    "Finn O'Brien", "Grace Adeyemi", "Hugo Martin", "Isla Patel", "Jonah Weiss",
    "Kira Novak", "Leo Rossi", "Maya Haddad", "Noah Kim", "Olivia Brandt", "Pablo Ortega",
)  # fmt: skip
CLUBS = ("driver", "7-iron", "driver", "5-iron", "driver", "9-iron")

# What each player works on: metric -> (start, goal). Players improve in their "improving" aspects
# and stay where they started in the others, so progress pages show both.
START = {"tempo": 4.0, "shoulder": 78.0, "hip": 58.0, "head": 0.16}
GOAL = {"tempo": 3.0, "shoulder": 95.0, "hip": 45.0, "head": 0.05}


@dataclass(frozen=True)
class DemoPlayer:
    slug: str
    name: str
    coach_slug: str
    left_handed: bool
    view: str
    improving: tuple[str, ...]


def demo_players(players_per_coach: int) -> list[DemoPlayer]:
    """The demo players, dealt to the coaches in turn: a player's coach, handedness and view do not
    depend on players_per_coach, so seeding again with another size adds players and never finds
    one already assigned elsewhere."""
    out = []
    aspects = ("tempo", "shoulder", "hip", "head")
    for i in range(players_per_coach * len(COACHES)):
        coach_slug = COACHES[i % len(COACHES)][0]
        j = i // len(COACHES)  # the player's place in their coach's list
        name = PLAYER_NAMES[i % len(PLAYER_NAMES)]
        if i >= len(PLAYER_NAMES):
            name = f"{name} {i // len(PLAYER_NAMES) + 1}"
        slug = name.lower().replace(" ", "-").replace("'", "")
        # Two aspects improve per player, chosen in turn; one player per coach is a lefty and
        # one films down the line.
        improving = (aspects[i % 4], aspects[(i + 1) % 4]) if j % 3 else (aspects[i % 4],)
        out.append(
            DemoPlayer(
                slug=slug,
                name=name,
                coach_slug=coach_slug,
                left_handed=j == 2,
                view="down-the-line" if j == 4 else "face-on",
                improving=improving,
            )
        )
    return out


def swing_params(p: DemoPlayer, k: int, n: int, rng: np.random.Generator):
    progress = k / max(n - 1, 1)

    def value(aspect: str, jitter: float) -> float:
        start, goal = START[aspect], GOAL[aspect]
        v = start + (goal - start) * progress if aspect in p.improving else start
        return float(v + rng.normal(0, jitter))

    tempo = max(2.2, value("tempo", 0.12))
    downswing = float(rng.uniform(0.25, 0.30))
    return SwingParams(
        fps=30.0,
        view=p.view,
        left_handed=p.left_handed,
        shoulder_turn_deg=value("shoulder", 2.5),
        hip_turn_deg=value("hip", 2.0),
        backswing_s=tempo * downswing,
        downswing_s=downswing,
        head_sway=max(0.0, value("head", 0.01)),
        address_s=float(rng.uniform(0.5, 0.8)),
        finish_s=0.6,
        noise=0.003,
        seed=int(rng.integers(1 << 31)),
        width=480,
        height=360,
    )


def seed_demo(
    m: Managers,
    *,
    players_per_coach: int = 6,
    swings_per_player: int = 8,
    days: int = 42,
    render: bool = True,
    echo=print,
) -> dict:
    users = m.users
    created = {"users": 0, "videos": 0, "failed": 0}
    created["drills"] = seed_drills(m)  # the default drill library (issue #10), idempotent

    def ensure_user(user_id: str, **kw):
        existing = users.find(user_id)
        if existing is not None:
            return existing
        created["users"] += 1
        return users.create(user_id=user_id, password=DEMO_PASSWORD, **kw)

    ensure_user(
        "demo-admin",
        username="admin",
        email="admin@demo.swingvision",
        role="admin",
        full_name="Alex Admin",
    )
    coaches = {
        slug: ensure_user(
            f"demo-coach-{slug}",
            username=f"coach.{slug}",
            email=f"{slug}@demo.swingvision",
            role="coach",
            full_name=name,
        )
        for slug, name in COACHES
    }
    store = get_store()
    now = utc_now().replace(minute=0, second=0, microsecond=0)
    players = demo_players(players_per_coach)
    for pi, p in enumerate(players):
        player = ensure_user(
            f"demo-player-{p.slug}",
            username=p.slug.replace("-", "."),
            email=f"{p.slug}@demo.swingvision",
            role="player",
            coach_id=coaches[p.coach_slug].id,
            full_name=p.name,
            settings={"handedness": "left" if p.left_handed else "right", "view": p.view},
        )
        rng = np.random.default_rng(1000 + pi)
        for k in range(swings_per_player):
            video_id = f"demo-{p.slug}-{k:02d}"
            params = swing_params(p, k, swings_per_player, rng)
            existing = m.videos.find_any(video_id)
            if existing is not None and existing.status in ("analyzed", "expired"):
                continue
            days_ago = days * (1 - k / max(swings_per_player - 1, 1))
            uploaded_at = now - timedelta(days=days_ago, hours=int(rng.integers(0, 8)))
            swing = generate_swing(params)
            meta = {
                "fps": params.fps,
                "frame_count": swing.n_frames,
                "width": params.width,
                "height": params.height,
                "codec": "h264",
                "container": MP4_FAMILY,  # as the probe names it (FFmpeg's demuxer)
                "club": CLUBS[k % len(CLUBS)],
                "view": p.view,
                "source": "demo",
            }
            blob_ref = None
            if render:
                with tempfile.TemporaryDirectory() as tmp:
                    path = Path(tmp) / "swing.mp4"
                    render_video(swing, path)
                    with path.open("rb") as fh:
                        blob_ref = store.put(
                            video_key(player.id, video_id, f"swing-{k + 1}.mp4"),
                            fh,
                            content_type="video/mp4",
                        )
            if existing is not None:
                m.videos.delete(SYSTEM, existing)
            video = m.videos.create(
                SYSTEM,
                player.id,
                video_id=video_id,
                filename=f"swing-{k + 1}.mp4",
                status="processing",
                metadata=meta,
                blob_ref=blob_ref,
                duration_s=swing.n_frames / params.fps,
                uploaded_at=uploaded_at,
            )
            poses = LoadedPoses(
                keypoints=swing.keypoints,
                fps=params.fps,
                source="synthetic",
                width=params.width,
                height=params.height,
            )
            try:
                analysis = analyze_and_store(m, video, poses, player=player)
                if render:
                    thumbnail_step(m, video, analysis, poses)
            except ProcessingError as e:
                fail(m, video, str(e))
                created["failed"] += 1
                continue
            current = m.videos.get_system(player.id, video.id)
            m.videos.update(
                current, metadata={**current.metadata, "pose_source": "synthetic", "pose_fps": 30.0}
            )
            m.videos.transition(current, "processing", "analyzed")
            created["videos"] += 1
        # The history goes back further than raw videos are kept: the older swings are expired
        # as the daily purge would have left them (video deleted the day it fell due, replayed
        # as a skeleton), so no page offers a video "until" a date already past.
        retention.purge(player_id=player.id, as_due=True, m=m)
        echo(f"  {p.name}: {swings_per_player} swings")
    return created

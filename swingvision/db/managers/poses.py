"""Per-frame poses of a video, written in bulk with deterministic ids (<video_id>:<frame>)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from analysis.engine.pose import pose_confidence

from ..codec import Keypoints, Vector, keypoints_from_blob, keypoints_from_objects
from ..gateway import Database
from ..records import Pose, PoseSequence, Video
from .scope import Actor, visible_player

BATCH = 1000


def pose_id(video_id: str, frame: int) -> str:
    return f"{video_id}:{frame}"


class Poses:
    def __init__(self, db: Database) -> None:
        self.db = db

    def write_video_poses(
        self,
        video: Video,
        keypoints: np.ndarray,
        fps: float,
        *,
        embeddings: np.ndarray | None = None,
        frame_numbers: np.ndarray | None = None,
        phases: Sequence[str | None] | None = None,
        view: str | None = None,
        left_handed: bool | None = None,
    ) -> int:
        """Upsert one row per frame (frames with no joint at all are skipped) and drop rows past
        the last frame, so a re-run leaves exactly one row per frame.

        `phases` (one per frame), `view` and `left_handed` are what similarity search filters
        on; the pipeline passes them from the analysis."""
        kp = np.asarray(keypoints, dtype=np.float32)
        n = len(kp)
        frames = np.arange(n) if frame_numbers is None else np.asarray(frame_numbers)
        conf = pose_confidence(kp)
        present = ~np.all(np.isnan(kp[:, :, 0]), axis=1)
        rows = []
        for i in np.flatnonzero(present):
            f = int(frames[i])
            rows.append(
                {
                    "id": pose_id(video.id, f),
                    "video_id": video.id,
                    "user_id": video.user_id,
                    "frame_number": f,
                    "timestamp_ms": int(round(f * 1000.0 / fps)),
                    "keypoints": Keypoints(kp[i]),
                    "confidence": float(conf[i]),
                    "embedding": Vector(None if embeddings is None else embeddings[i]),
                    "phase": None if phases is None else phases[i],
                    "view": view,
                    "left_handed": left_handed,
                }
            )
        for start in range(0, len(rows), BATCH):
            self.db.execute_many("poses_upsert", rows[start : start + BATCH])
        last = int(frames[-1]) if n else -1
        self.db.execute(
            "poses_delete_after_frame",
            {"user_id": video.user_id, "video_id": video.id, "frame": last},
        )
        self.db.refresh("poses")
        return len(rows)

    def sequence(self, actor: Actor, player_id: str, video_id: str) -> PoseSequence:
        """All frames as arrays; frames with no stored pose are absent from frame_numbers."""
        visible_player(self.db, actor, player_id)
        rows = self.db.raw_rows(
            "poses_keypoints_for_video", {"user_id": player_id, "video_id": video_id}
        )
        if not rows:
            return PoseSequence(
                video_id=video_id,
                frame_numbers=np.zeros(0, dtype=np.int64),
                keypoints=np.zeros((0, 33, 4), dtype=np.float32),
            )
        frames = np.fromiter((r[0] for r in rows), dtype=np.int64, count=len(rows))
        if self.db.dialect == "sqlite":
            kp = np.frombuffer(b"".join(r[1] for r in rows), dtype=np.float32)
            kp = kp.reshape(len(rows), 33, 4)
        else:
            kp = np.stack([keypoints_from_objects(r[1]) for r in rows])
        return PoseSequence(video_id=video_id, frame_numbers=frames, keypoints=kp)

    def for_video(self, actor: Actor, player_id: str, video_id: str) -> list[Pose]:
        visible_player(self.db, actor, player_id)
        return self.db.fetch_all(
            Pose, "poses_for_video", {"user_id": player_id, "video_id": video_id}
        )

    def get(self, actor: Actor, player_id: str, video_id: str, frame: int) -> Pose:
        visible_player(self.db, actor, player_id)
        return self.db.fetch_one(
            Pose, "poses_get", {"id": pose_id(video_id, frame), "user_id": player_id}
        )

    def count(self, video: Video) -> int:
        return int(
            self.db.fetch_value(
                "poses_count_for_video", {"user_id": video.user_id, "video_id": video.id}
            )
        )


__all__ = ["Poses", "keypoints_from_blob", "pose_id"]

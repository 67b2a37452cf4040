"""How well "find similar positions" finds the same position: measured on real labelled swings.

The measure (issue #18). A dev set of real swings with GolfDB's 8 labelled event frames (a
directory like shared/data/golfdb-dev: index.csv and poses/<id>_poses.csv.gz). For every face-on
and down-the-line swing and each of its 8 labelled events, the event frame's pose vector is
searched over every frame of every swing by OTHER golfers filmed from the same side, best frame
per swing (as the results page shows them). A match is correct when its frame is within
max(round((impact - address) / 30), 1, 2) frames of the same labelled event in the matched swing
(GolfDB's tolerance, at least 2 frames). Reported: precision@1 (the first result is correct) and
the share of queries with a correct result among the first 5, per event and overall.

Whole swings: each swing's vector (the 8 labelled event poses, analysis.engine.pose.swing_embedding)
against every swing by another golfer, any view; how often the nearest shares its club, its view,
both, beside the rate a random swing by another golfer would.

Label agreement: how far GolfDB's labels themselves hold the measure's tolerance. Most golfers
here have a real-time clip and a slow-motion replay of the same swing; their frames are mapped
onto each other by the five middle events (mid-backswing to mid-follow-through, a straight line:
the replay runs about 4x slower), and each other event's label in the replay is checked against
the mapped label of the real-time clip, within the replay's tolerance. On golfdb-dev the labels of one swing agree for toe-up in 23 of 25 pairs
but for address in 8 and finish in 9: the frame where the club starts back or the golfer comes
to rest is placed differently from clip to clip (or the replay's speed changes at its ends), so
no pose vector can land within the tolerance of both labels, and precision@1 for these two events
is bounded by the labels as much as by the embedding.

Pure: numpy and the engine (swings read by realset.load_set); the command `manage.py similarity_report` prints it.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from analysis.engine.pose import EVENT_NAMES, pose_embeddings, pose_embeddings_v1, swing_embedding
from analysis.engine.realset import MAPPING_EVENTS, RealSwing, pair_tolerance, replay_pairs

SEARCHED_VIEWS = ("face-on", "down-the-line")
TOP = 5
# Label agreement: the events not used to map a real-time clip onto its slow-motion replay.
CHECKED_EVENTS = tuple(e for e in EVENT_NAMES if e not in MAPPING_EVENTS)


Embedder = Callable[[RealSwing], np.ndarray]


def embed_v2(swing: RealSwing) -> np.ndarray:
    """The product's pose vectors (right-handed golfers; clips are square, aspect 1)."""
    return pose_embeddings(swing.keypoints, left_handed=False)


def embed_v1(swing: RealSwing) -> np.ndarray:
    return pose_embeddings_v1(swing.keypoints, left_handed=False)


EMBEDDINGS: dict[str, Embedder] = {"v1": embed_v1, "v2": embed_v2}


def _searchable(swing: RealSwing, vectors: np.ndarray) -> np.ndarray:
    """Frames the product would search: a stored pose with a non-zero vector."""
    seen = np.isfinite(swing.keypoints[:, :, 0]).any(axis=1)
    return seen & np.any(vectors != 0, axis=1)


def position_measure(swings: list[RealSwing], embed: Embedder) -> dict:
    """precision@1 and any-of-top-5 per event and overall (see the module docstring)."""
    vectors = [np.asarray(embed(s), dtype=np.float64) for s in swings]
    masks = [_searchable(s, v) for s, v in zip(swings, vectors, strict=True)]
    first = {e: 0 for e in EVENT_NAMES}
    top = {e: 0 for e in EVENT_NAMES}
    count = {e: 0 for e in EVENT_NAMES}
    for qi, q in enumerate(swings):
        if q.view not in SEARCHED_VIEWS:
            continue
        others = [j for j, s in enumerate(swings) if s.view == q.view and s.player != q.player]
        for event in EVENT_NAMES:
            query = vectors[qi][q.events[event]]
            best = []
            for j in others:
                d = np.einsum("ij,ij->i", vectors[j] - query, vectors[j] - query)
                d[~masks[j]] = np.inf
                frame = int(np.argmin(d))
                if np.isfinite(d[frame]):
                    best.append((float(d[frame]), swings[j].id, frame, j))
            best.sort()
            correct = [
                abs(frame - swings[j].events[event]) <= pair_tolerance(swings[j])
                for _d, _id, frame, j in best[:TOP]
            ]
            count[event] += 1
            first[event] += bool(correct and correct[0])
            top[event] += any(correct)
    n = sum(count.values())
    return {
        "queries": n,
        "swings": sum(1 for s in swings if s.view in SEARCHED_VIEWS),
        "precision_at_1": sum(first.values()) / n if n else 0.0,
        "top5": sum(top.values()) / n if n else 0.0,
        "per_event": {
            e: {"first": first[e], "top5": top[e], "queries": count[e]} for e in EVENT_NAMES
        },
    }


def swing_measure(swings: list[RealSwing], embed: Embedder) -> dict:
    """Nearest swing by another golfer: shares club / view / both, against chance."""
    vectors = np.stack([swing_embedding(embed(s), s.events) for s in swings]).astype(np.float64)
    same = {"club": [], "view": [], "both": []}
    chance = {"club": [], "view": [], "both": []}
    for i, s in enumerate(swings):
        others = [j for j, o in enumerate(swings) if o.player != s.player]
        if not others:
            continue
        d = np.linalg.norm(vectors[others] - vectors[i], axis=1)
        nearest = swings[others[int(np.argmin(d))]]
        for key, match in (
            ("club", lambda o, s=s: o.club == s.club),
            ("view", lambda o, s=s: o.view == s.view),
            ("both", lambda o, s=s: o.club == s.club and o.view == s.view),
        ):
            same[key].append(match(nearest))
            chance[key].append(np.mean([match(swings[j]) for j in others]))
    return {
        "swings": len(same["club"]),
        **{f"same_{k}": float(np.mean(v)) if v else 0.0 for k, v in same.items()},
        **{f"chance_{k}": float(np.mean(v)) if v else 0.0 for k, v in chance.items()},
    }


def label_agreement(swings: list[RealSwing]) -> dict:
    """Per checked event, in how many (real-time clip, slow-motion replay of the same swing)
    pairs (realset.replay_pairs) the replay's label is within its tolerance of the mapped
    real-time label (see the module docstring)."""
    pairs = replay_pairs(swings)
    agree = {
        e: sum(
            abs(slow.events[e] - (factor * fast.events[e] + offset)) <= pair_tolerance(slow)
            for fast, slow, factor, offset in pairs
        )
        for e in CHECKED_EVENTS
    }
    return {"pairs": len(pairs), "agree": agree}


def format_label_agreement(r: dict) -> str:
    n = r["pairs"]
    checked = ", ".join(f"{e} {k}/{n}" for e, k in r["agree"].items())
    return (
        f"labels of one swing (a real-time clip and its slow-motion replay, {n} pairs, frames "
        f"mapped by the {len(MAPPING_EVENTS)} middle events): within the tolerance of each other"
        f" {checked}"
    )


def similarity_report(swings: list[RealSwing], embeddings: tuple[str, ...] = ("v1", "v2")) -> dict:
    return {
        name: {
            "positions": position_measure(swings, EMBEDDINGS[name]),
            "swings": swing_measure(swings, EMBEDDINGS[name]),
        }
        for name in embeddings
    }


def format_report(report: dict) -> str:
    lines = []
    for name, r in report.items():
        p, w = r["positions"], r["swings"]
        lines.append(
            f"pose embedding {name}: {p['swings']} swings (face-on, down-the-line), "
            f"{p['queries']} queries, other golfers of the same view, best frame per swing"
        )
        lines.append(
            f"  precision@1 {p['precision_at_1']:.3f}   same event in top 5 {p['top5']:.3f}"
        )
        lines.append(f"  {'event':<20}{'p@1':>12}{'top 5':>12}")
        for event, e in p["per_event"].items():
            n = max(e["queries"], 1)
            lines.append(
                f"  {event:<20}{e['first']:>4}/{e['queries']:<3}{e['first'] / n:>5.2f}"
                f"{e['top5']:>4}/{e['queries']:<3}{e['top5'] / n:>5.2f}"
            )
        lines.append(
            f"  whole swings ({w['swings']}, any view): nearest swing by another golfer shares "
            f"club {w['same_club']:.2f} (chance {w['chance_club']:.2f}), view {w['same_view']:.2f}"
            f" (chance {w['chance_view']:.2f}), both {w['same_both']:.2f}"
            f" (chance {w['chance_both']:.2f})"
        )
    return "\n".join(lines)

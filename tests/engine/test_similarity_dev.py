"""Pose embedding v2 on real labelled swings (shared/data/golfdb-dev): the first match of each
labelled event pose, among other golfers' swings of the same view, is the same event.

Floors a little under what v2 reaches (similarity_report --real: precision@1 0.734, same event
in the top 5 0.895; version 1 reached 0.312 and 0.694). And the report's label agreement: the
labels of one swing's two clips (real time and slow-motion replay) agree on toe-up but mostly not
on address and finish, the two events below the goal."""

from __future__ import annotations

import io

import numpy as np
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from analysis.engine.pose import EVENT_NAMES
from analysis.engine.realset import RealSwing, load_set
from analysis.engine.similarity_report import (
    embed_v2,
    format_label_agreement,
    label_agreement,
    position_measure,
    swing_measure,
)
from tests.conftest import SHARED_DATA

DEV = SHARED_DATA / "golfdb-dev"


@pytest.fixture(scope="module")
def dev_swings():
    return load_set(DEV)


def test_v2_finds_the_same_event_across_golfers(dev_swings):
    r = position_measure(dev_swings, embed_v2)
    assert r["swings"] == 38 and r["queries"] == 304
    assert r["precision_at_1"] >= 0.72
    assert r["top5"] >= 0.88
    per_event = {e: v["first"] / v["queries"] for e, v in r["per_event"].items()}
    # The moving events are found almost always; the still ends of the swing are the hard part.
    for event in ("mid_backswing", "top", "mid_downswing", "impact", "mid_follow_through"):
        assert per_event[event] >= 0.8, (event, per_event[event])
    assert per_event["address"] >= 0.4 and per_event["toe_up"] >= 0.55


def test_nearest_swing_shares_the_view_more_than_chance(dev_swings):
    r = swing_measure(dev_swings, embed_v2)
    assert r["same_view"] >= 2 * r["chance_view"]
    assert r["same_both"] >= 2 * r["chance_both"]


def test_bad_directory_is_named(tmp_path):
    with pytest.raises(FileNotFoundError, match="index.csv"):
        load_set(tmp_path)


def _labelled(sid: str, player: str, slow: bool, events: dict[str, int]) -> RealSwing:
    return RealSwing(
        id=sid,
        player=player,
        club="driver",
        view="face-on",
        slow=slow,
        keypoints=np.zeros((1, 33, 4), dtype=np.float32),
        events=events,
        tempo_ratio=(events["top"] - events["address"]) / (events["impact"] - events["top"]),
    )


def test_label_agreement_maps_a_replay_by_its_middle_events():
    fast_events = dict(zip(EVENT_NAMES, (30, 40, 45, 50, 55, 58, 61, 75), strict=True))
    # The replay: 4x slower, 100 frames later; tolerance max(round(28 * 4 / 30), 1, 2) = 4.
    slow_events = {e: 4 * f + 100 for e, f in fast_events.items()}
    slow_events["address"] += 4  # within the tolerance
    slow_events["finish"] -= 9  # outside it
    swings = [
        _labelled("1", "A", False, fast_events),
        _labelled("2", "A", True, slow_events),
        # Another golfer's replay of a different swing: not a pair, however it fits.
        _labelled("3", "B", True, slow_events),
        # A second real-time clip of golfer A that does not fit the replay: left out.
        _labelled("4", "A", False, {**fast_events, "top": 54}),
    ]
    r = label_agreement(swings)
    assert r["pairs"] == 1
    assert r["agree"] == {"address": 1, "toe_up": 1, "finish": 0}
    assert "address 1/1, toe_up 1/1, finish 0/1" in format_label_agreement(r)


def test_dev_labels_of_one_swing_disagree_on_address_and_finish(dev_swings):
    r = label_agreement(dev_swings)
    assert r["pairs"] >= 20
    share = {e: k / r["pairs"] for e, k in r["agree"].items()}
    # Toe-up holds across the two clips of a swing; address and finish do not (module docstring).
    assert share["toe_up"] >= 0.8
    assert share["address"] <= 0.5 and share["finish"] <= 0.5


def test_command_prints_the_measure_and_the_label_agreement():
    out = io.StringIO()
    call_command("similarity_report", real=str(DEV), embedding="v2", stdout=out)
    text = out.getvalue()
    assert "pose embedding v2: 38 swings" in text and "precision@1 0.7" in text
    assert "labels of one swing" in text and "address " in text


def test_command_names_a_bad_directory(tmp_path):
    with pytest.raises(CommandError, match="--real"):
        call_command("similarity_report", real=str(tmp_path), stdout=io.StringIO())

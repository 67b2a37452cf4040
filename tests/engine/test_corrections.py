"""The events a coach's correction keeps (analysis.engine.corrections): the 8 stay in order,
with a frame for each event found again between those kept."""

from __future__ import annotations

from analysis.engine.corrections import held_events, order_error
from analysis.engine.events import EVENT_NAMES

ENGINE = dict(zip(EVENT_NAMES, (18, 29, 34, 42, 46, 50, 52, 65), strict=True))


def test_events_that_still_fit_are_kept_where_they_were():
    held = held_events(ENGINE, {"top": 44})
    assert held == {**ENGINE, "top": 44}


def test_events_a_correction_passes_are_found_again():
    held = held_events(ENGINE, {"top": 48})
    assert "mid_downswing" not in held and held["impact"] == 50 and held["top"] == 48


def test_a_kept_event_that_leaves_no_room_is_found_again_too():
    """Top one frame before Mid follow-through: Mid downswing and Impact need a frame each
    between them, so Mid follow-through is found again rather than squeezing them out of order."""
    held = held_events(ENGINE, {"top": 51})
    assert {"mid_downswing", "impact", "mid_follow_through"}.isdisjoint(held)
    assert held["top"] == 51 and held["finish"] == 65
    kept = sorted(held, key=EVENT_NAMES.index)
    for a, b in zip(kept, kept[1:], strict=False):
        assert held[b] - held[a] >= EVENT_NAMES.index(b) - EVENT_NAMES.index(a), (a, b)


def test_no_coach_events_keeps_nothing():
    assert held_events(ENGINE, {}) == {}


def test_coach_events_out_of_order_or_without_room_are_refused():
    assert order_error({"top": 40, "impact": 50}, "top") is None
    assert order_error({"top": 50, "impact": 50}, "top") == (
        "Top must come before Impact (set to frame 50)"
    )
    assert order_error({"top": 49, "impact": 50}, "top") == (
        "Top must leave room for Mid downswing before Impact (set to frame 50)"
    )
    assert order_error({"top": 40, "impact": 41}, "impact") == (
        "Impact must leave room for Mid downswing after Top (set to frame 40)"
    )


def test_the_clips_ends_leave_room_for_the_events_before_and_after():
    """Outside re-check: Top dragged to the clip's last frame was kept with Mid downswing,
    Impact and Finish before it."""
    assert order_error({"top": 86}, "top", n_frames=88) == (
        "Top must leave room for Mid downswing, Impact, Mid follow-through and Finish before "
        "the clip ends (frame 87)"
    )
    assert order_error({"top": 83}, "top", n_frames=88) is None
    assert order_error({"toe_up": 0}, "toe_up", n_frames=88) == (
        "Toe up must leave room for Address before it"
    )
    assert order_error({"mid_follow_through": 87}, "mid_follow_through", n_frames=88) == (
        "Mid follow-through must leave room for Finish before the clip ends (frame 87)"
    )
    # A late Top leaves Mid follow-through (64) no room for Mid downswing and Impact: it is
    # found again; Finish at the clip's last frame (66) still has room for the three before it.
    engine = {**ENGINE, "mid_follow_through": 64, "finish": 66}
    assert order_error({"top": 62}, "top", n_frames=67) is None
    held = held_events(engine, {"top": 62}, n_frames=67)
    assert held == {**{k: engine[k] for k in EVENT_NAMES[:3]}, "top": 62, "finish": 66}
    # A Finish the engine put on the clip's last frame, after a Mid follow-through set there too
    # late to leave it room, would be order_error's; an engine Finish crowding the end is dropped.
    assert "finish" not in held_events({**ENGINE, "finish": 70}, {"top": 44}, n_frames=70)

"""The rules of a coach's event corrections: which events a coach set, which the engine keeps.

A correction is a dict in an analysis's `details["corrections"]` list: the event, the engine's
frame, the coach's frame (None gives the event back to the engine), who and when. These functions
read those lists; the correction use case (load, re-analyse, store, audit) is
`analysis.corrections`.
"""

from __future__ import annotations

from analysis.engine.pose import EVENT_LABELS, EVENT_NAMES


def _frame(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def coach_events(corrections: list | None, n_frames: int | None = None) -> dict[str, int]:
    """The events a coach set by hand: per event, the frame of its newest correction (a newer
    entry with coach_frame None gave the event back to the engine). Frames outside a clip of
    `n_frames` are dropped, so a stale correction can never stop an analysis."""
    out: dict[str, int] = {}
    for c in corrections or []:
        if not isinstance(c, dict) or not isinstance(c.get("event"), str):
            continue
        frame = c.get("coach_frame")
        if _frame(frame):
            out[c["event"]] = frame
        else:
            out.pop(c["event"], None)
    if n_frames:
        out = {k: f for k, f in out.items() if 0 <= f < n_frames}
    return out


def held_events(events: dict, coach: dict[str, int], n_frames: int | None = None) -> dict[str, int]:
    """What the engine is told to keep when a coach has set events: the coach's frames, and every
    other event where the analysis had it, unless it no longer fits between the coach's (then the
    engine finds it again between them). So moving the top changes what depends on the top (tempo,
    the turns at the top) and leaves address and impact where the coach saw them. No coach events:
    nothing is kept, the engine detects everything."""
    if not coach:
        return {}
    out: dict[str, int] = {}
    for i, name in enumerate(EVENT_NAMES):
        if name in coach:
            out[name] = coach[name]
            continue
        frame = events.get(name)
        if not _frame(frame):
            continue
        before = [coach[n] for n in EVENT_NAMES[:i] if n in coach]
        after = [coach[n] for n in EVENT_NAMES[i + 1 :] if n in coach]
        if (before and frame <= max(before)) or (after and frame >= min(after)):
            continue
        out[name] = frame
    # The events found again need a frame each between the ones kept: a kept engine event that
    # leaves them no room is found again too (a Top set one frame before Mid follow-through
    # takes Mid follow-through along, instead of squeezing Mid downswing and Impact out of
    # order). Coach events always have room (order_error).
    # The clip's ends count as kept frames too (-1 before the first, n_frames after the last).
    index = {name: i for i, name in enumerate(EVENT_NAMES)}
    start, end = "<start>", "<end>"
    index[start], index[end] = -1, len(EVENT_NAMES)
    bounds = {start: -1, **({end: n_frames} if n_frames is not None else {})}
    while True:
        at = {**out, **bounds}
        kept = sorted(at, key=index.__getitem__)
        crowded = next(
            (
                (a, b)
                for a, b in zip(kept, kept[1:], strict=False)
                if at[b] - at[a] < index[b] - index[a]
            ),
            None,
        )
        if crowded is None:
            return out
        # The later engine event is found again, else the earlier; coach events crowded
        # together or against the clip's ends are order_error's to refuse.
        drop = next((x for x in crowded[::-1] if x in out and x not in coach), None)
        if drop is None:
            return out
        del out[drop]


def engine_override(details: dict, n_frames: int) -> dict[str, int] | None:
    """The events_override a (re-)analysis passes the engine for an analysis's coach data: the
    events its last correction kept (details["event_override"]), within the clip."""
    held = details.get("event_override")
    if not isinstance(held, dict):  # corrections from before the override was recorded
        held = coach_events(details.get("corrections"))
    out = {k: f for k, f in held.items() if _frame(f) and 0 <= f < n_frames}
    return out or None


def order_error(wanted: dict[str, int], changed: str, n_frames: int | None = None) -> str | None:
    """Why the coach's events break the swing's order (address < toe up < ... < finish, a frame
    each for the events between two of them, and, given the clip's `n_frames`, for the events
    before the first and after the last), naming the event that was just `changed`, or None
    when they keep it."""
    fixed = sorted(wanted.items(), key=lambda kv: EVENT_NAMES.index(kv[0]))
    for (a, fa), (b, fb) in zip(fixed, fixed[1:], strict=False):
        other, where = (b, "before") if a == changed else (a, "after")
        if fa >= fb:
            return (
                f"{EVENT_LABELS[changed]} must come {where} {EVENT_LABELS[other]} "
                f"(set to frame {wanted[other]})"
            )
        between = EVENT_NAMES[EVENT_NAMES.index(a) + 1 : EVENT_NAMES.index(b)]
        if fb - fa <= len(between):  # a frame each for the events between them
            return (
                f"{EVENT_LABELS[changed]} must leave room for {_names(between)} {where} "
                f"{EVENT_LABELS[other]} (set to frame {wanted[other]})"
            )
    if n_frames is not None and changed in wanted:
        i, frame = EVENT_NAMES.index(changed), wanted[changed]
        earlier, later = EVENT_NAMES[:i], EVENT_NAMES[i + 1 :]
        if frame < len(earlier):
            return f"{EVENT_LABELS[changed]} must leave room for {_names(earlier)} before it"
        if frame > n_frames - 1 - len(later):
            return (
                f"{EVENT_LABELS[changed]} must leave room for {_names(later)} before the "
                f"clip ends (frame {n_frames - 1})"
            )
    return None


def _names(events: list[str] | tuple[str, ...]) -> str:
    return listed([EVENT_LABELS[n] for n in events])


def listed(words: list[str]) -> str:
    """Words as a sentence lists them: "Impact", "Top and Impact", "Top, Impact and Finish"."""
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} and {words[-1]}"

"""The default drill library: two drills for every aspect the engine scores and gives feedback on.

Ids are fixed (`default-<aspect>-<n>`), so seeding again adds only what is missing and leaves an
admin's edits alone (`manage.py seed_drills`; `seed_demo` seeds it too).
"""

from __future__ import annotations

from swingvision.db.managers import SYSTEM, Managers

DEFAULT_DRILLS: tuple[dict, ...] = (
    {
        "aspect": "tempo_ratio",
        "name": "Count to three",
        "description": (
            "Say 'one-two' on the way back and 'three' at impact, out loud. Start with half "
            "swings at 60% speed and keep the count the same as the swing gets longer: the "
            "backswing takes about three times as long as the downswing."
        ),
    },
    {
        "aspect": "tempo_ratio",
        "name": "Metronome swings",
        "description": (
            "Set a metronome to about 70 beats per minute. Take the club away on a beat, reach "
            "the top two beats later and strike on the next one. Ten balls, then ten with the "
            "metronome off keeping the same rhythm."
        ),
    },
    {
        "aspect": "shoulder_turn_deg",
        "name": "Cross-arm turn",
        "description": (
            "Hold a club across your chest with both arms crossed, in your golf posture. Turn "
            "until the shaft points past the ball and your lead shoulder sits under your chin, "
            "hold two seconds, then turn through. 3 sets of 10."
        ),
    },
    {
        "aspect": "shoulder_turn_deg",
        "name": "Back to the target",
        "description": (
            "Make slow backswings and stop when your back faces the target. Check in a mirror "
            "or on camera that the shoulders turned, not just the arms lifted. Too much turn: "
            "stop as soon as your back faces the target."
        ),
    },
    {
        "aspect": "hip_turn_deg",
        "name": "Trail pocket back",
        "description": (
            "Put your hand in your trail-side pocket and make backswings that pull the pocket "
            "back behind you while the trail knee keeps its flex. Let the lead heel lift a "
            "little if the hips feel stuck."
        ),
    },
    {
        "aspect": "hip_turn_deg",
        "name": "Braced trail leg",
        "description": (
            "For hips that turn too much: make backswings with a ball under the outside of the "
            "trail foot. Keep pressure on the inside of that foot so the hips resist while the "
            "shoulders keep turning."
        ),
    },
    {
        "aspect": "x_factor_deg",
        "name": "Hips quiet, shoulders turn",
        "description": (
            "Rest a club against the front of your hips. Turn the shoulders fully while the "
            "club on your hips turns only half as far. Feel the stretch across the lead side "
            "of the back at the top."
        ),
    },
    {
        "aspect": "x_factor_deg",
        "name": "Step-through separation",
        "description": (
            "Start the downswing by stepping the lead foot toward the target while the back "
            "still faces it. The lower body leads and the coil builds in transition. Half "
            "swings, 2 sets of 10."
        ),
    },
    {
        "aspect": "head_sway",
        "name": "Wall drill",
        "description": (
            "Stand in your posture with the top of your head lightly touching a wall (or a "
            "friend's hand) and make slow swings without losing contact or pushing into it. "
            "Turn around the spine rather than sliding."
        ),
    },
    {
        "aspect": "head_sway",
        "name": "Shadow on the ball",
        "description": (
            "With the sun behind you, swing so the shadow of your head stays over the ball "
            "until after impact. Indoors, put a mark on a mirror in line with your head."
        ),
    },
    {
        "aspect": "head_dip",
        "name": "Keep the knee flex",
        "description": (
            "Make swings with a club's grip end resting against your belt buckle as a reference. "
            "Keep the knee flex from address to impact so the head neither dips nor rises."
        ),
    },
    {
        "aspect": "head_dip",
        "name": "Eye-line tee",
        "description": (
            "Push a tee into the ground just beyond the ball and keep your eyes on it from "
            "address until the ball is gone: your head stays at its height."
        ),
    },
    {
        "aspect": "spine_angle_address_deg",
        "name": "Club down the spine",
        "description": (
            "Hold a club along your back touching head, shoulder blades and tailbone. Hinge "
            "from the hips until your arms hang under your shoulders, keeping all three points "
            "on the shaft."
        ),
    },
    {
        "aspect": "spine_angle_address_deg",
        "name": "Hip hinge to a wall",
        "description": (
            "Stand a foot from a wall, facing away. Push your hips back until they touch it, "
            "with a straight back and soft knees: that is your address posture."
        ),
    },
    {
        "aspect": "spine_angle_change_deg",
        "name": "Chair drill",
        "description": (
            "Set a chair behind you so your seat just touches it at address. Swing so your "
            "backside stays on the chair through impact: no early extension toward the ball."
        ),
    },
    {
        "aspect": "spine_angle_change_deg",
        "name": "Chest over the ball",
        "description": (
            "Make half swings to impact and hold the finish with your chest still pointing "
            "down at the ball, then complete the turn. Film from down the line to check."
        ),
    },
    {
        "aspect": "lead_arm_top_deg",
        "name": "Wide takeaway",
        "description": (
            "Put a headcover under your trail armpit and push the club away from you as wide "
            "as you can while turning. At the top, the lead arm stays extended, not locked."
        ),
    },
    {
        "aspect": "lead_arm_top_deg",
        "name": "Lead-arm-only swings",
        "description": (
            "Hold a short iron in the lead hand only and make three-quarter swings, keeping "
            "the lead arm straight to the top and back to impact. 2 sets of 10."
        ),
    },
    {
        "aspect": "hip_sway_top",
        "name": "Alignment stick by the trail hip",
        "description": (
            "Stand an alignment stick upright just outside the trail hip. Turn back without "
            "bumping it: the trail hip turns behind you instead of sliding away from the target."
        ),
    },
    {
        "aspect": "hip_sway_top",
        "name": "Inside of the trail foot",
        "description": (
            "Feel the weight move into the inside of the trail heel in the backswing, never "
            "to the outside edge of the foot. Tilt the trail knee slightly in at address to help."
        ),
    },
    {
        "aspect": "plane_shift_deg",
        "name": "Headcover outside the ball",
        "description": (
            "Place a headcover just outside and behind the ball. Swing without hitting it: "
            "the club has to drop inside in transition instead of coming over the top."
        ),
    },
    {
        "aspect": "plane_shift_deg",
        "name": "Pump drill",
        "description": (
            "Swing to the top, drop the hands halfway down with the trail elbow in front of "
            "the hip, go back up, then drop again and hit. It trains the shallowing move."
        ),
    },
)


def default_drills() -> list[dict]:
    """The library with its fixed ids."""
    counts: dict[str, int] = {}
    out = []
    for d in DEFAULT_DRILLS:
        counts[d["aspect"]] = counts.get(d["aspect"], 0) + 1
        out.append({"id": f"default-{d['aspect']}-{counts[d['aspect']]}", **d})
    return out


def seed_drills(m: Managers) -> int:
    """Add the default drills that are missing; returns how many were added (0 when all are)."""
    return m.drills.insert_missing(SYSTEM, default_drills())

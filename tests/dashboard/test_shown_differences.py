"""A difference printed beside two rounded values is the difference of the values as printed (92 vs
67 is −25, not −24), and a value or difference that rounds to zero carries no sign ("0.00", not
"-0.00"). The formatting (analysis.display) and the three pages that print differences: compare,
the player's key metrics, the progress summary."""

from __future__ import annotations

import itertools
import re
from types import SimpleNamespace

import pytest

from analysis import display


def _analysis(overall: float, **metrics: float) -> SimpleNamespace:
    return SimpleNamespace(overall_score=overall, metrics=metrics, details={})


@pytest.mark.parametrize(
    ("name", "before", "after", "want"),
    [
        ("overall_score", 92.4, 67.0, "−25"),  # the tester's 92 vs 67: "−24" before
        ("x_factor_deg", 29.6, 19.4, "−11°"),  # 30° vs 19°: "−10°" before
        ("shoulder_turn_deg", 76.4, 76.6, "+1°"),  # 76° vs 77°: "±0°" before
        ("shoulder_turn_deg", 76.6, 77.4, "±0°"),  # 77° both: nothing to see
        ("hip_sway_top", 0.004, -0.004, "±0.00 stance"),
        ("tempo_ratio", 2.96, 3.04, "±0.0"),  # 3.0:1 both
        ("tempo_ratio", 3.04, 3.06, "+0.1"),  # 3.0:1 then 3.1:1
        ("head_sway", None, 0.1, "–"),
    ],
)
def test_a_change_is_the_difference_of_the_shown_values(name, before, after, want):
    assert display.format_change(name, before, after) == want


@pytest.mark.parametrize(
    ("name", "value", "want"),
    [
        ("hip_sway_top", -0.004, "0.00 stance"),
        ("shoulder_turn_deg", -0.4, "0°"),
        ("tempo_ratio", -0.04, "0.0:1"),
        ("hip_sway_top", -0.006, "-0.01 stance"),
    ],
)
def test_a_value_that_rounds_to_zero_has_no_sign(name, value, want):
    assert display.format_short(name, value) == want


def test_an_overall_score_rounding_to_zero_has_no_sign():
    assert display.format_value(display.OVERALL, -0.3) == "0"


def test_compare_rows_subtract_the_shown_values():
    a = _analysis(92.4, x_factor_deg=29.6, shoulder_turn_deg=76.6)
    b = _analysis(67.0, x_factor_deg=19.4, shoulder_turn_deg=76.4)
    rows = {d.name: d for d in display.metric_diffs(a, b)}
    assert (rows["overall_score"].a, rows["overall_score"].b) == ("92", "67")
    assert rows["overall_score"].delta == "−25"
    assert (rows["x_factor_deg"].a, rows["x_factor_deg"].b) == ("30°", "19°")
    assert rows["x_factor_deg"].delta == "−11°"
    assert rows["shoulder_turn_deg"].delta == "−1°"  # 77° vs 76° (raw −0.2: "±0°" before)


_NUMBER = re.compile(r"^[+−±-]?\d+(?:\.(\d+))?")


def _number(text: str) -> float:
    text = text.strip()
    match = _NUMBER.match(text.replace(":1", ""))
    assert match, text
    return float(match.group().replace("−", "-").replace("±", ""))


def _check(before: str, after: str, change: str) -> None:
    """`change` reads as `after` minus `before`, at their precision, and has no "-0"."""
    assert not re.match(r"^[-−+]0(?:\.0+)?(?![.\d])", change.replace(":1", "")), change
    if change.strip() in ("", "–") or "–" in (before.strip(), after.strip()):
        return
    digits = len(_NUMBER.match(before.strip()).group(1) or "")
    assert round(_number(after) - _number(before), digits) == pytest.approx(_number(change)), (
        before,
        after,
        change,
    )


def test_rendered_compare_progress_and_player_pages_subtract_what_they_show(team):
    c = team.client(team.coach)
    cell = r"<td[^>]*>([^<]*)</td>"
    rows = 0
    # Compare: every pair of the player's swings, every row of the differences table.
    for (a, _, _), (b, _, _) in itertools.combinations(team.swings, 2):
        html = c.get(
            f"/players/{team.player.id}/swings/{a.id}/compare/",
            {"with": f"{team.player.id}:{b.id}"},
        ).content.decode()
        table = html[html.index('class="data compact diffs"') :]
        for first, second, delta in re.findall(
            rf"</th>\s*{cell}\s*{cell}\s*{cell}", table[: table.index("</table>")]
        ):
            _check(first, second, delta)
            rows += 1
    # The progress summary: first day, latest day, change.
    html = c.get(f"/players/{team.player.id}/progress/", {"range": "365"}).content.decode()
    summary = html[html.index('class="data compact summary"') :]
    for first, latest, change in re.findall(
        rf"</th>{cell}{cell}{cell}", summary[: summary.index("</table>")]
    ):
        _check(first, latest, change)
        rows += 1
    # The player page's tiles: now, "was" then, the change.
    html = c.get(f"/players/{team.player.id}/").content.decode()
    tiles = re.findall(
        r'<dd class="now">([^<]*)</dd>\s*<dd class="then[^"]*">was ([^<]*) · '
        r'<span class="delta">([^<]*)</span>',
        html,
    )
    assert tiles
    for now, then, delta in tiles:
        _check(then, now, delta)
        rows += 1
    assert rows > 20

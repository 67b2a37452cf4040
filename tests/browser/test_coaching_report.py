"""The printable swing report in headless Chromium: it prints to a PDF (page.pdf) with the 8 key
frames, each the video's picture with the skeleton over it; its first page is saved as an artifact
(rendered from the PDF with poppler's pdftoppm when installed, else the page in print media)."""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest
from playwright.sync_api import expect

from tests.coaching.conftest import swing_with_video
from tests.conftest import OUTPUT_DIR, screenshot
from tests.dashboard.helpers import account

from .dashboard_support import watch_errors

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def reported(gateway):
    from swingvision.coaching.library import seed_drills
    from swingvision.db.managers import managers

    m = managers(gateway)
    seed_drills(m)
    coach = account(m, "coach", name="Report Coach")
    player = account(m, "player", coach=coach, name="Printed Player")
    video, analysis, _ = swing_with_video(m, player, seed=41)
    top = analysis.events["top"]
    m.coaching.add_annotation(
        coach,
        player.id,
        video.id,
        {
            "kind": "angle",
            "frame": top,
            "points": [
                {"joint": "left_shoulder"},
                {"joint": "left_elbow"},
                {"joint": "left_wrist"},
            ],
        },
    )
    m.notes.create(coach, player.id, video.id, text="Width at the top: keep the lead arm long.")
    # The coach reviews feedback first by default (#20): published, the player's plan has it.
    analysis = m.admin.publish_feedback(coach, player.id, analysis.id)
    return m, coach, player, video, analysis


def test_the_report_prints_to_pdf_with_the_eight_key_frames(
    page, live_url, browser_login, reported
):
    m, coach, player, video, analysis = reported
    errors = watch_errors(page)
    browser_login(page, coach)
    page.goto(f"{live_url}/players/{player.id}/swings/{video.id}/report/")
    frames = page.locator("figure[data-key-frame]")
    expect(frames).to_have_count(8)
    expect(page.locator("[data-print]")).to_be_visible()
    loaded = page.evaluate(
        """() => [...document.querySelectorAll('figure[data-key-frame] img')]
            .map((img) => img.complete && img.naturalWidth > 0)"""
    )
    assert loaded == [True] * 8
    for f in frames.all():
        assert f.locator("line.bone").count() >= 10  # a skeleton over every picture
    top = page.locator("figure[data-key-frame=top]")
    expect(top.locator("polyline.drawing")).to_have_count(1)  # the coach's angle at the top
    expect(top.locator("text.drawing-label")).to_contain_text("°")
    expect(page.locator(".report-metrics tbody tr")).to_have_count(len(analysis.metrics))
    expect(page.locator(".report")).to_contain_text(analysis.feedback[0]["finding"])
    expect(page.locator(".report")).to_contain_text("keep the lead arm long")

    page.emulate_media(media="print")
    expect(page.locator(".topbar")).to_be_hidden()
    expect(page.locator("[data-print]")).to_be_hidden()
    screenshot(page, "coaching-report-print")

    pdf = page.pdf(format="A4", print_background=True)
    assert pdf.startswith(b"%PDF-")
    pages = len(re.findall(rb"/Type\s*/Page(?!s)", pdf))
    assert 1 <= pages <= 3, pages  # one swing, a page or two
    assert len(re.findall(rb"/Subtype\s*/Image", pdf)) >= 8  # the 8 pictures went into it
    path = OUTPUT_DIR / "coaching-report.pdf"
    path.write_bytes(pdf)
    if shutil.which("pdftoppm"):
        # The PDF's first page as a picture, to look at (test-output/coaching-report-page1.png).
        stem = OUTPUT_DIR / "coaching-report-page1"
        subprocess.run(
            [
                "pdftoppm",
                "-png",
                "-r",
                "70",
                "-f",
                "1",
                "-l",
                "1",
                "-singlefile",
                str(path),
                str(stem),
            ],
            check=True,
            timeout=60,
        )
        assert stem.with_suffix(".png").stat().st_size > 10_000
    if shutil.which("pdftotext"):
        text = subprocess.run(
            ["pdftotext", "-f", "1", "-l", "1", str(path), "-"],
            check=True,
            capture_output=True,
            text=True,
            timeout=60,
        ).stdout
        for label in (
            "Key frames",
            "Address",
            "Top",
            "Impact",
            "Finish",
            "Metrics against targets",
        ):
            assert label in text, label
    assert not errors, errors


def test_the_practice_plan_and_the_drill_library_lay_out(page, live_url, browser_login, reported):
    from .dashboard_support import assert_no_overflow, wait_replay

    m, coach, player, video, _ = reported
    errors = watch_errors(page)
    plan = m.coaching.practice_plan(player, player.id, published_only=True)
    assert plan and plan[0].drills
    # A drill named and described without a single space (a pasted link, say) wraps inside the
    # plan instead of pushing the card wider than the page.
    drill = plan[0].drills[0]
    m.drills.update(
        account(m, "admin"),
        drill.id,
        name="Lead-arm-" + "x" * 111,
        aspect=drill.aspect,
        description="https://videos.example.com/" + "y" * 200,
        video_url=drill.video_url,
    )
    plan = m.coaching.practice_plan(player, player.id, published_only=True)
    page.set_viewport_size({"width": 768, "height": 1024})  # a tablet
    browser_login(page, player)
    expect(page.locator(".new-feedback")).to_contain_text("keep the lead arm long")
    expect(page.locator(".practice-plan ol.plan > li")).to_have_count(len(plan))
    first = plan[0]
    expect(page.locator(".practice-plan")).to_contain_text(first.label)
    expect(page.locator(".practice-plan")).to_contain_text(first.drills[0].name)
    assert_no_overflow(page)
    screenshot(page, "coaching-player-plan")
    page.locator(".practice-plan a", has_text=first.drills[0].name).click()
    expect(page.locator(f"#drill-{first.drills[0].id}")).to_be_in_viewport()
    expect(page.locator(".drill-add")).to_have_count(0)  # players read the library
    assert_no_overflow(page)

    page.context.clear_cookies()
    browser_login(page, coach)
    page.goto(f"{live_url}/drills/")
    page.fill("#drill-name", "Feet together")
    page.select_option("#drill-aspect", "head_sway")
    page.fill("#drill-description", "Hit half shots with the feet together.")
    page.fill("#drill-url", "https://videos.example.com/feet-together")
    page.click(".drill-add button[type=submit]")
    added = page.locator(".drill", has_text="Feet together")
    expect(added).to_be_visible()
    link = added.locator("a[href='https://videos.example.com/feet-together']")
    expect(link).to_have_attribute("rel", "noopener noreferrer")
    assert_no_overflow(page)
    screenshot(page, "coaching-drills")
    page.goto(f"{live_url}/players/{player.id}/swings/{video.id}/")
    wait_replay(page)
    assert_no_overflow(page)
    assert not errors, errors


def test_a_refused_drill_shows_its_reason_in_view_on_a_phone(
    page, live_url, browser_login, reported
):
    """The library is long on a phone: a refused add or edit comes back with the reason beside
    the field, scrolled into view and focused, and the edit's form open as typed."""
    from swingvision.db.managers import SYSTEM

    m, coach, _, _, _ = reported
    errors = watch_errors(page)
    aspect, (taken, other, *_) = next(
        (a, ds) for a, ds in m.drills.by_aspect(SYSTEM).items() if len(ds) >= 2
    )
    page.set_viewport_size({"width": 390, "height": 844})
    browser_login(page, coach)
    page.goto(f"{live_url}/drills/")
    page.fill("#drill-name", f"  {taken.name.upper()} ")
    page.select_option("#drill-aspect", aspect)
    page.fill("#drill-description", "Typed on a phone.")
    page.click(".drill-add button[type=submit]")
    expect(page.locator("#drill-name-error")).to_contain_text("already has")
    expect(page.locator("#drill-name-error")).to_be_in_viewport()
    expect(page.locator("#drill-name")).to_be_focused()
    expect(page.locator("#drill-description")).to_have_value("Typed on a phone.")

    # An edit a coach may make: a drill of their own (an admin's account edits the default ones).
    mine = m.drills.create(
        coach, name="Mine to rename", aspect=aspect, description="", video_url=""
    )
    page.goto(f"{live_url}/drills/?aspect={aspect}#drill-{mine.id}")  # a new load, not a jump
    row = page.locator(f"#drill-{mine.id}")
    row.locator("summary").click()
    row.locator("input[name=name]").fill(taken.name)
    row.locator("button[type=submit]", has_text="Save").click()
    row = page.locator(f"#drill-{mine.id}")
    expect(row.locator(".field-error")).to_contain_text("already has")
    expect(row.locator(".field-error")).to_be_in_viewport()
    expect(row.locator("input[name=name]")).to_be_focused()
    expect(row.locator("input[name=name]")).to_have_value(taken.name)
    assert other.name != taken.name
    screenshot(page, "drills-refused-edit-phone")
    # The two refusals are the 400s expected; nothing else failed.
    refused = [e for e in errors if e.startswith("HTTP 400 ") or "status of 400" in e]
    assert len([e for e in refused if e.startswith("HTTP")]) == 2, errors
    assert not [e for e in errors if e not in refused], errors

"""Strict CSP holds on every dashboard page: no inline script, no event-handler or style attributes,
no script or stylesheet from another origin; htmx and plotly come from our static files."""

from __future__ import annotations

from html.parser import HTMLParser


class Audit(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.problems: list[str] = []
        self.scripts: list[str] = []
        self.stylesheets: list[str] = []
        self._in_script: dict | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        for name, _ in attrs:
            if name.lower().startswith("on"):
                self.problems.append(f"<{tag} {name}=...>")
            if name.lower() == "style":
                self.problems.append(f"<{tag} style=...>")
        if tag == "script":
            self._in_script = a
            if "src" in a:
                self.scripts.append(a["src"])
            elif a.get("type") != "application/json":
                self.problems.append("<script> without src")
        if tag == "link" and "stylesheet" in (a.get("rel") or ""):
            self.stylesheets.append(a.get("href") or "")
        for name in ("src", "href"):
            value = (a.get(name) or "").strip().lower()
            if tag in ("script", "link") and (value.startswith(("http:", "https:", "//"))):
                self.problems.append(f"<{tag} {name}={value}>")

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_script = None

    def handle_data(self, data):
        if self._in_script is not None and "src" in self._in_script and data.strip():
            self.problems.append("<script src> with a body")


def pages(team) -> list[str]:
    video = team.swings[-1][0]
    other = team.swings[0][0]
    base = f"/players/{team.player.id}"
    swing = f"{base}/swings/{video.id}"
    return [
        "/roster/",
        f"{base}/",
        f"{swing}/",
        f"{swing}/?debug=sync",
        f"{swing}/compare/",
        f"{swing}/compare/?with={team.player.id}:{other.id}",
        f"{swing}/compare/?with={team.player.id}:{other.id}&mode=ghost",
        f"{base}/progress/",
        f"{base}/progress/?range=30",
    ]


def test_no_inline_code_and_no_cdn_on_any_dashboard_page(team):
    c = team.client(team.coach)
    seen_scripts: set[str] = set()
    for url in pages(team):
        r = c.get(url)
        assert r.status_code == 200, url
        assert "script-src 'self'" in r["Content-Security-Policy"]
        audit = Audit()
        audit.feed(r.content.decode())
        assert not audit.problems, (url, audit.problems)
        assert all(s.startswith("/static/") for s in audit.scripts), (url, audit.scripts)
        assert all(s.startswith("/static/") for s in audit.stylesheets), (url, audit.stylesheets)
        seen_scripts |= set(audit.scripts)
    assert "/static/django_htmx/htmx-2.min.js" in seen_scripts
    assert "/static/vendor/plotly.min.js" in seen_scripts
    assert {
        "/static/js/replay.js",
        "/static/js/compare.js",
        "/static/js/progress.js",
    } <= seen_scripts


def test_htmx_partials_carry_no_inline_code_either(team):
    c = team.client(team.coach)
    video = team.swings[-1][0]
    for url in (
        "/roster/?sort=score",
        f"/players/{team.player.id}/",
        f"/players/{team.player.id}/progress/?range=365",
        f"/players/{team.player.id}/swings/{video.id}/compare/?pick={team.teammate.id}",
    ):
        audit = Audit()
        audit.feed(c.get(url, HTTP_HX_REQUEST="true").content.decode())
        assert not audit.problems, (url, audit.problems)


def test_the_audit_catches_what_it_looks_for():
    audit = Audit()
    audit.feed(
        '<script>alert(1)</script><div onclick="x()" style="color:red"></div>'
        '<script src="https://cdn.example/htmx.js"></script>'
        '<link rel="stylesheet" href="//cdn.example/x.css">'
        '<script type="application/json" id="d">{}</script>'
    )
    assert audit.problems == [
        "<script> without src",
        "<div onclick=...>",
        "<div style=...>",
        "<script src=https://cdn.example/htmx.js>",
        "<link href=//cdn.example/x.css>",
    ]

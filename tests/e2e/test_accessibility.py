"""axe-core (from npm, injected by Playwright) finds no WCAG 2.1 A/AA violation on the main pages, signed out and
signed in with a library, on a phone and a desktop screen, in light and dark mode."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import PASSWORD
from tests.e2e.conftest import serving
from tests.e2e.test_browser_flow import three_photos

pytestmark = pytest.mark.slow  # a real browser

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
SIGNED_OUT = ["/login", "/register", "/forgot-password", "/reset-password?token=x"]
SIGNED_IN = ["/", "/search?q=lake", "/photos/{photo}", "/people", "/places", "/jobs", "/duplicates", "/account"]


@pytest.fixture(scope="module")
def library_server(tmp_path_factory):
    with serving(tmp_path_factory.mktemp("e2e-axe") / "data") as server:
        yield server


def violations(page) -> list[str]:
    """What axe finds on the page as it is now: rule, impact and the first elements, one line each."""
    page.add_script_tag(path=str(AXE))
    found = page.evaluate("tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})"
                          ".then(r => r.violations.map(v => [v.id, v.impact, v.nodes.slice(0, 3)"
                          ".map(n => n.target.join(' ') + ': ' + n.failureSummary.replace(/\\n/g, ' '))]))",
                          WCAG_21_AA)
    return [f"{rule} ({impact}): {' | '.join(nodes)}" for rule, impact, nodes in found]


def _sign_in_with_photos(context) -> int:
    """A new account with three photos, signed in in `context`; one photo's id."""
    request = context.request
    email = f"axe{id(context)}@example.com"
    assert request.post("/api/auth/register", data={"email": email, "password": PASSWORD}).status == 201
    csrf = next(c["value"] for c in context.cookies() if c["name"] == "csrf_access_token")
    files = {f"file{n}": {"name": f["name"], "mimeType": f["mimeType"], "buffer": f["buffer"]}
             for n, f in enumerate(three_photos())}
    ids = []
    for part in files.values():
        reply = request.post("/api/photos", multipart={"files": part}, headers={"X-CSRF-TOKEN": csrf})
        assert reply.status == 201, reply.text()
        ids.append(reply.json()["photos"][0]["id"])
    return ids[0]


def _shared_page_violations(context, page, photo: int) -> list[str]:
    """The page a share link opens (what someone with no account sees), its grid and its viewer."""
    csrf = next(c["value"] for c in context.cookies() if c["name"] == "csrf_access_token")
    share = context.request.post("/api/shares", data={"ids": [photo]}, headers={"X-CSRF-TOKEN": csrf}).json()
    page.goto(share["url"])
    page.wait_for_load_state("networkidle")
    found = violations(page)
    page.locator("[data-shared-grid] a.tile").first.click()
    page.locator("[data-viewer-img]").evaluate("img => img.decode()")
    return found + violations(page)


@pytest.mark.parametrize("viewport", [(375, 812), (1440, 900)], ids=["phone", "desktop"])
@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_main_pages_have_no_wcag_21_aa_violations(browser, library_server, viewport, scheme):
    assert AXE.exists(), f"{AXE} is missing: run `npm ci` (axe-core is a devDependency)"
    width, height = viewport
    # The page's CSP allows only its own scripts; axe is injected by the test, so the test context bypasses it.
    context = browser.new_context(viewport={"width": width, "height": height}, base_url=library_server.url,
                                  color_scheme=scheme, bypass_csp=True, reduced_motion="reduce")
    context.set_default_timeout(15000)
    page = context.new_page()
    found = {}
    try:
        for path in SIGNED_OUT:
            page.goto(path)
            page.wait_for_load_state("networkidle")
            found[path] = violations(page)
        photo = _sign_in_with_photos(context)
        for path in SIGNED_IN:
            page.goto(path.format(photo=photo))
            page.wait_for_load_state("networkidle")
            found[path] = violations(page)
        found["/s/<token>"] = _shared_page_violations(context, page, photo)
    finally:
        context.close()
    failing = {path: rules for path, rules in found.items() if rules}
    assert not failing, "\n".join(f"{path}: {rule}" for path, rules in failing.items() for rule in rules)

"""The portal as people meet it: real sign-ins in Chromium, every page checked with axe.

Each test gets fresh browser contexts (own cookies) against the one server of the
session. Selectors prefer hrefs, ids and form actions to English text wherever
the page may be in Welsh, so an incomplete Welsh catalogue does not break them.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from partnership.core.enums import Role
from partnership.demo import DEMO_PASSWORD, USERS, ZONE_NAME

from .conftest import DESKTOP, PHONE, Authenticator, Browsing, LiveServer

pytestmark = pytest.mark.browser

CheckPage = Callable[[Page], None]

NAV_LINKS = "nav.govuk-service-navigation__wrapper a.govuk-service-navigation__link"
SIGN_OUT = "header form[action='/auth/logout'] button[type=submit]"
MANAGERS = frozenset({Role.COORDINATOR, Role.ADMIN})
ROLE_OF = {email: role for email, _name, _org, role, *_rest in USERS}
LOCALE_OF = {email: locale for email, *_rest, locale in USERS}
COORDINATOR = "coordinator@safernights.example"
ADMIN = "admin@safernights.example"
PREMISES_STAFF = "door@anchor.example"


def expected_nav(role: Role) -> list[str]:
    """The navigation hrefs each role must see, in order (each feature's menu.py)."""
    hrefs = ["/dashboard"]
    frontline = {Role.PREMISES_STAFF, Role.WELFARE, Role.OFFICER, Role.INSPECTOR}
    if role in frontline:
        hrefs.append("/sightings/")
    if role in frontline | {Role.COORDINATOR}:
        hrefs.append("/welfare/safe-space/")
    if role in (frontline - {Role.PREMISES_STAFF}) | {Role.COORDINATOR}:
        hrefs.append("/welfare/notes/")
    if role in frontline | {Role.COORDINATOR}:
        hrefs += ["/subjects/", "/orders/tonight"]
    if role in {Role.OFFICER, Role.INSPECTOR}:
        hrefs.append("/public-reports/")
    if role in {Role.ANALYST, Role.COORDINATOR, Role.OFFICER, Role.INSPECTOR}:
        hrefs.append("/reports/")
    if role in MANAGERS | {Role.INSPECTOR}:  # inspectors: their own force's accounts
        hrefs.append("/admin/users")
    if role in MANAGERS:
        hrefs += ["/admin/organisations", "/venues", "/venues/areas"]
    if role is Role.ADMIN:
        hrefs += ["/admin/audit", "/subjects/access-request"]
    return [*hrefs, "/auth/account"]


def path_is(path: str) -> re.Pattern[str]:
    """A URL pattern for ``path`` on any host, with or without a query string."""
    return re.compile(rf"^https?://[^/]+{re.escape(path)}(\?.*)?$")


def nav_hrefs(page: Page) -> list[str]:
    return [link.get_attribute("href") or "" for link in page.locator(NAV_LINKS).all()]


def html_lang(page: Page) -> str | None:
    return page.locator("html").get_attribute("lang")


def assert_no_horizontal_scroll(page: Page) -> None:
    """Nothing may be wider than the screen: phones must never scroll sideways."""
    viewport = page.viewport_size
    assert viewport is not None
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= viewport["width"] + 1, (
        f"{page.url} is {width}px wide on a {viewport['width']}px screen"
    )


def sign_in(
    page: Page, email: str, password: str, authenticator: Authenticator, check: CheckPage
) -> None:
    """Sign in through the forms, setting up or answering two-factor as the role needs.

    Every page on the way is checked too. Called only in fresh contexts, which are
    English, so the labels are English.
    """
    page.goto("/auth/login")
    check(page)
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(password)
    with page.expect_navigation():
        page.get_by_role("button", name="Sign in").click()
    if re.search(r"/auth/two-factor(/setup)?$", page.url):
        check(page)
    if re.search(r"/auth/two-factor/setup$", page.url):
        secret = page.locator("#totp-secret").inner_text()
        authenticator.enrol(email, secret)
        page.get_by_label("Security code").fill(authenticator.code(email))
        with page.expect_navigation():
            page.get_by_role("button", name="Turn on two-factor sign-in").click()
    elif re.search(r"/auth/two-factor$", page.url):
        page.get_by_label("Security code").fill(authenticator.code(email))
        with page.expect_navigation():
            page.locator("main form button[type=submit]").click()
    expect(page).to_have_url(path_is("/dashboard"))


def switch_language(page: Page, code: str) -> None:
    """Follow the header link to the other language and land on the same page."""
    before = page.url
    with page.expect_navigation():
        page.locator(f"header a[hreflang='{code}']").click()
    expect(page.locator("html")).to_have_attribute("lang", code)
    assert page.url == before, f"switching to {code} left {before} for {page.url}"


def sign_out(page: Page) -> None:
    """Use the header's sign-out button (found by its form, whatever the language)."""
    with page.expect_navigation():
        page.locator(SIGN_OUT).click()
    expect(page).to_have_url(path_is("/auth/login"))
    expect(page.locator(SIGN_OUT)).to_have_count(0)


# --- Every demo user -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("email", "role"), [(u[0], u[3]) for u in USERS], ids=[u[0] for u in USERS]
)
def test_each_user_signs_in_on_a_phone(
    email: str,
    role: Role,
    browsing: Browsing,
    authenticator: Authenticator,
    check_page: CheckPage,
) -> None:
    """Every role can sign in on a phone, sees its own menu, and can work in Welsh."""
    page = browsing.new_page(viewport=PHONE)
    sign_in(page, email, DEMO_PASSWORD, authenticator, check_page)

    # The user's saved language is chosen at sign-in.
    expect(page.locator("html")).to_have_attribute("lang", LOCALE_OF[email])
    assert nav_hrefs(page) == expected_nav(role)
    expect(page.locator(f"{NAV_LINKS}[aria-current='page']")).to_have_attribute(
        "href", "/dashboard"
    )
    assert_no_horizontal_scroll(page)

    # On a phone the menu is collapsed behind its button until opened (needs app.js).
    toggle = page.locator(".govuk-service-navigation__toggle")
    expect(toggle).to_be_visible()
    expect(page.locator(NAV_LINKS).first).to_be_hidden()
    toggle.click()
    expect(toggle).to_have_attribute("aria-expanded", "true")
    expect(page.locator(NAV_LINKS).first).to_be_visible()
    check_page(page)

    with page.expect_navigation():
        page.locator(f"{NAV_LINKS}[href='/auth/account']").click()
    expect(page).to_have_url(path_is("/auth/account"))
    expect(page.locator("main")).to_contain_text(email)
    assert_no_horizontal_scroll(page)
    check_page(page)

    page.goto("/dashboard")
    if html_lang(page) == "cy":
        switch_language(page, "en")
        check_page(page)
    switch_language(page, "cy")
    assert nav_hrefs(page) == expected_nav(role)
    assert_no_horizontal_scroll(page)
    check_page(page)

    sign_out(page)
    # Signing out keeps the language this browser chose.
    expect(page.locator("html")).to_have_attribute("lang", "cy")
    check_page(page)


# --- Administration pages --------------------------------------------------------------


@pytest.mark.parametrize("email", [COORDINATOR, ADMIN])
def test_admin_pages_on_phone_and_desktop(
    email: str,
    browsing: Browsing,
    authenticator: Authenticator,
    check_page: CheckPage,
) -> None:
    """Coordinators and admins can reach every admin page, usable at both widths."""
    page = browsing.new_page(viewport=PHONE)
    sign_in(page, email, DEMO_PASSWORD, authenticator, check_page)
    page.goto("/dashboard?lang=en")  # earlier tests may have saved Welsh for it
    expect(page.locator("html")).to_have_attribute("lang", "en")
    check_page(page)

    paths = ["/admin/users", "/admin/users/new", "/admin/organisations", "/admin/organisations/new"]
    paths += ["/venues", "/venues/new", "/venues/areas", "/venues/areas/new"]
    if ROLE_OF[email] is Role.ADMIN:
        paths += ["/admin/audit", "/subjects/access-request"]

    for viewport in (PHONE, DESKTOP):
        page.set_viewport_size(viewport)
        for path in paths:
            response = page.goto(path)
            assert response is not None and response.status == 200, f"{path}: {response}"
            assert nav_hrefs(page) == expected_nav(ROLE_OF[email])
            assert_no_horizontal_scroll(page)
            check_page(page)

        # A user's page, reached the way people reach it: from the list.
        page.goto("/admin/users")
        with page.expect_navigation():
            page.get_by_role("link", name="Dai Morgan").click()
        expect(page).to_have_url(re.compile(r"/admin/users/\d+$"))
        expect(page.locator("h1")).to_have_text("Dai Morgan")
        assert_no_horizontal_scroll(page)
        check_page(page)

        # A venue's and an area's pages, from their lists, with their maps drawn.
        for listing, name in (("/venues", "The Anchor Bar"), ("/venues/areas", ZONE_NAME)):
            page.goto(listing)
            expect(page.locator(".app-map .leaflet-overlay-pane path").first).to_be_visible()
            with page.expect_navigation():
                page.get_by_role("link", name=name).click()
            expect(page.locator("h1")).to_have_text(f"Edit {name}")
            expect(page.locator(".app-map .leaflet-overlay-pane path").first).to_be_visible()
            assert_no_horizontal_scroll(page)
            check_page(page)


def test_a_premises_account_is_made_and_used(
    browsing: Browsing,
    authenticator: Authenticator,
    check_page: CheckPage,
    live_server: LiveServer,
) -> None:
    """A coordinator adds door staff, who sets a password from the one-time link and signs in."""
    coordinator = browsing.new_page(viewport=DESKTOP)
    sign_in(coordinator, COORDINATOR, DEMO_PASSWORD, authenticator, check_page)
    coordinator.goto("/admin/users/new?lang=en")
    check_page(coordinator)

    email = f"new-door-{secrets.token_hex(3)}@anchor.example"
    coordinator.get_by_label("Full name").fill("Gwen Parry")
    coordinator.get_by_label("Email address").fill(email)
    coordinator.get_by_label("Organisation").select_option(
        label="The Anchor Bar (Licensed premises)"
    )
    coordinator.get_by_label("Role").select_option(Role.PREMISES_STAFF.value)
    with coordinator.expect_navigation():
        coordinator.get_by_role("button", name="Add account").click()
    expect(coordinator.locator(".govuk-panel")).to_contain_text(email)
    link = coordinator.locator("#set-password-link").inner_text().strip()
    assert link.startswith(live_server.url("/auth/set-password/")), link
    check_page(coordinator)

    newcomer = browsing.new_page(viewport=PHONE)
    newcomer.goto(link)
    expect(newcomer.locator("main")).to_contain_text(email)
    check_page(newcomer)
    password = "lantern harbour quietly 42"
    newcomer.get_by_label("New password", exact=True).fill(password)
    newcomer.get_by_label("Confirm new password").fill(password)
    with newcomer.expect_navigation():
        newcomer.get_by_role("button", name="Save password").click()
    expect(newcomer).to_have_url(path_is("/auth/login"))
    expect(newcomer.locator(".govuk-notification-banner--success")).to_be_visible()
    check_page(newcomer)

    # The link works once.
    response = newcomer.goto(link)
    assert response is not None and response.status == 404
    check_page(newcomer)

    fresh = browsing.new_page(viewport=PHONE)
    sign_in(fresh, email, password, authenticator, check_page)
    assert nav_hrefs(fresh) == expected_nav(Role.PREMISES_STAFF)
    check_page(fresh)


# --- Public pages ----------------------------------------------------------------------


def test_login_page_in_english(browsing: Browsing, check_page: CheckPage) -> None:
    """The first page anyone sees, on a phone, with no menu before signing in."""
    page = browsing.new_page(viewport=PHONE)
    page.goto("/")
    expect(page).to_have_url(path_is("/auth/login"))
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("header a[hreflang='cy'][lang='cy']")).to_have_text("Cymraeg")
    expect(page.locator(NAV_LINKS)).to_have_count(0)
    assert_no_horizontal_scroll(page)
    check_page(page)


def test_login_page_in_welsh(browsing: Browsing, check_page: CheckPage) -> None:
    """``?lang=cy`` gives the Welsh page, with a way back to English."""
    page = browsing.new_page(viewport=PHONE)
    page.goto("/auth/login?lang=cy")
    expect(page.locator("html")).to_have_attribute("lang", "cy")
    expect(page.locator("header a[hreflang='en'][lang='en']")).to_have_text("English")
    assert_no_horizontal_scroll(page)
    check_page(page)
    # The choice sticks for the rest of the visit.
    page.goto("/auth/login")
    expect(page.locator("html")).to_have_attribute("lang", "cy")
    check_page(page)


def test_not_found_page(browsing: Browsing, check_page: CheckPage) -> None:
    """A mistyped address gets a helpful 404 page, not a bare error."""
    page = browsing.new_page(viewport=PHONE)
    response = page.goto("/no-such-page")
    assert response is not None and response.status == 404
    expect(page.locator("h1")).to_have_text("Page not found")
    expect(page.locator("main a[href='/']")).to_be_visible()
    assert_no_horizontal_scroll(page)
    check_page(page)


def test_login_error_state(browsing: Browsing, check_page: CheckPage) -> None:
    """A wrong password shows the error summary, focused, and keeps the email typed."""
    page = browsing.new_page(viewport=PHONE)
    page.goto("/auth/login")
    email = "someone@anchor.example"
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill("not the password")
    with page.expect_navigation():
        page.get_by_role("button", name="Sign in").click()

    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_visible()
    expect(summary).to_contain_text("The email address or password is not correct")
    expect(summary).to_be_focused()
    expect(page).to_have_title(re.compile(r"^Error:"))
    expect(page.get_by_label("Email address")).to_have_value(email)
    expect(page.get_by_label("Password")).to_have_value("")
    assert_no_horizontal_scroll(page)
    check_page(page)


def test_works_without_javascript(
    browsing: Browsing, authenticator: Authenticator, check_page: CheckPage
) -> None:
    """Door staff on a locked-down phone can still sign in, see the menu and sign out."""
    page = browsing.new_page(viewport=PHONE, javascript=False)
    sign_in(page, PREMISES_STAFF, DEMO_PASSWORD, authenticator, check_page)
    # Without app.js the menu is not collapsed: every link shows, the button does not.
    expect(page.locator(".govuk-service-navigation__toggle")).to_be_hidden()
    for link in page.locator(NAV_LINKS).all():
        expect(link).to_be_visible()
    assert nav_hrefs(page) == expected_nav(Role.PREMISES_STAFF)
    assert_no_horizontal_scroll(page)
    check_page(page)
    sign_out(page)

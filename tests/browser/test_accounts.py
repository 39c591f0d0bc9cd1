"""The account pages in a real browser, each checked by axe: a reset by email, an invitation, two-factor set-up
and sign-in, and the account page. The emails come through a real SMTP server (the `mailbox` fixture)."""

import re
import time

import pyotp
import pytest
from playwright.sync_api import expect

from tests.browser.test_accessibility import violations
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)

NEW_PASSWORD = "Cedar-courtyard-at-noon-3"


@pytest.fixture
def site_mail(mailbox, live_server, settings):
    settings.SITE_URL = live_server.url  # the links in the emails lead to the live server
    return mailbox


@pytest.fixture
def axe(axe_source):
    found = []

    def check(page, label: str):
        found.extend(f"{label}: {v}" for v in violations(page, axe_source))

    check.found = found
    return check


@pytest.fixture
def axe_source():
    from tests.browser.test_accessibility import AXE

    if not AXE.exists():
        pytest.skip("axe-core is not installed: `npm ci --prefix tests/tools` (make test does it)")
    return AXE.read_text()


def _new_page(browser):
    # The pages forbid inline script (CSP); axe is the test's own, injected past it.
    return browser.new_context(bypass_csp=True).new_page()


def test_a_reset_by_email_in_the_browser(live_server, browser, site_mail, axe, translator, sign_in, live_worker):
    page = _new_page(browser)
    page.goto(f"{live_server.url}/login/")
    page.get_by_role("link", name="Forgot your password?").click()
    axe(page, "reset request")
    page.get_by_label("Email").fill("translator@example.org")
    page.get_by_role("button", name="Send the link").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your email")
    axe(page, "reset sent")
    page.goto(site_mail.last_link("translator@example.org"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Set a new password")
    axe(page, "reset confirm")
    page.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("New password confirmation").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Set password").click()
    expect(page.get_by_text("Your new password is set")).to_be_visible()
    sign_in(page, "sami", NEW_PASSWORD)
    page.goto(f"{live_server.url}/account/password/")
    axe(page, "password change")
    page.goto(f"{live_server.url}/account/")
    expect(page.locator("#sessions")).to_contain_text("(this one)")
    axe(page, "account")
    assert not axe.found, "\n".join(axe.found)


def test_an_invitation_in_the_browser(live_server, browser, site_mail, axe, admin_user, sign_in):
    admin = sign_in(_new_page(browser), "boss", PASSWORD)
    admin.goto(f"{live_server.url}/desk/team/")
    invite = admin.locator("form", has=admin.get_by_role("heading", name="Invite a colleague"))
    invite.get_by_label("Their name to sign in with").fill("rasha")
    invite.get_by_label("Send the invitation to").fill("rasha@newsroom.example")
    invite.get_by_label("Their role").select_option("editor")
    invite.get_by_role("button", name="Invite").click()
    expect(admin.get_by_text("rasha is invited")).to_be_visible()
    expect(admin.locator('tr[data-user="rasha"]')).to_contain_text("invited")
    axe(admin, "team with an invitation")
    colleague = _new_page(browser)
    colleague.goto(site_mail.last_link("rasha@newsroom.example"))
    expect(colleague.get_by_role("heading", level=1)).to_have_text("Welcome to Tarjama")
    axe(colleague, "invitation")
    colleague.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
    colleague.get_by_label("New password confirmation").fill(NEW_PASSWORD)
    colleague.get_by_role("button", name="Set password").click()
    expect(colleague.get_by_text("Welcome, rasha")).to_be_visible()
    sign_in(colleague, "rasha", NEW_PASSWORD)
    admin.goto(f"{live_server.url}/desk/team/")
    expect(admin.locator('tr[data-user="rasha"]')).not_to_contain_text("invited")
    assert not axe.found, "\n".join(axe.found)


def test_two_factor_set_up_at_sign_in_then_signing_in_with_a_code(live_server, browser, axe, editor, settings):
    settings.REQUIRE_2FA_FOR = ["admin", "editor"]
    page = _new_page(browser)
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("Username").fill("layla")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(r"/account/two-factor/"))
    expect(page.get_by_role("alert")).to_contain_text("Your role must sign in with a second factor")
    expect(page.locator("figure.qr svg")).to_be_visible()
    axe(page, "two-factor set-up")
    app = pyotp.TOTP(page.locator("#otp-secret").inner_text().replace(" ", ""))
    page.get_by_label("Code from the app").fill(app.at(time.time() - app.interval))
    page.get_by_role("button", name="Turn on").click()
    expect(page.locator("#recovery-codes li")).to_have_count(10)
    axe(page, "recovery codes")
    page.get_by_role("link", name="I have kept them: continue").click()
    page.wait_for_url(f"{live_server.url}/desk/")
    page.get_by_role("button", name="Sign out").click()
    page.get_by_label("Username").fill("layla")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{live_server.url}/login/code/")
    axe(page, "sign-in code")
    page.get_by_label("Code").fill("000000")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert").first).to_contain_text("That code is not right")
    page.get_by_label("Code").fill(app.now())
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{live_server.url}/desk/")
    page.goto(f"{live_server.url}/account/two-factor/")
    expect(page.get_by_text("Recovery codes left: 10")).to_be_visible()
    axe(page, "two-factor on")
    assert not axe.found, "\n".join(axe.found)

"""Signing in and out, two-factor codes, set-password links and the account page."""

from __future__ import annotations

import time
from typing import Any

import segno
from flask import current_app, flash, g, redirect, render_template, request, session, url_for
from flask_babel import format_datetime
from flask_login import current_user, login_user, logout_user
from markupsafe import Markup
from sqlalchemy import select
from werkzeug.wrappers import Response

from partnership.auth import bp, service
from partnership.auth.forms import (
    ChangePasswordForm,
    LanguageForm,
    LoginForm,
    SetPasswordForm,
    TwoFactorForm,
)
from partnership.auth.models import User
from partnership.core.access import actor, public, signed_in
from partnership.core.catalogue import gettext as _
from partnership.core.sessions import end_session
from partnership.core.urls import safe_next
from partnership.extensions import db, limiter

PENDING_KEY = "pending_login"
PENDING_SECONDS = 300
SETUP_SESSION_KEY = "totp_setup_secret"


def _address_limit() -> str:
    return str(current_app.config["LOGIN_ADDRESS_LIMIT"])


def _failed(response: Response) -> bool:
    # Successful steps redirect; a form shown again means a failed attempt.
    return response.status_code != 302


login_limit = limiter.limit(_address_limit, methods=["POST"], deduct_when=_failed, scope="login")


def _new_session(*keep: str) -> None:
    """Start a new server session in this browser, keeping only ``keep``: the old one is
    deleted and the id and form token change, so nothing known before (a fixed session id,
    a form token taken before signing in) works after."""
    kept = {key: session[key] for key in keep if key in session}
    session.clear()
    end_session(current_app._get_current_object(), session)  # type: ignore[attr-defined]
    g.pop("csrf_token", None)  # Flask-WTF's copy for this request
    session.update(kept)


def _finish_login(user: User) -> Response:
    service.complete_login(user)
    db.session.commit()
    target = safe_next(session.get("next"))
    _new_session()
    session.permanent = True
    login_user(user)
    session["lang"] = user.locale
    return redirect(target or url_for("home.dashboard"))


def _pending_user() -> User | None:
    pending = session.get(PENDING_KEY)
    if not pending or time.time() - pending.get("at", 0) > PENDING_SECONDS:
        return None
    user = db.session.scalar(select(User).where(User.session_token == pending.get("token")))
    if user is None or not user.can_sign_in or service.is_locked(user):
        return None
    return user


@bp.route("/login", methods=["GET", "POST"])
@public
@login_limit
def login() -> Any:
    if current_user.is_authenticated:
        return redirect(url_for("home.dashboard"))
    form = LoginForm()
    if request.method == "GET" and request.args.get("next"):
        session["next"] = request.args["next"]
    if form.validate_on_submit():
        result = service.check_credentials(form.email.data or "", form.password.data or "")
        if result.outcome is service.LoginOutcome.OK and result.user is not None:
            user = result.user
            if not user.needs_two_factor:
                return _finish_login(user)
            db.session.commit()
            _new_session("next", "lang")
            session[PENDING_KEY] = {"token": user.session_token, "at": time.time()}
            target = "auth.two_factor" if user.totp_secret else "auth.two_factor_setup"
            return redirect(url_for(target))
        db.session.commit()  # keep the audit event and failure count
        if result.outcome is service.LoginOutcome.LOCKED and result.locked_until:
            form.form_errors.append(
                _(
                    "Too many failed attempts. This account is locked until %(time)s. "
                    "Ask your coordinator if you need access sooner.",
                    time=format_datetime(result.locked_until, "HH:mm"),
                )
            )
        else:
            form.form_errors.append(_("The email address or password is not correct"))
        form.password.data = ""
    return render_template("auth/login.html", form=form)


@bp.route("/two-factor", methods=["GET", "POST"])
@public
@login_limit
def two_factor() -> Any:
    user = _pending_user()
    if user is None or not user.totp_secret:
        flash(_("Sign in again to continue."), "info")
        return redirect(url_for("auth.login"))
    form = TwoFactorForm()
    if form.validate_on_submit():
        if service.check_totp(user, form.code.data or ""):
            return _finish_login(user)
        db.session.commit()
        message = _(
            "The security code is not correct or was already used. "
            "Wait for a new code and try again."
        )
        form.code.errors = [_lockout_or(user, message)]
    return render_template("auth/two_factor.html", form=form)


def _lockout_or(user: User, message: str) -> str:
    if service.is_locked(user):
        session.pop(PENDING_KEY, None)
        return str(
            _("Too many failed attempts. This account is locked for a while; try again later.")
        )
    return message


@bp.route("/two-factor/setup", methods=["GET", "POST"])
@public
@login_limit
def two_factor_setup() -> Any:
    user = _pending_user()
    if user is None or user.totp_secret:
        flash(_("Sign in again to continue."), "info")
        return redirect(url_for("auth.login"))
    secret = session.get(SETUP_SESSION_KEY) or service.new_totp_secret()
    session[SETUP_SESSION_KEY] = secret
    form = TwoFactorForm()
    if form.validate_on_submit():
        if service.enrol_totp(user, secret, form.code.data or ""):
            return _finish_login(user)
        db.session.commit()
        message = _("The security code is not correct. Check the code in your app and try again.")
        form.code.errors = [_lockout_or(user, message)]
    uri = service.totp_uri(user, secret)
    # segno draws the SVG from the URI and escapes the title, so it is safe markup.
    svg = segno.make(uri, error="m").svg_inline(
        scale=5, title=_("QR code for your authenticator app")
    )
    qr = Markup(svg)  # noqa: S704
    grouped = " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))
    return render_template("auth/two_factor_setup.html", form=form, qr=qr, secret=grouped)


@bp.route("/logout", methods=["POST"])
@signed_in
def logout() -> Response:
    service.sign_out(actor())
    db.session.commit()
    logout_user()
    _new_session("lang")
    flash(_("You have signed out."), "success")
    return redirect(url_for("auth.login"))


@bp.route("/set-password/<token>", methods=["GET", "POST"])
@public
@login_limit
def set_password(token: str) -> Any:
    link = service.find_set_password_link(token)
    if link is None:
        return render_template("auth/link_expired.html"), 404
    form = SetPasswordForm()
    form.for_email, form.for_name = link.user.email, link.user.name
    if form.validate_on_submit():
        service.use_set_password_link(link, form.new_password.data or "")
        db.session.commit()
        if current_user.is_authenticated:
            logout_user()
        flash(
            _("Your password is set. Sign in with your email address and new password."), "success"
        )
        return redirect(url_for("auth.login"))
    return render_template("auth/set_password.html", form=form, user=link.user)


@bp.route("/account", methods=["GET"])
@signed_in
def account() -> str:
    language_form = LanguageForm(locale=current_user.locale)
    return render_template(
        "auth/account.html", language_form=language_form, password_form=ChangePasswordForm()
    )


@bp.route("/account/language", methods=["POST"])
@signed_in
def account_language() -> Any:
    form = LanguageForm()
    if form.validate_on_submit():
        service.change_locale(actor(), form.locale.data or "en")
        db.session.commit()
        session["lang"] = current_user.locale
        flash(_("Your language is saved."), "success")
        return redirect(url_for("auth.account"))
    return render_template(
        "auth/account.html", language_form=form, password_form=ChangePasswordForm(), form=form
    ), 400


@bp.route("/account/password", methods=["POST"])
@signed_in
def account_password() -> Any:
    form = ChangePasswordForm()
    form.for_email, form.for_name = current_user.email, current_user.name
    if form.validate_on_submit():
        if not service.check_password(actor(), form.current_password.data or ""):
            form.current_password.errors = [_("Your current password is not correct")]
        else:
            service.change_password(actor(), form.new_password.data or "")
            db.session.commit()
            # The session token changed: sign this browser in again under the new one, in a
            # new server session (a copy of the old cookie now leads nowhere).
            user = actor()
            _new_session("lang")
            session.permanent = True
            login_user(user)
            flash(_("Your password is changed. Other devices have been signed out."), "success")
            return redirect(url_for("auth.account"))
    language_form = LanguageForm(locale=current_user.locale)
    return render_template(
        "auth/account.html", language_form=language_form, password_form=form, form=form
    ), 400

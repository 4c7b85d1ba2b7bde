"""Safer Nights: a portal for night-time-economy partnerships tackling violence
against women and girls."""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import click
from flask import Flask, g, request, url_for
from flask.helpers import get_debug_flag
from flask.logging import default_handler
from flask_babel import get_locale
from flask_login import current_user
from jinja2 import ChoiceLoader, FileSystemLoader, PackageLoader, PrefixLoader
from sqlalchemy import bindparam, select
from sqlalchemy.orm import joinedload
from werkzeug.middleware.proxy_fix import ProxyFix

from partnership import config as config_module
from partnership.config import INSTANCE_PATH, ROOT
from partnership.core import commits, sqlite
from partnership.core.lazy import lazy_gettext as _l
from partnership.extensions import babel, csrf, db, limiter, login_manager, migrate


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """Build the app: config, extensions, blueprints, security hooks, in that order."""
    instance_path = Path(os.environ.get("PARTNERSHIP_INSTANCE_PATH") or INSTANCE_PATH)
    app = Flask(
        __name__,
        instance_path=str(instance_path),
        instance_relative_config=True,
        template_folder=str(ROOT / "templates"),
    )
    app.config.from_mapping(config_module.load(instance_path, os.environ, config))
    config_module.check(app.config)
    config_module.check_production(app.config, debugger=_debugger_requested())
    if app.config["PROXY_COUNT"]:
        # Behind a load balancer every request comes from it: without this, every member of
        # the public would share one rate-limit count.
        proxies = int(app.config["PROXY_COUNT"])
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies)  # type: ignore[method-assign]
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite:///"):
        instance_path.mkdir(parents=True, exist_ok=True)

    _bind_extensions(app)
    _register_blueprints(app)
    _install_hooks(app)
    return app


def _debugger_requested() -> bool:
    """Whether Werkzeug's debugger will wrap this app: ``FLASK_DEBUG``/``--debug``, or
    ``flask run --debugger`` (the app is made inside the ``run`` command)."""
    if get_debug_flag():
        return True
    context = click.get_current_context(silent=True)
    return bool(context and context.info_name == "run" and context.params.get("debugger"))


def _bind_extensions(app: Flask) -> None:
    import partnership.models  # noqa: F401  (every table in the metadata)
    from partnership.core import sessions
    from partnership.core.i18n import select_locale

    app.jinja_loader = ChoiceLoader(
        [
            FileSystemLoader(str(ROOT / "templates")),
            PrefixLoader({"govuk_frontend_jinja": PackageLoader("govuk_frontend_jinja")}),
        ]
    )
    db.init_app(app)
    sessions.install(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"), render_as_batch=True)
    csrf.init_app(app)
    babel.init_app(app, locale_selector=select_locale)
    limiter.init_app(app)
    # The limiter says when Redis fails and it counts in the process instead (and when Redis
    # is back): into the portal's log, beside its own warnings.
    limiter_log = logging.getLogger("flask-limiter")
    if default_handler not in limiter_log.handlers:
        limiter_log.addHandler(default_handler)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Sign in to see this page.")
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"

    from partnership.auth.models import User

    # Built once: every page loads its user, and building and keying the statement each
    # time cost more than running it.
    user_by_token = (
        select(User)
        .where(User.session_token == bindparam("token"))
        .options(joinedload(User.organisation))
    )

    @login_manager.user_loader
    def load_user(token: str) -> Any:
        user = db.session.scalar(user_by_token, {"token": token})
        if user is None or not user.can_sign_in:
            return None
        return user


def _register_blueprints(app: Flask) -> None:
    # Each feature's package defines only its blueprint; its view modules are imported here
    # (adding their routes), so a feature's models and services import without any views.
    from partnership import cli
    from partnership.admin import bp as admin_bp
    from partnership.admin import menu as admin_menu  # noqa: F401
    from partnership.admin import views as admin_views  # noqa: F401
    from partnership.alerts import bp as alerts_bp
    from partnership.alerts import triggers  # noqa: F401  (alerts raised by the signals)
    from partnership.alerts import views as alert_views  # noqa: F401
    from partnership.auth import bp as auth_bp
    from partnership.auth import menu as auth_menu  # noqa: F401
    from partnership.auth import views as auth_views  # noqa: F401
    from partnership.core import urls
    from partnership.home import bp as home_bp
    from partnership.home import menu as home_menu  # noqa: F401
    from partnership.home import views as home_views  # noqa: F401
    from partnership.orders import bp as orders_bp
    from partnership.orders import menu as orders_menu  # noqa: F401
    from partnership.orders.authorisations import views as authorisation_views  # noqa: F401
    from partnership.orders.directions import views as direction_views  # noqa: F401
    from partnership.orders.notices import views as notice_views  # noqa: F401
    from partnership.public import bp as public_bp
    from partnership.public import views  # noqa: F401
    from partnership.reports import bp as reports_bp
    from partnership.reports import menu as reports_menu  # noqa: F401
    from partnership.reports import pack_views, run_views, we_did_views  # noqa: F401
    from partnership.reports import views as report_views  # noqa: F401
    from partnership.sightings import bp as sightings_bp
    from partnership.sightings import menu as sightings_menu  # noqa: F401
    from partnership.sightings import views as sighting_views  # noqa: F401
    from partnership.subjects import bp as subjects_bp
    from partnership.subjects import disclosure_views, link_views  # noqa: F401
    from partnership.subjects import menu as subjects_menu  # noqa: F401
    from partnership.subjects import views as subject_views  # noqa: F401
    from partnership.triage import bp as triage_bp
    from partnership.triage import menu as triage_menu  # noqa: F401
    from partnership.triage import views as triage_views  # noqa: F401
    from partnership.venues import bp as venues_bp
    from partnership.venues import menu as venues_menu  # noqa: F401
    from partnership.venues import views as venue_views  # noqa: F401
    from partnership.welfare import bp as welfare_bp
    from partnership.welfare import menu as welfare_menu  # noqa: F401
    from partnership.welfare import views as welfare_views  # noqa: F401

    urls.install(app)  # first: a route takes its converters as it is added
    for blueprint in (
        home_bp,
        auth_bp,
        admin_bp,
        sightings_bp,
        subjects_bp,
        alerts_bp,
        orders_bp,
        reports_bp,
        public_bp,
        triage_bp,
        venues_bp,
        welfare_bp,
    ):
        app.register_blueprint(blueprint)
    cli.register(app)


def _install_hooks(app: Flask) -> None:
    from partnership.core import (
        access,
        enums,
        errors,
        forms,
        health,
        i18n,
        outage,
        privacy,
        security,
    )
    from partnership.core.enums import LOCALES, Locale
    from partnership.core.navigation import navigation
    from partnership.reports.models import ReportRun

    app.before_request(i18n.remember_query_language)
    app.before_request(access.require_login)
    privacy.install(app)  # before security: its public-page headers must win
    security.install(app)
    errors.install(app)
    outage.install(app)
    i18n.install(app)
    # Long reports run as stored runs (partnership.reports.runs): their store is its table.
    health.add_store(app, "jobs", ReportRun)

    def language_links() -> list[dict[str, str]]:
        here = request.full_path if request.query_string else request.path
        current = str(get_locale())
        return [
            {
                "code": code,
                "name": Locale(code).label,
                "href": url_for("home.language", code=code, next=here),
            }
            for code in LOCALES
            if code != current
        ]

    @app.context_processor
    def layout_context() -> dict[str, Any]:
        from partnership.alerts import service as alerts_service
        from partnership.alerts.visibility import receives_alerts
        from partnership.core import models

        # Error pages ask the database nothing: no menu badges, no alert count.
        quiet = g.get("error_page") or outage.happened()
        signed_in = not quiet and current_user.is_authenticated
        nav = navigation(access.actor()) if signed_in else []
        alerts_unread = None  # None: this reader has no alerts, so no header link
        if signed_in and receives_alerts(current_user.role_enum):
            alerts_unread = alerts_service.unread_count(current_user, models.utcnow().date())
        return {
            "service_name": app.config["SERVICE_NAME"],
            "html_lang": str(get_locale()),
            "nav_items": nav,
            "language_links": language_links(),
            "alerts_unread": alerts_unread,
        }

    app.jinja_env.filters["local_datetime"] = i18n.local_datetime
    app.jinja_env.filters["local_date"] = i18n.local_date
    app.jinja_env.filters["label_of"] = i18n.label_of
    app.jinja_env.globals["enums"] = enums
    app.jinja_env.globals["may_open"] = access.may_open
    app.jinja_env.globals["select_options"] = forms.select_options


# SQLite's connection settings and planner statistics, for every engine of the process; and
# how long a page that only reads waits for the disk when its audit event commits.
sqlite.install()
commits.install()

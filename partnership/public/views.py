"""The public pages: the start page, support services, the report form, its receipt and
"Exit this page". No account is needed and nothing about the sender is kept: see
:mod:`partnership.core.privacy` and docs/public-reporting.md."""

from __future__ import annotations

from typing import Any

from flask import (
    current_app,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import get_locale
from flask_wtf.csrf import CSRFError
from limits import parse
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.wrappers import Response
from wtforms.fields.choices import SelectChoice

from partnership.core import submissions
from partnership.core.access import public
from partnership.core.catalogue import gettext as _
from partnership.core.enums import LOCALES, Behaviour, Locale, ReporterKind, TimeOfNight
from partnership.core.forms import record_id, whole_number
from partnership.core.i18n import LANGUAGE_COOKIE
from partnership.core.models import utcnow
from partnership.core.nights import night_of
from partnership.core.privacy import hashed_address
from partnership.core.saving import save_or_keep
from partnership.core.sessions import end_session
from partnership.core.uploads import CleanImage, UploadRejected, clean_upload
from partnership.extensions import db, limiter
from partnership.public import bp, service, support
from partnership.public.forms import (
    CHECK_STEP,
    CONTACT_FIELDS,
    PLAIN_BEHAVIOURS,
    STEPS,
    PublicReportForm,
)
from partnership.public.models import PublicReport
from partnership.venues.models import Venue
from partnership.venues.service import map_data

LIMIT_SCOPE = "public_report"


@bp.record_once
def _load_support_services(state: Any) -> None:
    # Read and checked as the app is made: a bad list stops the portal starting.
    state.app.extensions[support.EXTENSION_KEY] = support.load_services(state.app.config)


def _locale() -> str:
    return str(get_locale())


def _photo_megabytes() -> str:
    return f"{current_app.config['PHOTO_MAX_BYTES'] / (1024 * 1024):.0f}"


@bp.route("")
@public
def start() -> str:
    return render_template("public/start.html")


@bp.route("/support")
@public
def support_services() -> str:
    services = current_app.extensions[support.EXTENSION_KEY]
    locale = _locale()
    return render_template("public/support.html", services=[s.text(locale) for s in services])


@bp.route("/exit")
@public
def exit_page() -> Response:
    """Leave for a neutral site, forgetting this browser's session: its server copy is
    deleted and so are the session and language cookies."""
    session.clear()  # an emptied session makes Flask send the cookie's deletion
    end_session(current_app._get_current_object(), session)  # type: ignore[attr-defined]
    response = redirect(current_app.config["EXIT_URL"], code=303)
    response.delete_cookie(LANGUAGE_COOKIE)
    return response


@bp.errorhandler(RequestEntityTooLarge)
def too_large(_error: RequestEntityTooLarge) -> tuple[str, int]:
    db.session.rollback()
    return render_template("public/too_large.html", megabytes=_photo_megabytes()), 413


@bp.errorhandler(CSRFError)
def session_ended(error: CSRFError) -> Any:
    """The session (and its form token) ended mid-report, after "Exit this page" in another
    tab, say: the step comes back with every answer sent and a fresh token, not an error
    page that loses them. Nothing is stored until the person sends again."""
    if request.endpoint != "public.report" or request.method != "POST":
        return render_template("errors/error.html", status=400, csrf=True), 400
    venues = service.active_venues()
    form = PublicReportForm()
    form.venue_id.choices = _venue_choices(venues)
    form.tonight = night_of(utcnow())
    step = _step(form)
    form.form_errors.append(
        _(
            "Your session ended, so nothing has been sent yet. Your answers are still here: "
            "check them and carry on."
        )
    )
    return _show_step(form, step, venues, 400)


def _step(form: PublicReportForm) -> int:
    """The step the form was sent from (the first, if that is not a step)."""
    return whole_number(form.step.data, largest=CHECK_STEP, smallest=1) or 1


def _venue_choices(venues: list[Venue]) -> list[SelectChoice]:
    return [SelectChoice("", _("Not at one of these places, or I am not sure"))] + [
        SelectChoice(str(v.id), v.name) for v in venues
    ]


def _carried(form: PublicReportForm, step: int) -> list[tuple[str, str]]:
    """The answers of the other steps, as hidden (name, value) pairs."""
    pairs: list[tuple[str, str]] = []
    shown = set(STEPS[step])
    for number, names in STEPS.items():
        if number == CHECK_STEP:
            continue  # the photo is never carried; the honeypot lives on the last step
        for name in names:
            if name in shown:
                continue
            if name in CONTACT_FIELDS and not form.contact_wanted():
                continue  # the answer was No: details typed before are let go
            field = form[name]
            if isinstance(field.data, list):
                pairs.extend((name, str(value)) for value in field.data)
            elif field.data not in (None, ""):
                pairs.append((name, str(field.data)))
    return pairs


def _summary(form: PublicReportForm, venues: dict[str, Venue]) -> dict[str, Any]:
    """The answers in words, for the check page."""
    venue = venues.get(form.venue_id.data or "")
    night = form.chosen_night()
    # Unchecked answers reach here when the session ended (see session_ended).
    chosen = form.behaviours.data or []
    behaviours = [str(PLAIN_BEHAVIOURS[c]) for c in chosen if c in PLAIN_BEHAVIOURS]
    if Behaviour.OTHER.value in (form.behaviours.data or []):
        behaviours.append(_("Something else: %(what)s", what=form.other_behaviour.data or ""))
    return {
        "reporter": _label(ReporterKind, form.reporter.data),
        "venue": venue.name if venue else "",
        "place": (form.place.data or "").strip(),
        "pin": form.pin() is not None,
        "night": night,
        "time_of_night": _label(TimeOfNight, form.time_of_night.data),
        "behaviours": behaviours,
        "description": (form.description.data or "").strip(),
    }


def _label(enum: Any, code: str | None) -> str:
    try:
        return str(enum(code).label)
    except ValueError:
        return ""


def _show_step(
    form: PublicReportForm, step: int, venues: list[Venue], status: int = 200
) -> tuple[str, int]:
    form.step.data = str(step)
    by_id = {str(v.id): v for v in venues}
    return render_template(
        "public/report.html",
        form=form,
        step=step,
        steps=CHECK_STEP,
        carried=_carried(form, step),
        summary=_summary(form, by_id) if step == CHECK_STEP else None,
        point_map=map_data("point") if step == 2 else None,
        photo_max_bytes=current_app.config["PHOTO_MAX_BYTES"],
        photo_megabytes=_photo_megabytes(),
        # After the first step the header's language links would lose the answers: the form
        # has its own language buttons, which send them.
        **({"language_links": []} if request.method == "POST" else {}),
    ), status


def _within_limit() -> bool:
    """Count one sent report against PUBLIC_REPORT_LIMIT for this hashed address; False
    once the limit is reached. If the counter store cannot be reached, the report goes
    through: losing someone's report would be worse than missing one count."""
    config = current_app.config
    keys = [config.get("RATELIMIT_KEY_PREFIX") or "", hashed_address(), LIMIT_SCOPE]
    try:
        return bool(limiter.limiter.hit(parse(config["PUBLIC_REPORT_LIMIT"]), *filter(None, keys)))
    except Exception:  # the store (Redis) is down or unreachable
        current_app.logger.warning("the rate-limit store could not be reached; report accepted")
        return True


def _answers(form: PublicReportForm) -> service.ReportAnswers:
    night = form.chosen_night()
    assert night is not None  # noqa: S101 (step 3 was checked)
    pin = form.pin()
    return service.ReportAnswers(
        reporter=form.reporter.data or "",
        language=_locale(),
        night=night,
        time_of_night=form.time_of_night.data or "",
        behaviours=list(form.behaviours.data or []),
        venue_id=record_id(form.venue_id.data),
        place=form.place.data or "",
        latitude=pin[0] if pin else None,
        longitude=pin[1] if pin else None,
        other_behaviour=(
            form.other_behaviour.data or ""
            if Behaviour.OTHER.value in (form.behaviours.data or [])
            else ""
        ),
        description=form.description.data or "",
        # The service stores these only when wants_contact is True.
        wants_contact=form.contact_wanted(),
        contact_name=form.contact_name.data or "",
        contact_detail=form.contact_detail.data or "",
        contact_times=form.contact_times.data or "",
    )


def _receipt(report: PublicReport) -> str:
    """The receipt; the session ends with it (its server copy is deleted, and Flask
    deletes the emptied cookie)."""
    session.clear()
    end_session(current_app._get_current_object(), session)  # type: ignore[attr-defined]
    # The language links lead to the start page: the receipt itself cannot be shown again.
    links = [
        {
            "code": code,
            "name": Locale(code).label,
            "href": url_for("home.language", code=code, next=url_for("public.start")),
        }
        for code in LOCALES
        if code != _locale()
    ]
    return render_template("public/receipt.html", reference=report.reference, language_links=links)


def _photo_from(form: PublicReportForm) -> tuple[bool, CleanImage | None]:
    """(False, None) with the message on the field if the photo was refused; else (True,
    the cleaned photo or None if there was none)."""
    upload = form.photo.data
    if upload is None or not getattr(upload, "filename", ""):
        return True, None
    try:
        return True, clean_upload(upload)
    except UploadRejected as rejected:
        form.photo.errors = [rejected.message]
        return False, None


@bp.route("/report", methods=["GET", "POST"])
@public
def report() -> Any:
    """The report form. Every POST carries the earlier answers; ``action`` says where to go:
    ``next`` (check this step and every step before it), ``back``, ``change-<n>`` (from the
    check page), ``stay`` (the language buttons) or ``send``."""
    venues = service.active_venues()
    form = PublicReportForm()
    form.venue_id.choices = _venue_choices(venues)
    now = utcnow()
    form.tonight = night_of(now)
    if request.method == "GET":
        form.submission_key.data = submissions.new_key()
        return _show_step(form, 1, venues)

    step = _step(form)
    if step < CHECK_STEP and not submissions.KEY.fullmatch(form.submission_key.data or ""):
        # Nothing is stored before the report is sent: a lost key is simply replaced.
        form.submission_key.data = submissions.new_key()
    action = request.form.get("action", "next")
    if action == "back":
        return _show_step(form, max(step - 1, 1), venues)
    change = whole_number(action.removeprefix("change-"), largest=CHECK_STEP - 1, smallest=1)
    if action.startswith("change-") and change is not None:
        form.returning.data = "1"
        return _show_step(form, change, venues)
    if action == "stay":
        return _show_step(form, step, venues)

    for number in range(1, min(step, CHECK_STEP - 1) + 1):
        if not form.validate_step(number):
            return _show_step(form, number, venues, 400)
    if step < CHECK_STEP:
        following = CHECK_STEP if form.returning.data else step + 1
        return _show_step(form, following, venues)
    return _send(form, venues)


def _send(form: PublicReportForm, venues: list[Venue]) -> Any:
    sent = submissions.received(form)
    if sent is None:
        return _show_step(form, CHECK_STEP, venues, 400)
    existing = service.find_by_submission_key(sent.key)
    if existing is not None:
        if submissions.same_answers(existing, sent):  # sent twice: one report, one receipt
            return _receipt(existing)
        submissions.refuse(form)
        return _show_step(form, CHECK_STEP, venues, 400)
    if (form.website.data or "").strip():
        form.form_errors.append(
            _(
                "Leave the last box empty, then send your report again. "
                "It is there to stop automatic spam."
            )
        )
        return _show_step(form, CHECK_STEP, venues, 400)
    accepted, photo = _photo_from(form)
    if not accepted:
        return _show_step(form, CHECK_STEP, venues, 400)
    if not _within_limit():
        form.form_errors.append(
            _(
                "Too many reports have been sent from this connection in the last hour. "
                "Your report has not been sent yet. Wait a while and send it again, "
                "or call 101."
            )
        )
        if photo is not None:
            form.photo.errors = [_("Choose your photo again when you send the report.")]
        return _show_step(form, CHECK_STEP, venues, 429)
    answers = _answers(form)
    stored = save_or_keep(
        form,
        lambda: service.receive_report(answers, photo, sent.key, utcnow(), sent.digest),
        raced=lambda: submissions.earlier(service.find_by_submission_key(sent.key), sent),
    )
    if stored is None:
        return _show_step(form, CHECK_STEP, venues, 400)
    return _receipt(stored)

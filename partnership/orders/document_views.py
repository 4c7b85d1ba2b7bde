"""Orders: downloading the paperwork as PDF (partnership/orders/documents.py).

``?language=en|cy|cy_en`` chooses each document's language; without it the document is in
the portal language the user is reading; any other value answers 404. (Not ``?lang=``: that
switches the portal's own language, and printing a Welsh notice must leave the officer's
portal as it was.)
"""

from __future__ import annotations

from flask import Response, abort, request
from flask_babel import get_locale

from partnership.auth.models import User
from partnership.core.access import actor, roles_required
from partnership.core.enums import POLICE_ROLES, DocumentLanguage
from partnership.core.models import utcnow
from partnership.extensions import db
from partnership.orders import bp, documents, service
from partnership.orders.models import DispersalAuthorisation, DispersalDirection, ExclusionNotice


def _language() -> DocumentLanguage:
    """The language asked for with ``?language=``, else the portal's; 404 for anything
    else."""
    asked = request.args.get("language")
    if asked is None:
        return DocumentLanguage(str(get_locale()))
    try:
        return DocumentLanguage(asked)
    except ValueError:
        abort(404)


def _download(pdf: bytes, reference: str, language: DocumentLanguage) -> Response:
    response = Response(pdf, mimetype="application/pdf")
    response.headers["Content-Disposition"] = (
        f'attachment; filename="{reference}-{language.value}.pdf"'
    )
    response.headers["Cache-Control"] = "no-store"
    return response


def _notice(user: User, notice_id: int) -> ExclusionNotice:
    notice = db.session.scalar(
        service.visible_notices(user, utcnow().date()).where(ExclusionNotice.id == notice_id)
    )
    if notice is None:
        abort(404)
    return notice


@bp.route("/directions/<int:direction_id>/notice.pdf")
@roles_required(*POLICE_ROLES)
def direction_notice_pdf(direction_id: int) -> Response:
    user = actor()
    direction = db.session.scalar(
        service.visible_directions(user).where(DispersalDirection.id == direction_id)
    )
    if direction is None:
        abort(404)
    language = _language()
    pdf = documents.direction_notice_pdf(user, direction, language)
    db.session.commit()
    return _download(pdf, direction.reference, language)


@bp.route("/authorisations/<int:authorisation_id>/record.pdf")
@roles_required(*POLICE_ROLES)
def authorisation_pdf(authorisation_id: int) -> Response:
    user = actor()
    authorisation = db.session.scalar(
        service.visible_authorisations(user).where(DispersalAuthorisation.id == authorisation_id)
    )
    if authorisation is None:
        abort(404)
    language = _language()
    pdf = documents.authorisation_record_pdf(user, authorisation, language, utcnow())
    db.session.commit()
    return _download(pdf, authorisation.reference, language)


@bp.route("/notices/<int:notice_id>/letter.pdf")
@roles_required(*service.NOTICE_READERS)
def notice_pdf(notice_id: int) -> Response:
    user = actor()
    notice = _notice(user, notice_id)
    language = _language()
    pdf = documents.notice_letter_pdf(user, notice, language, utcnow())
    db.session.commit()
    return _download(pdf, notice.reference, language)


@bp.route("/notices/<int:notice_id>/appeals/<int:appeal_id>/outcome.pdf")
@roles_required(*service.NOTICE_READERS)
def appeal_pdf(notice_id: int, appeal_id: int) -> Response:
    user = actor()
    notice = _notice(user, notice_id)
    appeal = documents.decided_appeal(notice, appeal_id)
    if appeal is None:
        abort(404)
    language = _language()
    pdf = documents.appeal_outcome_pdf(user, notice, appeal, language, utcnow())
    db.session.commit()
    return _download(pdf, f"{notice.reference}-appeal-{appeal.id}", language)

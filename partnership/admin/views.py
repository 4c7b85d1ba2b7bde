"""Accounts, organisations and the audit log, for coordinators and administrators."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from typing import Any

from flask import current_app, flash, redirect, render_template, request, url_for
from sqlalchemy import func, or_, select
from wtforms.fields.choices import SelectChoice

from partnership.admin import bp, service
from partnership.admin.forms import (
    AccountActionForm,
    AuditFilterForm,
    OrganisationEditForm,
    OrganisationForm,
    UserCreateForm,
    UserRoleForm,
)
from partnership.admin.visibility import (
    ACCOUNT_MANAGERS,
    AUDIT_READERS,
    ORGANISATION_MANAGERS,
    assignable_roles,
    creatable_kinds,
    find_manageable_organisation,
    find_manageable_user,
    manageable_organisations,
    manageable_users,
    membership_problems,
    police_accounts_elsewhere,
)
from partnership.auth import service as auth_service
from partnership.auth.models import Organisation, User
from partnership.core import audit
from partnership.core.access import actor, get_or_404, roles_required
from partnership.core.catalogue import gettext as _
from partnership.core.enums import OrgKind, Rank, Role
from partnership.core.forms import record_id, without_controls
from partnership.core.models import AuditEvent
from partnership.core.nights import LONDON
from partnership.core.pagination import page_number
from partnership.core.saving import save_or_keep
from partnership.extensions import db

# Organisations are the partnership's to manage; accounts also their own force's inspectors'.
PAGE_SIZE = 50


def _organisation_choices() -> list[SelectChoice]:
    orgs = db.session.scalars(
        manageable_organisations(actor())
        .where(Organisation.active.is_(True))
        .order_by(Organisation.name)
    )
    return [SelectChoice("", _("Choose an organisation"))] + [
        SelectChoice(str(o.id), f"{o.name} ({o.kind_enum.label})") for o in orgs
    ]


def _apply_membership(form: Any, organisation: Organisation) -> tuple[Role, Rank | None] | None:
    """Check role, rank and designation against the rules; put problems on the fields."""
    role = Role(form.role.data)
    if role not in assignable_roles(actor()):
        form.role.errors = [*form.role.errors, _("You cannot give this role")]
        return None
    rank = Rank(form.rank.data) if form.rank.data else None
    problems = membership_problems(organisation, role, rank, form.designated_pcso.data)
    for field_name, message in problems.items():
        field = getattr(form, field_name)
        field.errors = [*field.errors, message]
    return None if problems else (role, rank)


@bp.route("/users")
@roles_required(*ACCOUNT_MANAGERS)
def users() -> str:
    query = manageable_users(actor()).join(User.organisation)
    # A search term with a control character finds what it would without it.
    search = without_controls(request.args.get("q", "")).strip()[:100]
    if search:
        like = f"%{search.lower()}%"
        query = query.where(
            or_(
                func.lower(User.name).like(like),
                func.lower(User.email).like(like),
                func.lower(Organisation.name).like(like),
            )
        )
    page = db.paginate(
        query.order_by(Organisation.name, User.name),
        page=page_number(),
        per_page=PAGE_SIZE,
        error_out=False,
    )
    return render_template(
        "admin/users.html",
        page=page,
        search=search,
        police_elsewhere=police_accounts_elsewhere(actor()),
    )


@bp.route("/users/new", methods=["GET", "POST"])
@roles_required(*ACCOUNT_MANAGERS)
def user_create() -> Any:
    form = UserCreateForm(roles=assignable_roles(actor()))
    form.organisation_id.choices = _organisation_choices()
    if form.validate_on_submit():
        chosen = record_id(form.organisation_id.data)
        organisation = db.session.scalar(
            manageable_organisations(actor()).where(
                Organisation.active.is_(True), Organisation.id == (chosen or 0)
            )
        )
        if organisation is None:  # not one offered: another force, or the police
            form.organisation_id.errors = [_("Choose an organisation")]
        membership = _apply_membership(form, organisation) if organisation else None
        email = form.email.data or ""
        if service.email_taken(email):
            form.email.errors = [
                *form.email.errors,
                _("An account with this email address already exists"),
            ]
        elif organisation is not None and membership is not None:
            role, rank = membership
            created = service.create_user(
                actor(),
                name=form.name.data or "",
                email=email,
                organisation=organisation,
                role=role,
                rank=rank,
                designated_pcso=bool(form.designated_pcso.data),
                locale=form.locale.data or "en",
            )
            db.session.commit()
            link = url_for("auth.set_password", token=created.token, _external=True)
            return render_template("admin/user_created.html", user=created.user, link=link)
    return render_template("admin/user_create.html", form=form), (400 if form.errors else 200)


def _role_form(user: User) -> UserRoleForm:
    """The role form as the account is now, opened on its version."""
    form = UserRoleForm(
        formdata=None,
        roles=assignable_roles(actor()),
        data={"role": user.role, "rank": user.rank or "", "designated_pcso": user.designated_pcso},
    )
    form.opened_on(user)
    return form


@bp.route("/users/<int:user_id>")
@roles_required(*ACCOUNT_MANAGERS)
def user_detail(user_id: int) -> str:
    user = get_or_404(find_manageable_user(actor(), user_id))
    form = _role_form(user)
    return render_template("admin/user_detail.html", user=user, form=form, now=datetime.now(UTC))


@bp.route("/users/<int:user_id>/role", methods=["POST"])
@roles_required(*ACCOUNT_MANAGERS)
def user_role(user_id: int) -> Any:
    user = get_or_404(find_manageable_user(actor(), user_id))
    form = UserRoleForm(roles=assignable_roles(actor()))
    if user.id == actor().id:
        form.role.errors = [_("You cannot change your own role")]
    elif form.validate_on_submit():
        membership = _apply_membership(form, user.organisation)
        if membership is not None:
            role, rank = membership
            designated = bool(form.designated_pcso.data)
            save_or_keep(
                form,
                lambda: service.change_membership(actor(), user, role, rank, designated),
                record=user,
            )
            if not form.errors:
                flash(_("The role of %(name)s is changed.", name=user.name), "success")
                return redirect(url_for("admin.user_detail", user_id=user.id))
    return render_template(
        "admin/user_detail.html", user=user, form=form, now=datetime.now(UTC)
    ), 400


def _account_action(user_id: int, action: str) -> Any:
    user = get_or_404(find_manageable_user(actor(), user_id))
    if user.id == actor().id and action in {"deactivate", "reset_two_factor"}:
        flash(_("You cannot do that to your own account."), "error")
        return redirect(url_for("admin.user_detail", user_id=user.id))
    messages = {
        "deactivate": (
            service.deactivate_user,
            _("%(name)s can no longer sign in.", name=user.name),
        ),
        "reactivate": (service.reactivate_user, _("%(name)s can sign in again.", name=user.name)),
        "reset_two_factor": (
            service.reset_two_factor,
            _("%(name)s will set up two-factor sign-in again next time.", name=user.name),
        ),
        "unlock": (service.unlock_user, _("%(name)s is unlocked.", name=user.name)),
    }
    function, message = messages[action]
    form = AccountActionForm()
    if form.validate_on_submit():
        save_or_keep(form, lambda: function(actor(), user), record=user)
        if not form.errors:
            flash(message, "success")
            return redirect(url_for("admin.user_detail", user_id=user.id))
    # Refused: the page again, showing the account as it is now and what changed.
    shown = _role_form(user)
    shown.form_errors = form.form_errors
    shown.stale_now = getattr(form, "stale_now", [])
    return render_template(
        "admin/user_detail.html", user=user, form=shown, now=datetime.now(UTC)
    ), 400


@bp.route("/users/<int:user_id>/deactivate", methods=["POST"])
@roles_required(*ACCOUNT_MANAGERS)
def user_deactivate(user_id: int) -> Any:
    return _account_action(user_id, "deactivate")


@bp.route("/users/<int:user_id>/reactivate", methods=["POST"])
@roles_required(*ACCOUNT_MANAGERS)
def user_reactivate(user_id: int) -> Any:
    return _account_action(user_id, "reactivate")


@bp.route("/users/<int:user_id>/reset-two-factor", methods=["POST"])
@roles_required(*ACCOUNT_MANAGERS)
def user_reset_two_factor(user_id: int) -> Any:
    return _account_action(user_id, "reset_two_factor")


@bp.route("/users/<int:user_id>/unlock", methods=["POST"])
@roles_required(*ACCOUNT_MANAGERS)
def user_unlock(user_id: int) -> Any:
    return _account_action(user_id, "unlock")


@bp.route("/users/<int:user_id>/set-password-link", methods=["POST"])
@roles_required(*ACCOUNT_MANAGERS)
def user_set_password_link(user_id: int) -> Any:
    user = get_or_404(find_manageable_user(actor(), user_id))
    if not user.active:
        flash(_("Reactivate the account before making a new link."), "error")
        return redirect(url_for("admin.user_detail", user_id=user.id))
    token = auth_service.create_set_password_link(user, actor())
    db.session.commit()
    link = url_for("auth.set_password", token=token, _external=True)
    return render_template("admin/user_created.html", user=user, link=link, new_link=True)


@bp.route("/organisations")
@roles_required(*ORGANISATION_MANAGERS)
def organisations() -> str:
    counts: dict[int, int] = dict(
        db.session.execute(  # type: ignore[arg-type]
            select(User.organisation_id, func.count(User.id))
            .where(User.active.is_(True))
            .group_by(User.organisation_id)
        ).all()
    )
    orgs = db.session.scalars(manageable_organisations(actor()).order_by(Organisation.name)).all()
    return render_template("admin/organisations.html", organisations=orgs, counts=counts)


@bp.route("/organisations/new", methods=["GET", "POST"])
@roles_required(*ORGANISATION_MANAGERS)
def organisation_create() -> Any:
    form = OrganisationForm(kinds=creatable_kinds(actor()))
    if form.validate_on_submit():
        if service.organisation_name_taken(form.name.data or ""):
            form.name.errors = [_("An organisation with this name already exists")]
        else:
            org = service.create_organisation(
                actor(), form.name.data or "", OrgKind(form.kind.data)
            )
            db.session.commit()
            flash(_("%(name)s is added.", name=org.name), "success")
            return redirect(url_for("admin.organisations"))
    return render_template("admin/organisation_form.html", form=form, organisation=None), (
        400 if form.errors else 200
    )


@bp.route("/organisations/<int:org_id>/edit", methods=["GET", "POST"])
@roles_required(*ORGANISATION_MANAGERS)
def organisation_edit(org_id: int) -> Any:
    org = get_or_404(find_manageable_organisation(actor(), org_id))
    # The organisation fills the form only when it opens: a sent form keeps what was typed.
    form = OrganisationEditForm(obj=org if request.method == "GET" else None)
    if request.method == "GET":
        form.opened_on(org)
    if form.validate_on_submit():
        if service.organisation_name_taken(form.name.data or "", except_org=org):
            form.name.errors = [_("An organisation with this name already exists")]
        else:
            name, active = form.name.data or "", bool(form.active.data)
            save_or_keep(
                form, lambda: service.update_organisation(actor(), org, name, active), record=org
            )
            if not form.errors:
                flash(_("%(name)s is saved.", name=org.name), "success")
                return redirect(url_for("admin.organisations"))
    return render_template("admin/organisation_form.html", form=form, organisation=org), (
        400 if form.errors else 200
    )


@bp.route("/audit")
@roles_required(*AUDIT_READERS)
def audit_log() -> Any:
    form = AuditFilterForm(request.args)
    query = select(AuditEvent)
    if form.validate():
        if form.action.data:
            query = query.where(AuditEvent.action.startswith(form.action.data.strip()))
        if form.actor.data:
            query = query.where(AuditEvent.actor_email == form.actor.data.strip().lower())
        if form.date_from.data:
            start = datetime.combine(form.date_from.data, time(0)).replace(tzinfo=LONDON)
            query = query.where(AuditEvent.created_at >= start.astimezone(UTC))
        if form.date_to.data:
            end = datetime.combine(form.date_to.data + timedelta(days=1), time(0))
            query = query.where(AuditEvent.created_at < end.replace(tzinfo=LONDON).astimezone(UTC))
    page = db.paginate(
        query.order_by(AuditEvent.created_at.desc(), AuditEvent.id.desc()),
        page=page_number(),
        per_page=current_app.config["AUDIT_PAGE_SIZE"],
        error_out=False,
    )
    audit.record("audit.viewed", actor=actor(), filters={k: v for k, v in request.args.items()})
    db.session.commit()
    return render_template("admin/audit.html", form=form, page=page)

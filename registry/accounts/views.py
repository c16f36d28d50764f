from __future__ import annotations

import hashlib
from datetime import timedelta

import sqlalchemy as sa
from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_user, logout_user, session_protected
from flask_login.config import SESSION_KEYS

from registry.accounts import operations
from registry.accounts.forms import LoginForm, PasswordForm, UnitIssuerForm, UserCreateForm, UserEditForm
from registry.accounts.models import Unit, User
from registry.core import clock
from registry.core.errors import ValidationFailed
from registry.core.forms import apply_error
from registry.core.permissions import Role, can_read_audit, roles_required
from registry.core.web import add_nav, committing, is_safe_next, perform, perform_form
from registry.extensions import db, limiter, login_manager

bp = Blueprint("accounts", __name__)


@login_manager.user_loader
def load_user(login_id: str) -> User | None:
    user_id, _sep, version = login_id.partition(":")
    if not user_id.isdigit() or not version.isdigit():
        return None
    user = db.session.get(User, int(user_id))
    if user is None or not user.is_active or user.session_version != int(version):
        return None
    return user


def browser_identifier() -> str:
    """What binds a signed-in session to its browser: the client's address and User-Agent, hashed.

    The address is ``request.remote_addr``, as the proxy settings establish it (ProxyFix reads only
    the entries our ``TRUSTED_PROXIES`` appended).  Flask-Login's own identifier takes the *first*
    entry of X-Forwarded-For, which the client writes itself: a stolen cookie sent with the
    victim's address there was accepted.
    """
    agent = request.headers.get("User-Agent", "")
    return hashlib.sha512(f"{request.remote_addr}|{agent}".encode()).hexdigest()


# Flask-Login has no public setting for this; the attribute is what it calls on sign-in and on
# every request of a signed-in session ("strong" protection).
login_manager._session_identifier_generator = browser_identifier


@session_protected.connect
def drop_a_session_from_another_browser(app, **extra) -> None:
    """A signed-in session used from another browser or address is no session.

    Flask-Login's "strong" protection only marks a *permanent* session not fresh when the
    browser's identifier (address and User-Agent) changes, and officer sessions are permanent:
    a cookie copied into another browser would still sign its holder in.  Drop it instead; the
    request goes on anonymous and the officer pages send it to the sign-in page.  (An anonymous
    session, holding only a language or a form token, is left alone.)
    """
    if "_user_id" not in session:
        return
    for key in SESSION_KEYS:
        session.pop(key, None)
    session["_remember"] = "clear"


def _active_units():
    return db.session.scalars(sa.select(Unit).where(Unit.is_active).order_by(Unit.sort_order, Unit.id)).all()


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["RATELIMIT_LOGIN"], methods=["POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("workbench.index"))
    form = LoginForm()
    status = 200
    if form.validate_on_submit():
        try:
            user = operations.authenticate(form.email.data, form.password.data, client=request.remote_addr)
        except (operations.SignInRefused, operations.SignInThrottled) as refused:
            # Left on purpose outside ``core.web.committing`` (which rolls back a refusal): the
            # refusal is committed, so that the failures that slow down the next attempts are kept.
            db.session.commit()
            flash(f"{refused.message}{_try_again_at(refused)} {operations.lockout_help()}", "error")
            status = 429 if isinstance(refused, operations.SignInThrottled) else 200
        else:
            db.session.commit()  # as the refusal's: both outcomes of a sign-in are stored
            login_user(user)
            session.permanent = True
            target = request.args.get("next")
            return redirect(target if is_safe_next(target) else url_for("workbench.index"))
    return render_template("accounts/login.html", form=form), status


def _try_again_at(refused) -> str:
    """When a paused sign-in may be tried again, as a clock time: said the same for
    an address with an account and one without, so it tells no one which accounts exist."""
    if not isinstance(refused, operations.SignInThrottled):
        return ""
    moment = clock.local(clock.utcnow() + refused.wait + timedelta(seconds=59)).strftime("%H:%M")
    return " " + _("Sign-in from here is paused until %(time)s (Beijing time).", time=moment)


@bp.route("/logout", methods=["POST"])
def logout():
    if current_user.is_authenticated:
        with committing():
            operations.sign_out(current_user._get_current_object())
    logout_user()
    flash(_("You have signed out."), "success")
    return redirect(url_for("public.home"))


@bp.route("/admin/users")
@roles_required(Role.ADMIN, Role.AUDITOR)
def users():
    rows = db.session.scalars(sa.select(User).order_by(User.unit_id, User.email)).all()
    return render_template("accounts/users.html", users=rows)


@bp.route("/admin/users/new", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def user_create():
    form = UserCreateForm()
    form.set_choices(_active_units())
    if form.validate_on_submit():
        try:
            with committing():
                operations.create_user(
                    email=form.email.data, name=form.name.data, unit=operations.find_unit(form.unit.data),
                    role=form.role.data, password=form.password.data, actor=current_user,
                )
        except ValidationFailed as error:
            if not apply_error(form, error):
                flash(str(error.message), "error")
        else:
            flash(_("The account was created."), "success")
            return redirect(url_for("accounts.users"))
    return render_template("accounts/user_form.html", form=form, user=None)


@bp.route("/admin/users/<id:user_id>", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def user_edit(user_id: int):
    user = db.session.get(User, user_id) or abort(404)
    form = UserEditForm(obj=None)
    form.set_choices(_active_units())
    password_form = PasswordForm(prefix="pw")
    if request.method == "GET":
        form.unit.data, form.role.data, form.is_active.data = user.unit.code, user.role.value, user.is_active
    elif form.validate_on_submit():
        ok, _result = perform(
            operations.update_user, user, unit=operations.find_unit(form.unit.data), role=form.role.data,
            is_active=form.is_active.data, actor=current_user, success=_("The account was updated."),
        )
        if ok:
            return redirect(url_for("accounts.users"))
    return render_template("accounts/user_form.html", form=form, user=user, password_form=password_form)


@bp.route("/admin/users/<id:user_id>/password", methods=["POST"])
@roles_required(Role.ADMIN)
def user_password(user_id: int):
    user = db.session.get(User, user_id) or abort(404)
    form = PasswordForm(prefix="pw")
    if form.validate_on_submit():
        perform(operations.set_password, user, form.password.data, current_user,
                success=_("The password was changed; the officer's sessions were ended."))
    else:
        flash(_("The password must have at least 10 characters."), "error")
    return redirect(url_for("accounts.user_edit", user_id=user.id))


@bp.route("/admin/units")
@roles_required(Role.ADMIN, Role.AUDITOR)
def units():
    rows = db.session.scalars(sa.select(Unit).order_by(Unit.sort_order, Unit.id)).all()
    return render_template("accounts/units.html", units=rows)


@bp.route("/admin/units/<id:unit_id>", methods=["GET", "POST"])
@roles_required(Role.ADMIN, Role.AUDITOR)
def unit_edit(unit_id: int):
    unit = db.session.get(Unit, unit_id) or abort(404)
    form = UnitIssuerForm(obj=unit if request.method == "GET" else None)
    if request.method == "POST" and current_user.role is not Role.ADMIN:
        abort(403)
    if form.validate_on_submit():
        ok, _changed = perform_form(form, operations.update_unit_issuer, unit, form.data, current_user)
        if ok:
            flash(_("The unit's document settings were saved."), "success")
            return redirect(url_for("accounts.units"))
    return render_template("accounts/unit_form.html", form=form, unit=unit,
                           editable=current_user.role is Role.ADMIN)


add_nav("accounts.users", _l("Users"), order=90, officer=True, visible=can_read_audit)

"""Signing in and out, and the administrator's accounts page."""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user
from sqlalchemy import select

from .. import broadcast
from ..errors import DomainError, ValidationError
from ..extensions import db, limiter
from ..forms import apply_errors
from ..limits import client_address
from ..urls import safe_next
from . import services
from .access import admin_required
from .forms import LoginForm, PasswordForm, UserForm
from .models import User

bp = Blueprint("auth", __name__)


def _safe_next(target: str | None) -> str:
    return safe_next(target, fallback=url_for("events.index"))


@bp.route("/login", methods=["GET", "POST"])
# Per address, generous for a venue's NAT; each account has its own lock-out
# (services.authenticate).
@limiter.limit("30 per minute", methods=["POST"], key_func=client_address)
def login():
    if current_user.is_authenticated:
        return redirect(url_for("events.index"))
    form = LoginForm()
    status = 200
    if form.validate_on_submit():
        try:
            user = services.authenticate(form.username.data, form.password.data)
        except DomainError as exc:
            form.form_errors.append(str(exc.message))
            status = 429 if exc.code == "locked" else 401
        else:
            login_user(user)
            session.permanent = True  # ends after PERMANENT_SESSION_LIFETIME (12 h)
            return redirect(_safe_next(request.args.get("next")))
    elif request.method == "POST":
        status = 422
    return render_template("auth/login.html", form=form), status


@bp.post("/logout")
@login_required
def logout():
    """Sign out everywhere: every cookie of this account stops working (a copy too),
    and its open sockets are disconnected."""
    user = current_user._get_current_object()
    services.end_sessions(user)
    broadcast.end_access(broadcast.user_room(user.id))
    logout_user()
    flash(_("You have signed out."), "info")
    return redirect(url_for("auth.login"))


@bp.route("/account", methods=["GET", "POST"])
@login_required
def account():
    form = PasswordForm()
    if form.validate_on_submit():
        try:
            services.authenticate(current_user.username, form.current.data)
            user = current_user._get_current_object()
            services.set_password(user, form.password.data)
        except ValidationError as exc:
            apply_errors(form, exc)
        except DomainError:
            form.current.errors = [_("The current password is wrong.")]
        else:
            # Every other session ended with the old password; this one goes on.
            broadcast.end_access(broadcast.user_room(user.id))
            login_user(user)
            flash(_("Your password has been changed."), "success")
            return redirect(url_for("auth.account"))
    return render_template("auth/account.html", form=form,
                           policy=services.password_policy())


@bp.get("/admin/users")
@admin_required
def users():
    people = db.session.scalars(select(User).order_by(User.username)).all()
    return render_template("auth/users.html", users=people, form=UserForm(),
                           policy=services.password_policy())


@bp.post("/admin/users")
@admin_required
def create_user():
    form = UserForm()
    if form.validate_on_submit():
        try:
            user = services.create_user(username=form.username.data,
                                        password=form.password.data or "",
                                        full_name=form.full_name.data, role=form.role.data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            flash(_("Account %(name)s created.", name=user.username), "success")
            return redirect(url_for("auth.users"))
    people = db.session.scalars(select(User).order_by(User.username)).all()
    return render_template("auth/users.html", users=people, form=form,
                           policy=services.password_policy()), 422


@bp.route("/admin/users/<int:user_id>", methods=["GET", "POST"])
@admin_required
def edit_user(user_id: int):
    user = db.session.get(User, user_id) or abort(404)
    form = UserForm(obj=user)
    if form.validate_on_submit():
        generation = user.session_generation
        try:
            services.update_user(user, full_name=form.full_name.data, role=form.role.data,
                                 active=form.active.data, by_user=current_user,
                                 password=form.password.data or None)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            if user.session_generation != generation:  # deactivated, re-roled, new password
                broadcast.end_access(broadcast.user_room(user.id))
            flash(_("Account %(name)s saved.", name=user.username), "success")
            return redirect(url_for("auth.users"))
    return render_template("auth/user_edit.html", form=form, user=user,
                           policy=services.password_policy())

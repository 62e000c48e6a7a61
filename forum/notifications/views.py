"""The inbox: one's notifications, opening one, marking them read."""

from flask import Blueprint, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import HiddenField

from forum.notifications import services
from forum.notifications.schemas import notification_view
from forum.realtime.streams import last_seq, user_stream
from forum.transactions import transactional

bp = Blueprint("notifications", __name__)


class MarkAllReadForm(FlaskForm):
    up_to = HiddenField()


@bp.get("/notifications")
def inbox():
    user = services.inbox_owner(current_user)
    seq = last_seq(user_stream(user.id))
    page = services.list_notifications(user, request.args.get("page", 1, type=int))
    views = [(n, notification_view(n, user)) for n in page.items]
    newest = page.items[0].id if page.items and page.page == 1 else ""
    return render_template(
        "notifications/inbox.html",
        page=page,
        notifications=views,
        seq=seq,
        form=MarkAllReadForm(up_to=newest),
    )


@bp.get("/notifications/<int:notification_id>")
@transactional
def open_notification(notification_id: int):
    """Follow a notification to what it is about; it counts as read."""
    notification = services.mark_read(services.inbox_owner(current_user), notification_id)
    view = notification_view(notification, current_user)
    if view.thread is None:
        return redirect(url_for("notifications.inbox"))
    return redirect(
        url_for("discussion.thread", thread_id=view.thread.id, _anchor=f"post-{view.post_id}")
    )


@bp.post("/notifications/read")
@transactional
def mark_all_read():
    user = services.inbox_owner(current_user)
    form = MarkAllReadForm()
    form.validate_on_submit()
    up_to = form.up_to.data
    services.mark_all_read(
        user, int(up_to) if (up_to or "").isdigit() and len(up_to) < 19 else None
    )
    return redirect(url_for("notifications.inbox"))

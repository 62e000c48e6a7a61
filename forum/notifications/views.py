"""The inbox: one's notifications, opening one, marking them read."""

from flask import Blueprint, redirect, render_template, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import HiddenField

from forum.notifications import services
from forum.notifications.schemas import notification_view
from forum.schemas import id_from_text
from forum.transactions import transactional
from forum.web import page_number

bp = Blueprint("notifications", __name__)

# Invitations and their answers open the draft's co-authors page, where they are answered.
COAUTHOR_KINDS = ("coauthor_invited", "coauthor_accepted", "coauthor_declined", "coauthor_removed")


class MarkAllReadForm(FlaskForm):
    up_to = HiddenField()


@bp.get("/notifications")
def inbox():
    user = services.inbox_owner(current_user)
    page = services.list_notifications(user, page_number())
    views = [notification_view(n, user) for n in page.items]
    newest = views[0].id if views and page.page == 1 else ""
    return render_template(
        "notifications/inbox.html",
        page=page,
        notifications=views,
        any_unread=any(not view.read for view in views),
        form=MarkAllReadForm(up_to=newest),
    )


@bp.get("/notifications/<int:notification_id>")
@transactional
def open_notification(notification_id: int):
    """Follow a notification to what it is about; it counts as read."""
    notification = services.mark_read(services.inbox_owner(current_user), notification_id)
    view = notification_view(notification, current_user)
    if view.meeting is not None:
        return redirect(url_for("meetings.meeting", meeting_id=view.meeting.id))
    if view.draft is not None and view.kind in COAUTHOR_KINDS:
        return redirect(url_for("coauthors.index", draft_id=view.draft.id))
    if view.draft is not None:  # news of a draft (drafts are public) opens the draft's page
        return redirect(url_for("drafts.draft", draft_id=view.draft.id))
    if view.thread is not None:
        if view.post_id:  # the thread's slice that holds the post
            return redirect(url_for("discussion.post", post_id=view.post_id))
        return redirect(url_for("discussion.thread", thread_id=view.thread.id))
    if view.room is not None:
        return redirect(url_for("areas.room", room_id=view.room.id))
    if view.area is not None:
        return redirect(url_for("areas.area", area_id=view.area.id))
    return redirect(url_for("notifications.inbox"))


@bp.post("/notifications/read")
@transactional
def mark_all_read():
    user = services.inbox_owner(current_user)
    form = MarkAllReadForm()
    form.validate_on_submit()
    services.mark_all_read(user, id_from_text(form.up_to.data))
    return redirect(url_for("notifications.inbox"))

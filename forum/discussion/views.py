"""Thread pages and the forms that start threads, reply, edit and delete posts."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from forum.areas.views import render_room
from forum.discussion import services
from forum.discussion.forms import DeleteForm, EditForm, ReplyForm, ThreadForm
from forum.errors import Conflict, Forbidden, RateLimited, ValidationError
from forum.moderation import services as moderation
from forum.policy import ensure
from forum.realtime.streams import last_seq, thread_stream
from forum.rendering import one_page_at_a_time, render_in_turns
from forum.schemas import id_from_text
from forum.transactions import transactional
from forum.web import page_number, show_errors

bp = Blueprint("discussion", __name__)

# Refusals a form shows in itself, as it shows a field error: the writer keeps their text.
FORM_REFUSALS = (ValidationError, Forbidden, Conflict, RateLimited)
# Why the author of a post may not edit it now (the edit page says so instead of the form).
WRITE_REFUSALS = ("muted", "suspended", "room_archived", "thread_locked", "thread_deleted")


def _post_url(post) -> str:
    """The thread's slice that holds the post, at the post."""
    page = services.page_of_post(post)
    return url_for(
        "discussion.thread",
        thread_id=post.thread_id,
        page=page if page > 1 else None,
        _anchor=f"post-{post.id}",
    )


def render_thread(thread_id: int, form: ReplyForm, status: int = 200, page: int = 1):
    with one_page_at_a_time():  # a slice's queries are a third of its page's time
        seq = last_seq(thread_stream(thread_id))  # before the posts: a later change is caught up
        tree = services.load_post_tree(current_user, thread_id, page)
        muted = moderation.muted_note(current_user, tree.thread.room)
        html = render_in_turns("discussion/thread.html", tree=tree, seq=seq, form=form, muted=muted)
    return html, status


@bp.post("/rooms/<int:room_id>/threads")
@transactional
def create_thread(room_id: int):
    form = ThreadForm()
    form.validate_on_submit()
    try:
        thread = services.create_thread(current_user, room_id, form.title.data, form.body.data)
    except FORM_REFUSALS as error:
        show_errors(form, error)
        page, status = render_room(room_id, form, status=error.status)
        return page, status, error.headers
    return redirect(url_for("discussion.thread", thread_id=thread.id))


@bp.get("/threads/<int:thread_id>")
def thread(thread_id: int):
    return render_thread(thread_id, ReplyForm(), page=page_number())


@bp.get("/posts/<int:post_id>")
def post(post_id: int):
    """A link to a post: the slice of its thread that holds it, at the post."""
    return redirect(_post_url(services.access_post(current_user, post_id)))


@bp.post("/threads/<int:thread_id>/replies")
@transactional
def reply(thread_id: int):
    form = ReplyForm()
    form.validate_on_submit()
    parent_id = id_from_text(form.parent_id.data)
    try:
        author = current_user._get_current_object()  # the policy asks it often: not via the proxy
        post = services.create_reply(author, thread_id, form.body.data, parent_id)
    except FORM_REFUSALS as error:
        show_errors(form, error)
        page = services.page_for_reply(thread_id, parent_id)
        html, status = render_thread(thread_id, form, error.status, page)
        return html, status, error.headers
    return redirect(_post_url(post))


@bp.route("/posts/<int:post_id>/edit", methods=["GET", "POST"])
@transactional
def edit_post(post_id: int):
    post = services.access_post(current_user, post_id)
    form = EditForm(body=post.body_source)
    try:
        ensure(current_user, "post.edit", post)  # the form too, not only its submission
    except (Forbidden, Conflict) as error:
        if error.code not in WRITE_REFUSALS:
            raise  # not the author's: no form, no words
        show_errors(form, error)
        return render_template("discussion/edit.html", post=post, form=form), error.status
    if form.validate_on_submit():
        try:
            post = services.edit_post(current_user, post_id, form.body.data)
        except ValidationError as error:
            show_errors(form, error)
        except (Forbidden, Conflict, RateLimited) as error:
            show_errors(form, error)
            page = render_template("discussion/edit.html", post=post, form=form)
            return page, error.status, error.headers
        else:
            return redirect(_post_url(post))
    return render_template(
        "discussion/edit.html", post=post, form=form
    ), 422 if form.errors else 200


@bp.route("/posts/<int:post_id>/delete", methods=["GET", "POST"])
@transactional
def delete_post(post_id: int):
    """GET asks for confirmation (without JavaScript too); POST deletes."""
    if request.method == "GET":
        post = services.access_post(current_user, post_id)
        ensure(current_user, "post.delete", post)
        return render_template("discussion/delete.html", post=post, form=DeleteForm())
    DeleteForm().validate_on_submit()
    post = services.delete_post(current_user, post_id)
    flash(_("Your post was deleted."))
    if post.is_opening:
        return redirect(url_for("areas.room", room_id=post.thread.room_id))
    return redirect(_post_url(post))


@bp.get("/posts/<int:post_id>/history")
def post_history(post_id: int):
    post, revisions = services.post_history(current_user, post_id)
    return render_template("discussion/history.html", post=post, revisions=revisions)

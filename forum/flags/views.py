"""The flag form under a post, the moderators' queue, and resolving a post's flags."""

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from forum.errors import Conflict, RateLimited, ValidationError
from forum.flags import services
from forum.flags.forms import DismissForm, FlagForm, HideForm
from forum.policy import ensure
from forum.realtime.streams import area_stream, last_seq
from forum.transactions import transactional
from forum.web import page_number, show_errors

bp = Blueprint("flags", __name__)


def _post_url(post) -> str:
    """The post: /posts/<id> opens the thread's slice that holds it."""
    return url_for("discussion.post", post_id=post.id)


@bp.app_context_processor
def moderation_link():
    """For the header: the areas whose queue the person follows, and its open flags now."""

    def link():
        areas = services.moderated_areas(current_user)
        if not areas:
            return None
        # The streams' seqs before the count: a flag raised in between is caught up.
        streams = [(f"area:{area.id}", last_seq(area_stream(area.id))) for area in areas]
        return {"streams": streams, "count": services.open_count(current_user)}

    return {"moderation_link": link, "flag_reasons": services.REASONS}


@bp.route("/posts/<int:post_id>/flag", methods=["GET", "POST"])
@transactional
def flag_post(post_id: int):
    post = services.flaggable_post(current_user, post_id)  # the form too, not only its sending
    form = FlagForm()
    flagged = services.open_flag_of(current_user, post)
    if not form.is_submitted():
        return render_template("flags/flag.html", post=post, form=form, flagged=flagged)
    if flagged is not None:
        return render_template("flags/flag.html", post=post, form=form, flagged=flagged), 409
    form.validate()  # the fields' own checks; the service decides, with its messages
    try:
        services.flag_post(current_user, post_id, form.reason.data, form.text.data)
    except (ValidationError, RateLimited) as error:
        show_errors(form, error)
        page = render_template("flags/flag.html", post=post, form=form, flagged=None)
        return page, error.status, error.headers
    except Conflict as error:  # flagged by a request sent at the same moment
        page = render_template("flags/flag.html", post=post, form=form, flagged=True)
        return page, error.status
    flash(_("Thank you: the moderators of this area will look at the post."))
    return redirect(_post_url(post))


@bp.get("/moderation")
def queue():
    page = page_number()
    areas = services.queue_areas(current_user)
    # The streams' seqs before the queue: a flag raised in between is caught up.
    streams = [(f"area:{area.id}", last_seq(area_stream(area.id))) for area in areas]
    groups, open_flags = services.queue(current_user, page=page)
    return render_template(
        "flags/queue.html", areas=areas, streams=streams, groups=groups, open=open_flags
    )


@bp.route("/moderation/posts/<int:post_id>/dismiss", methods=["GET", "POST"])
@transactional
def dismiss(post_id: int):
    post, flags = services.open_flags_for_resolving(current_user, post_id)
    form = DismissForm()
    if form.validate_on_submit():
        try:
            services.dismiss(current_user, post_id, form.note.data)
        except ValidationError as error:
            show_errors(form, error)
        else:
            flash(_("The flags were dismissed; the post stays as it is."))
            return redirect(url_for("flags.queue"))
    page = render_template(
        "flags/resolve.html", action="dismiss", post=post, flags=flags, form=form
    )
    return page, 422 if form.errors or form.form_errors else 200


@bp.route("/moderation/posts/<int:post_id>/hide", methods=["GET", "POST"])
@transactional
def hide(post_id: int):
    post, flags = services.open_flags_for_resolving(current_user, post_id)
    if not post.is_hidden:
        ensure(current_user, "post.hide", post)
    form = HideForm()
    if form.validate_on_submit():
        try:
            services.hide(current_user, post_id, form.reason.data)
        except ValidationError as error:
            show_errors(form, error)
        else:
            flash(_("The post was hidden and its flags resolved."))
            return redirect(url_for("flags.queue"))
    page = render_template("flags/resolve.html", action="hide", post=post, flags=flags, form=form)
    return page, 422 if form.errors or form.form_errors else 200

"""Ambassador forms: fields, CSRF and an idempotency key; the services validate the values."""

from flask_babel import lazy_gettext as _l
from wtforms import StringField, TextAreaField

from forum.ambassadors.schemas import BIO_MAX, CONTACT_MAX, MOTIVATION_MAX, MOTIVATION_MIN
from forum.web import KeyedForm


class ApplicationForm(KeyedForm):
    motivation = TextAreaField(
        _l(
            "Why would you like to be an ambassador here? (%(low)d–%(high)d characters)",
            low=MOTIVATION_MIN,
            high=MOTIVATION_MAX,
        )
    )
    contact = StringField(
        _l(
            "How can the coordinators and residents reach you? (phone, e-mail, hours; at most "
            "%(num)d characters)",
            num=CONTACT_MAX,
        )
    )


class WithdrawForm(KeyedForm):
    pass


class DecisionForm(KeyedForm):
    message = TextAreaField()


class BioForm(KeyedForm):
    bio = TextAreaField(
        _l(
            "Your short bio, shown on the pages of areas you serve (at most %(num)d characters)",
            num=BIO_MAX,
        )
    )

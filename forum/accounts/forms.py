"""Account forms: fields and CSRF; the services validate the values."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, HiddenField, PasswordField, SelectField, StringField

from forum.accounts.passwords import PASSWORD_MIN_LENGTH


class RegisterForm(FlaskForm):
    display_name = StringField(_l("Name shown to others"))
    email = EmailField(_l("E-mail address"))
    password = PasswordField(_l("Password (at least %(num)d characters)", num=PASSWORD_MIN_LENGTH))
    home_area_id = SelectField(_l("Your district"), coerce=str, validate_choice=False)


class ConfirmRegistrationForm(FlaskForm):
    pass


class LoginForm(FlaskForm):
    email = EmailField(_l("E-mail address"))
    password = PasswordField(_l("Password"))
    next = HiddenField()


class LogoutForm(FlaskForm):
    pass

"""The staff sign-in form: Django's AuthenticationForm with its username length enforced."""

from __future__ import annotations

from django.contrib.auth.forms import AuthenticationForm
from django.core.validators import MaxLengthValidator


class SignInForm(AuthenticationForm):
    """AuthenticationForm sets the username field's max_length after the field is built, so no
    validator checks it: an over-long name reached authenticate(), and django-axes stored the failed
    attempt with it (PostgreSQL refuses more than 255 characters: a 500). Now it is a form error."""

    def __init__(self, request=None, *args, **kwargs) -> None:
        super().__init__(request, *args, **kwargs)
        username = self.fields["username"]
        if username.max_length:
            username.validators.append(MaxLengthValidator(username.max_length))

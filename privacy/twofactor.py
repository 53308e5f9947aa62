"""TOTP two-factor sign-in for staff (django-otp), mandatory for supervisors and administrators."""

from __future__ import annotations

import base64

from django import forms
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from tickets.access import is_supervisor


def requires_two_factor(user) -> bool:
    return bool(user.is_authenticated and (user.is_superuser or is_supervisor(user)))


class TokenForm(forms.Form):
    token = forms.CharField(
        label=_("Six-digit code from your authenticator app"),
        min_length=6,
        max_length=8,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}),
    )


def _next_url(request) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return settings.LOGIN_REDIRECT_URL


@login_required
@require_http_methods(["GET", "POST"])
def two_factor(request):
    """Set up (first time) or verify a TOTP device, then continue to where the user was going."""
    user = request.user
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    setting_up = device is None
    if setting_up:
        # One pending device per user: reloading the page keeps the same secret.
        device = TOTPDevice.objects.filter(user=user, confirmed=False).first() or TOTPDevice.objects.create(
            user=user, name="Sportello", confirmed=False
        )
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["token"].strip()):
            if setting_up:
                device.confirmed = True
                device.save(update_fields=["confirmed"])
            otp_login(request, device)
            return redirect(_next_url(request))
        form.add_error("token", _("The code is not valid. Check the time on your phone and try again."))
    context = {"form": form, "setting_up": setting_up, "next": _next_url(request)}
    if setting_up:
        context["otpauth_uri"] = device.config_url
        context["secret"] = base64.b32encode(device.bin_key).decode()
    return render(request, "privacy/two_factor.html", context, status=200 if form.is_bound is False else 200)

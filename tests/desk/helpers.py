from django.conf import settings


def desk_login(client, user):
    """force_login, with the session marked as past the second factor when django-otp guards the desk."""
    client.force_login(user)
    if "django_otp" not in settings.INSTALLED_APPS:
        return
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.filter(user=user, confirmed=True).first() or TOTPDevice.objects.create(
        user=user, name="tests", confirmed=True
    )
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()

"""What a role lets a person do outside the desk: staff status and the Django groups behind the admin.

The admin is for administrators and supervisors; operators work in the desk, whose rules live
in ``tickets.access``. A role's admin rights are therefore data derived from the role, written
here and nowhere else, so that an account can never keep the admin rights of a role it left.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction

from .models import Operator, Role

# Roles that sign in to the Django admin (staff); the desk's roles do not.
ADMIN_ROLES = frozenset({Role.SUPERVISOR, Role.ADMINISTRATOR})


def is_admin_role(role: str) -> bool:
    return role in ADMIN_ROLES


@transaction.atomic
def apply_role(operator: Operator) -> None:
    """Make the account's staff flag and group follow the operator's role."""
    user = operator.user
    staff = is_admin_role(operator.role) or user.is_superuser
    if user.is_staff != staff:
        user.is_staff = staff
        user.save(update_fields=["is_staff"])
    role_groups = Group.objects.filter(name__in=Role.values)
    user.groups.remove(*role_groups.exclude(name=operator.role))
    user.groups.add(Group.objects.get_or_create(name=operator.role)[0])


@transaction.atomic
def create_operator(
    *,
    username: str,
    role: str,
    password: str | None = None,
    office=None,
    queues: Iterable = (),
    first_name: str = "",
    last_name: str = "",
    email: str = "",
    languages: Iterable[str] = (),
    superuser: bool = False,
    **profile,
) -> Operator:
    """An account with its operator profile, its staff flag and its role's group."""
    user = get_user_model().objects.create_user(
        username=username,
        password=password,
        first_name=first_name,
        last_name=last_name,
        email=email,
        is_superuser=superuser,
    )
    operator = Operator.objects.create(user=user, role=role, office=office, languages=list(languages), **profile)
    operator.queues.set(queues)
    apply_role(operator)
    return operator

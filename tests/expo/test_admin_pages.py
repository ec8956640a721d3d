"""Platform admins can list every model in the Django admin (the payments, banner and report ones
read-only); anyone else is sent to the admin's login."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.urls import reverse

pytestmark = pytest.mark.django_db

READ_ONLY = {
    "banners": ["bannercampaign", "bannerfee"],
    "reports": ["potentialdeal", "apitoken", "reportjob"],
    "payments": ["order", "payment", "charge", "refund", "salesledgerentry"],
}


def _changelists():
    for model in admin.site._registry:
        meta = model._meta
        yield f"admin:{meta.app_label}_{meta.model_name}_changelist", meta.model_name


def test_every_admin_list_opens_for_a_platform_admin(client, admin_user):
    client.force_login(admin_user)
    for name, _model in _changelists():
        assert client.get(reverse(name)).status_code == 200, name


def test_money_and_figures_cannot_be_edited_in_the_admin(client, admin_user):
    client.force_login(admin_user)
    read_only = {m for models in READ_ONLY.values() for m in models}
    checked = set()
    for name, model in _changelists():
        if model in read_only:
            add = name.replace("_changelist", "_add")
            assert client.get(reverse(add)).status_code == 403, add
            checked.add(model)
    assert checked == read_only


def test_the_admin_is_closed_to_everyone_else(client, buyer):
    client.force_login(buyer)
    for name, _model in _changelists():
        response = client.get(reverse(name))
        assert response.status_code == 302 and "/login/" in response["Location"], name

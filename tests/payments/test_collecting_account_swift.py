"""A buyer abroad can pay by transfer: the collecting account carries a SWIFT/BIC (checked), the
bank's address and who pays the transfer fees (OUR/SHA/BEN); buyers outside Indonesia see them on
the order's transfer page and in the order e-mail, buyers in Indonesia do not need them."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from payments import services
from payments.models import CollectingAccount
from payments.models.settings import validate_swift_bic

pytestmark = pytest.mark.django_db

ACCOUNT = {
    "bank_name": "BNI",
    "account_number": "0123-456-789",
    "account_holder": "Dinkop UKM Jateng",
}


def _url(expo):
    return reverse("payments:manage_account", args=[expo.slug])


@pytest.mark.parametrize(
    "code", ["BNINIDJA", "BNINIDJAXXX", "bnin idja", "CENAIDJA", "DEUTDEFF500"]
)
def test_valid_swift_codes(code):
    validate_swift_bic(code)


@pytest.mark.parametrize(
    "code",
    ["BNINIDJ", "BNINIDJAX", "BNINIDJAXXXX", "1NINIDJA", "BNINQQJA", "BNIN-IDJA", "BNINIDJ@"],
)
def test_invalid_swift_codes(code):
    with pytest.raises(ValidationError):
        validate_swift_bic(code)


def test_the_organiser_sets_swift_bank_address_and_fees(client, expo, organiser):
    client.force_login(organiser)
    page = client.get(_url(expo)).content.decode()
    for name in ("swift_bic", "bank_address", "transfer_fees"):
        assert f'name="{name}"' in page
    response = client.post(
        _url(expo),
        {
            **ACCOUNT,
            "swift_bic": "bnin idja",
            "bank_address": "Jl. Pemuda 1, Semarang 50132, Indonesia",
            "transfer_fees": "SHA",
        },
    )
    assert response.status_code == 302
    account = CollectingAccount.objects.get(expo=expo)
    assert (account.swift_bic, account.transfer_fees) == ("BNINIDJA", "SHA")
    assert account.bank_address.startswith("Jl. Pemuda 1")
    form = client.get(_url(expo)).context["form"]
    assert form["swift_bic"].value() == "BNINIDJA" and form["transfer_fees"].value() == "SHA"


@pytest.mark.parametrize(
    ("extra", "field", "message"),
    [
        ({"swift_bic": "BNIN1DJA", "bank_address": "Semarang"}, "swift_bic", "SWIFT/BIC"),
        ({"swift_bic": "BNINIDJA", "bank_address": ""}, "bank_address", "bank's address"),
        ({"transfer_fees": "ALL"}, "transfer_fees", "valid choice"),
    ],
)
def test_a_wrong_swift_field_is_refused_and_nothing_saved(
    client, expo, organiser, extra, field, message
):
    client.force_login(organiser)
    response = client.post(_url(expo), {**ACCOUNT, **extra})
    assert response.status_code == 400
    assert message in " ".join(str(e) for e in response.context["form"].errors[field])
    assert CollectingAccount.objects.get(expo=expo).bank_name == "Bank Jateng"


def test_the_service_checks_too(expo, organiser):
    with pytest.raises(ValidationError):
        services.collecting_account_update(
            expo=expo, by=organiser, **ACCOUNT, swift_bic="NOPE", bank_address="x"
        )
    with pytest.raises(ValidationError):
        services.collecting_account_update(
            expo=expo, by=organiser, **ACCOUNT, swift_bic="BNINIDJA", bank_address=" "
        )
    with pytest.raises(ValidationError):
        services.collecting_account_update(expo=expo, by=organiser, **ACCOUNT, transfer_fees="X")
    assert CollectingAccount.objects.get(expo=expo).swift_bic == ""


@pytest.fixture
def swift_account(expo, organiser):
    return services.collecting_account_update(
        expo=expo,
        by=organiser,
        **ACCOUNT,
        swift_bic="BNINIDJA",
        bank_address="Jl. Pemuda 1, Semarang",
        transfer_fees="OUR",
    )


def _order_page(client, order) -> str:
    url = reverse("payments:order", args=[order.code]) + f"?key={order.access_key}"
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def test_a_buyer_abroad_sees_swift_bank_address_and_fees(
    client, swift_account, place, booth_a, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        order = place((booth_a.products.order_by("pk").first(), 1), country="JP", city="Tokyo")
    html = _order_page(client, order)
    assert 'data-testid="transfer-swift"' in html and "BNINIDJA" in html
    assert "Jl. Pemuda 1, Semarang" in html
    assert "OUR: the sender pays all fees" in html
    assert 'data-testid="transfer-abroad-note"' in html
    (mail,) = [m for m in mailoutbox if order.code in m.body]
    assert "SWIFT/BIC: BNINIDJA" in mail.body
    assert "Bank address: Jl. Pemuda 1, Semarang" in mail.body
    assert "Transfer fees: OUR" in mail.body


def test_a_buyer_in_indonesia_is_not_shown_them(
    client, swift_account, place, booth_a, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        order = place((booth_a.products.order_by("pk").first(), 1))
    html = _order_page(client, order)
    assert "BNINIDJA" not in html and 'data-testid="transfer-abroad' not in html
    (mail,) = [m for m in mailoutbox if order.code in m.body]
    assert "SWIFT" not in mail.body


def test_a_buyer_abroad_is_told_when_the_swift_code_is_missing(client, expo, place, booth_a):
    order = place((booth_a.products.order_by("pk").first(), 1), country="SG", city="Singapore")
    html = _order_page(client, order)
    assert 'data-testid="transfer-abroad-missing"' in html

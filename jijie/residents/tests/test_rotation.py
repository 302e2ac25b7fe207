from datetime import date
from io import StringIO

import pytest
from django.core.management import call_command
from stdnum.cn.ric import calc_check_digit

from jijie.accounts.testing import authenticator, enrol
from jijie.audit.actors import SYSTEM
from jijie.core import pii
from jijie.core.models import birth_date_of
from jijie.residents.export_requests import export_request_approve, export_request_create
from jijie.residents.models import Person
from jijie.residents.services import (
    PersonData,
    do_household_register,
    do_person_add,
)


@pytest.fixture(autouse=True)
def _fresh_keys():
    pii.reset_keys()
    yield
    pii.reset_keys()


def test_rotation_re_encrypts_and_the_old_key_can_go(
    tree, actors, settings, django_capture_on_commit_callbacks
):
    totp = enrol(actors.manager)
    household = do_household_register(actor=SYSTEM, building=tree.building, door_number="1")
    body = "44160219900101123"
    number = body + calc_check_digit(body + "0")
    data = PersonData(name="甲", phone="13800138000", document_number=number)
    do_person_add(actor=SYSTEM, household=household, data=data)
    do_person_add(actor=SYSTEM, household=household, data=PersonData(name="乙"))
    export = export_request_create(
        actor=actors.manager, area=tree.community, reason="报送核酸检测名单备查"
    )
    with django_capture_on_commit_callbacks(execute=True):
        export_request_approve(actor=actors.street, export=export)
    old_keys = list(settings.PII_KEYS)
    settings.PII_KEYS = ["9:" + pii.new_key(), *old_keys]
    pii.reset_keys()
    out = StringIO()
    call_command("pii_rotate", stdout=out)
    assert "under key 9: " in out.getvalue()
    for rotated in ("residents.person 1", "residents.exportrequest 1", "accounts.mfadevice 1"):
        assert rotated in out.getvalue()
    again = StringIO()
    call_command("pii_rotate", stdout=again)  # nothing left to do
    assert "residents.person 0" in again.getvalue()
    assert " 1" not in again.getvalue()
    settings.PII_KEYS = settings.PII_KEYS[:1]  # the old key retired
    pii.reset_keys()
    person = Person.objects.get(name="甲")
    assert person.phone_cipher is not None
    assert pii.key_id(person.phone_cipher) == 9
    assert pii.decrypt(person.phone_cipher) == "13800138000"
    assert person.birth_date_cipher is not None
    assert pii.key_id(person.birth_date_cipher) == 9
    assert birth_date_of(person.birth_date_cipher) == date(1990, 1, 1)
    assert authenticator(actors.manager).secret == totp.secret
    export.refresh_from_db()
    assert export.file_cipher is not None
    assert pii.key_id(export.file_cipher) == 9
    assert pii.decrypt_bytes(export.file_cipher)[:2] == b"PK"


def test_rotation_finds_every_encrypted_field_by_its_name():
    """The command knows no app: each model's `*_cipher` binary fields are found, so a
    new app's encrypted fields are rotated too."""
    found = {model._meta.label_lower: fields for model, fields in pii.cipher_fields()}
    assert found["residents.person"] == ["birth_date_cipher", "document_cipher", "phone_cipher"]
    assert found["residents.importjob"] == ["file_cipher"]
    assert found["residents.exportrequest"] == ["file_cipher"]
    assert found["accounts.mfadevice"] == ["secret_cipher"]
    assert found.get("mobilization.member") == [
        "birth_date_cipher",
        "document_cipher",
        "phone_cipher",
    ]

from io import StringIO

import pytest
from django.core.management import call_command

from jijie.accounts.testing import authenticator, enrol
from jijie.core import pii
from jijie.residents.models import Person
from jijie.residents.services import PersonData, household_register, person_add


@pytest.fixture(autouse=True)
def _fresh_keys():
    pii.reset_keys()
    yield
    pii.reset_keys()


def test_rotation_re_encrypts_and_the_old_key_can_go(tree, actors, settings):
    totp = enrol(actors.manager)
    household = household_register(actor=None, building=tree.building, door_number="1")
    person_add(actor=None, household=household, data=PersonData(name="甲", phone="13800138000"))
    person_add(actor=None, household=household, data=PersonData(name="乙"))
    old_keys = list(settings.PII_KEYS)
    settings.PII_KEYS = ["9:" + pii.new_key(), *old_keys]
    pii.reset_keys()
    out = StringIO()
    call_command("pii_rotate", stdout=out)
    assert "re-encrypted 1 people, 0 uploads and 1 authenticator secrets" in out.getvalue()
    call_command("pii_rotate", stdout=out)  # nothing left to do
    assert "re-encrypted 0 people" in out.getvalue()
    settings.PII_KEYS = settings.PII_KEYS[:1]  # the old key retired
    pii.reset_keys()
    person = Person.objects.get(name="甲")
    assert person.phone_cipher is not None
    assert pii.key_id(person.phone_cipher) == 9
    assert pii.decrypt(person.phone_cipher) == "13800138000"
    assert authenticator(actors.manager).secret == totp.secret

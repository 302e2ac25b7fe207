"""Every action the app records reads as a sentence in the audit log."""

import re
from pathlib import Path

from django.urls import reverse

from jijie.audit.actors import SYSTEM
from jijie.audit.models import AuditEvent
from jijie.audit.phrases import PHRASES, sentence
from jijie.audit.services import audit_record

ROOT = Path(__file__).resolve().parents[2]
# Actions whose last part is filled in at run time, and the values it takes.
EXPANDED = {
    'f"admin.{action}"': ["admin.add", "admin.change", "admin.delete"],
    'f"care.errand_{action}"': [f"care.errand_{a}" for a in ("assign", "claim", "confirm", "done")],
    'f"pii.reveal.{field}"': ["pii.reveal.document", "pii.reveal.phone"],
    'f"sign_up.{to}"': [f"sign_up.{s}" for s in ("approved", "declined", "withdrawn")],
}


def _recorded() -> set[str]:
    found: set[str] = set()
    for path in ROOT.rglob("*.py"):
        if {"tests", "migrations"} & set(path.parts):
            continue
        text = path.read_text(encoding="utf-8")
        for match in re.finditer(r'action=("[a-z_.]+"|f"[^"]+")', text):
            literal = match.group(1)
            if literal.startswith("f"):
                assert literal in EXPANDED, f"{path}: {literal} needs its values listed here"
                found.update(EXPANDED[literal])
            else:
                found.add(literal.strip('"'))
    return found


def test_every_recorded_action_has_a_phrase():
    recorded = _recorded()
    assert "pii.reveal.document" in recorded
    assert sorted(recorded - set(PHRASES)) == []


def test_a_reveal_reads_as_who_saw_which_record_and_why():
    event = AuditEvent(
        actor_label="王小明",
        action="pii.reveal.document",
        target_type="residents.person",
        target_id="12",
        reason="核实身份",
    )
    assert sentence(event) == "王小明 查看了 人员 #12 的完整证件号码,理由:核实身份"


def test_an_unknown_action_shows_its_code_and_nobody_is_named_so():
    event = AuditEvent(actor_label="", action="something.new", target_type="", target_id="")
    assert sentence(event) == "匿名访问者 something.new"


def test_the_audit_log_reads_in_sentences(client, actors, tree):
    audit_record(actor=SYSTEM, action="area.update", target=tree.grid, area=tree.grid)
    client.force_login(actors.auditor)
    html = client.get(reverse("accounts:audit")).content.decode()
    assert "system 修改了 区域 #" in html

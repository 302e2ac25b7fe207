"""Shelf labels: a batch's QR label printed, read back from a scan, and the store's
scan page leading to issuing or receiving that batch filled in."""

import io

from django.urls import reverse
from pypdf import PdfReader

from conftest import make_user
from jijie.supplies import labels
from jijie.supplies.models import Batch
from jijie.supplies.tests.fixtures import receive


def test_a_label_reads_back_as_its_batch(supplies):
    receive(supplies, supplies.community, supplies.masks, 10, lot="A-1")
    batch = Batch.objects.get()
    assert labels.code(batch) == f"JJS:B{batch.pk}"
    assert labels.batch_of(f"  {labels.code(batch)}\n") == batch
    for other in ("", "JJS:B", "JJS:B99999", f"JJS:B{batch.pk}x", "https://example.com", "JJS:Bَ1"):
        assert labels.batch_of(other) is None, other


def test_the_labels_sheet_has_one_label_a_batch_over_pages(supplies):
    for n in range(25):
        receive(supplies, supplies.community, supplies.masks, 1, lot=f"L{n:02d}")
    batches = list(Batch.objects.order_by("lot"))
    pdf = PdfReader(io.BytesIO(labels.labels_pdf(supplies.community, batches)))
    assert len(pdf.pages) == 2  # 24 a sheet
    text = "".join(page.extract_text() for page in pdf.pages)
    assert text.count("医用口罩") == 25
    assert "批号 L24" in text


def test_the_scan_page_shows_the_batch_and_leads_to_issue_or_receive(client, supplies, actors):
    receive(supplies, supplies.community, supplies.masks, 40, lot="A-1")
    batch = Batch.objects.get()
    url = reverse("supplies:scan", args=[supplies.community.pk])
    client.force_login(actors.lower)
    page = client.get(url, {"code": labels.code(batch)}).content.decode()
    assert 'data-testid="scanned"' in page
    assert "本仓库现有 40 只" in page
    assert f"?item={supplies.masks.pk}" in page
    assert "lot=A-1" in page
    unknown = client.get(url, {"code": "not ours"}).content.decode()
    assert 'data-testid="unknown"' in unknown
    # the receive form arrives filled in from the label
    form = client.get(
        reverse("supplies:receive", args=[supplies.community.pk]),
        {"item": supplies.masks.pk, "lot": "A-1"},
    ).context["form"]
    assert (form.initial["item"], form.initial["lot"]) == (str(supplies.masks.pk), "A-1")
    assert (
        client.get(reverse("supplies:labels", args=[supplies.community.pk]))["Content-Type"]
        == "application/pdf"
    )


def test_three_actors_on_the_scan_and_labels_pages(client, supplies, actors):
    receive(supplies, supplies.community, supplies.masks, 5)
    scan = reverse("supplies:scan", args=[supplies.community.pk])
    sheet = reverse("supplies:labels", args=[supplies.community.pk])
    client.force_login(actors.outsider)
    assert client.get(scan).status_code == 404
    assert client.get(sheet).status_code == 404
    client.force_login(make_user("inspector", "inspector", supplies.street.area))
    assert client.get(scan).status_code == 403  # reads the stock, keeps nothing
    assert client.get(sheet).status_code == 200
    client.force_login(actors.manager)
    assert client.get(scan).status_code == 200
    empty = reverse("supplies:labels", args=[supplies.sibling.pk])
    client.force_login(actors.outsider)
    assert client.get(empty).status_code == 404  # holds nothing: no sheet to print

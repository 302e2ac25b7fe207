"""An area's name drawn in another order (U+202E), or holding NUL, is refused on the
pages and through the API alike; invisible characters are removed."""

from jijie.areas.forms import AreaEditForm

RLO = "\u202e"


def test_the_edit_form_refuses_a_bidi_override_and_cleans_the_rest(tree) -> None:
    form = AreaEditForm(data={"name": f"第01网格{RLO}"}, area=tree.community)
    assert not form.is_valid()
    assert "U+202E" in form.errors["name"][0]
    form = AreaEditForm(data={"name": " 新港路\u200b  社区 "}, area=tree.community)
    assert form.is_valid(), form.errors
    assert form.cleaned_data["name"] == "新港路 社区"

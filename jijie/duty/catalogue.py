"""The catalogue of post types every installation starts with (the posts of the
吹哨报到 of 2020) and who may hold each. Installed by a migration; `install` is
idempotent, so the demo and tests may call it again."""

from __future__ import annotations

from typing import Any

# code, name, required skills, allowed member kinds (empty: anyone)
CATALOGUE: list[tuple[str, str, list[str], list[str]]] = [
    ("checkpoint", "卡口值守", [], []),
    ("isolation", "隔离监管", [], []),
    ("publicity", "政策宣传", [], []),
    ("persuasion", "劝导", [], []),
    ("test_site", "核酸检测点秩序", [], []),
    ("transport", "样本转运", ["driving"], []),
    ("registration", "信息登记", [], []),
    ("errand", "代办跑腿", [], []),
    ("vanguard", "党员先锋岗", [], ["party_member", "probationary"]),
    ("medical_support", "医疗协助", ["medical"], []),
]


def _codes(values: list[str]) -> str:
    """Stored like `Member.skills`: ",a,b," ("" for none)."""
    return f",{','.join(sorted(values))}," if values else ""


def install(post_type_model: Any = None) -> None:
    """Create or update the catalogue's post types (`post_type_model` is the
    migration's historical model; the current one by default)."""
    if post_type_model is None:
        from jijie.duty.models import PostType

        post_type_model = PostType
    for code, name, skills, kinds in CATALOGUE:
        post_type_model.objects.update_or_create(
            code=code,
            defaults={
                "name": name,
                "required_skills": _codes(skills),
                "allowed_kinds": _codes(kinds),
            },
        )

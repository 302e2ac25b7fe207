from typing import Any, cast

from django.conf import settings
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from jijie.accounts.models import TokenScope
from jijie.areas.access import Action
from jijie.areas.forms import ANY_KIND, AreaPicker
from jijie.areas.roles import Role
from jijie.core import forms


class TokenForm(forms.Form):
    """A new token: its name, what it may call, how long it lives."""

    name = forms.CharField(label=_("令牌名称"), max_length=100, help_text=_("例如:卡口手机 3 号"))
    scopes = forms.MultipleChoiceField(
        label=_("可以调用"),
        choices=TokenScope.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("只选这部手机或这个系统要用的部分。"),
    )
    days = forms.TypedChoiceField(label=_("有效期"), coerce=int)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        longest = settings.API_TOKEN_MAX_DAYS
        lives = sorted({d for d in (1, 7, settings.API_TOKEN_DAYS, 30, longest) if d <= longest})
        field = cast(forms.TypedChoiceField, self.fields["days"])
        field.choices = [
            (d, ngettext("%(days)s 天", "%(days)s 天", d) % {"days": d}) for d in lives
        ]
        field.initial = settings.API_TOKEN_DAYS


class AuditFilterForm(forms.Form):
    action = forms.CharField(label=_("操作"), required=False, max_length=64)
    actor = forms.CharField(label=_("操作人"), required=False, max_length=150)


class AccountForm(forms.Form):
    """Open an account with its first role."""

    username = forms.CharField(label=_("用户名"), max_length=150)
    full_name = forms.CharField(label=_("姓名"), max_length=50)
    password = forms.CharField(
        label=_("初始密码"),
        widget=forms.PasswordInput(render_value=False),
        help_text=_("至少 10 位,不能是常见密码或纯数字。请当面告知本人。"),
    )
    role = forms.ChoiceField(label=_("角色"))
    area_code = forms.CharField(
        label=_("区域"),
        max_length=40,
        widget=AreaPicker(kind=ANY_KIND, action=Action.ROLE_GRANT, pick_label=_("选择区域")),
        help_text=_("选择角色所在的区域,或粘贴区域代码。"),
    )

    def __init__(self, *args: Any, roles: set[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["role"]).choices = [
            (value, label) for value, label in Role.choices if value in roles
        ]


class MfaCodeForm(forms.Form):
    code = forms.CharField(
        label=_("动态码"),
        max_length=20,
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "autocomplete": "one-time-code", "autofocus": True}
        ),
        help_text=_("验证器 App 上当前显示的 6 位数字。"),
    )
    next = forms.CharField(required=False, widget=forms.HiddenInput)


class MfaVerifyForm(MfaCodeForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["code"].help_text = _(
            "验证器 App 上当前显示的 6 位数字;手机不在身边时,可以输入一个恢复码。"
        )
        self.fields["code"].widget.attrs["inputmode"] = "text"


class MfaResetForm(forms.Form):
    reason = forms.CharField(
        label=_("重置原因"),
        max_length=200,
        help_text=_("例如:本人手机丢失,已当面核实身份。"),
    )

"""The evening bulletin (每日通报): a unit's day as the paragraph offices paste into their
groups — "截至12月3日18时,源城区累计排查住户…户,今日新增…户;…" — made from the
kept figures only. A clause whose figures are all nought is left out, except the
screening's, which every bulletin opens with."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.utils.translation import gettext as _

from jijie.areas.models import Area
from jijie.reports import indicators

ZERO = Decimal(0)


def number(value: Decimal | None) -> str:
    """A figure as offices write it: whole numbers bare, money and hours to two places
    at most, no thousands separators."""
    if value is None:
        return "—"
    if value == value.to_integral_value():
        return str(value.quantize(Decimal(1)))
    return str(value.normalize())


def paragraph(area: Area, day: date, figures: dict[str, Decimal]) -> str:
    def n(key: str) -> str:
        return number(indicators.value(figures, key))

    def any_of(*keys: str) -> bool:
        return any(figures.get(k, ZERO) for k in keys)

    def pct(key: str) -> str:
        r = indicators.RATE_BY_KEY[key]
        value = indicators.rate(figures.get(r.numerator), figures.get(r.denominator))
        return "—" if value is None else f"{value}%"

    until = indicators.window(day).until
    clauses = [
        _(
            "截至%(when)s,%(area)s累计排查住户%(screened)s户,今日新增%(today)s户,"
            "排查覆盖率%(coverage)s;今日入户排查%(door)s次,电话排查、回访%(phone)s次,"
            "排查%(people)s人次,测量体温%(temperatures)s人次,发现体温异常%(fevers)s人次,"
            "待回访%(revisits)s户"
        )
        % {
            "when": _("%(month)s月%(day)s日%(hour)s时")
            % {"month": until.month, "day": until.day, "hour": until.hour},
            "area": area.name,
            "screened": n("households_screened"),
            "today": n("households_screened_today"),
            "coverage": pct("coverage"),
            "door": n("door_visits_today"),
            "phone": n("phone_visits_today"),
            "people": n("people_screened_today"),
            "temperatures": n("temperatures_today"),
            "fevers": n("fevers_today"),
            "revisits": n("revisits_pending"),
        }
    ]
    if any_of("cases_open", "cases_started_today", "cases_ended_today", "followups_today"):
        clauses.append(
            _(
                "居家隔离观察%(open)s人,今日新增%(started)s人、解除%(ended)s人,"
                "随访%(followups)s次,漏访%(missed)s次,随访发现发热%(fevers)s人次"
            )
            % {
                "open": n("cases_open"),
                "started": n("cases_started_today"),
                "ended": n("cases_ended_today"),
                "followups": n("followups_today"),
                "missed": n("followups_missed_today"),
                "fevers": n("fever_alerts_today"),
            }
        )
    if any_of("errands_open", "errands_done_today"):
        clauses.append(
            _("今日办结代办%(done)s件,待办%(open)s件(其中超时%(overdue)s件)")
            % {
                "done": n("errands_done_today"),
                "open": n("errands_open"),
                "overdue": n("errands_overdue"),
            }
        )
    if any_of("members_deployed", "on_shift_today", "minutes_served_today", "posts_open_today"):
        clauses.append(
            _(
                "下沉党员干部%(deployed)s人,今日在岗%(on_shift)s人次,服务%(hours)s小时,"
                "缺员班次%(open)s个"
            )
            % {
                "deployed": n("members_deployed"),
                "on_shift": n("on_shift_today"),
                "hours": n("hours_served_today"),
                "open": n("posts_open_today"),
            }
        )
    if any_of("passages_today", "refusals_today"):
        clauses.append(
            _("卡口放行%(passed)s人次,劝返%(refused)s人次")
            % {"passed": n("passages_today"), "refused": n("refusals_today")}
        )
    if any_of("donations_today", "donations_total", "spending_today"):
        clauses.append(
            _("今日接收捐款%(today)s元,累计%(total)s元,今日支出%(spent)s元")
            % {
                "today": n("donations_today"),
                "total": n("donations_total"),
                "spent": n("spending_today"),
            }
        )
    held = [
        _("%(item)s%(n)s%(unit)s") % {"item": i.item, "n": n(i.key), "unit": i.unit}
        for i in indicators.STOCKED
        if figures.get(i.key, ZERO)
    ]
    if held:
        clauses.append(_("重点物资库存%(held)s") % {"held": _("、").join(held)})
    if any_of("stock_below"):
        clauses.append(_("物资低于下限%(n)s处") % {"n": n("stock_below")})
    if any_of("problems_raised"):
        clauses.append(
            _(
                "未办结问题%(open)s件,其中超期%(overdue)s件,今日解决%(resolved)s件,"
                "响应率%(response)s、解决率%(resolution)s、满意率%(satisfaction)s"
            )
            % {
                "open": n("problems_open"),
                "overdue": n("problems_overdue"),
                "resolved": n("problems_resolved_today"),
                "response": pct("response_rate"),
                "resolution": pct("resolution_rate"),
                "satisfaction": pct("satisfaction_rate"),
            }
        )
    if any_of("orders_open"):
        clauses.append(_("督查发现待整改问题%(n)s个") % {"n": n("orders_open")})
    return _(";").join(clauses) + _("。")

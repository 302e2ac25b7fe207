"""The audit log in sentences: "王小明 查看了 人员 #12 的完整证件号码,理由:核实身份".

Each action the app records has a phrase here, with `%(target)s` where the record it
acted on goes. A record is named by its kind and number only: a row of the audit
chain, and so its sentence, never holds a personal value. An action without a phrase
(a new one) is shown by its code, and `jijie/audit/tests/test_phrases.py` lists every
action the code records, so that a new one without a phrase fails there.
"""

from __future__ import annotations

from django.apps import apps
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from jijie.audit.models import AuditEvent

PHRASES = {
    "admin.add": _("在管理后台新增了 %(target)s"),
    "admin.change": _("在管理后台修改了 %(target)s"),
    "admin.delete": _("在管理后台删除了 %(target)s"),
    "area.create": _("新建了 %(target)s"),
    "area.update": _("修改了 %(target)s"),
    "compound.create": _("新建了 %(target)s"),
    "call_up.issue": _("发布了 %(target)s"),
    "call_up.close": _("截止了 %(target)s"),
    "call_up.screen": _("按条件筛选了 %(target)s 的报名"),
    "care.alert_resolve": _("处理了 %(target)s"),
    "care.case_open": _("登记了 %(target)s"),
    "care.case_extend": _("延长了 %(target)s"),
    "care.case_end": _("解除了 %(target)s"),
    "care.case_supervisor": _("更换了 %(target)s 的监管人"),
    "care.errand_create": _("登记了 %(target)s"),
    "care.errand_assign": _("指派了 %(target)s"),
    "care.errand_accept": _("接受了 %(target)s"),
    "care.errand_claim": _("认领了 %(target)s"),
    "care.errand_release": _("退回了 %(target)s"),
    "care.errand_done": _("完成了 %(target)s"),
    "care.errand_confirm": _("确认了 %(target)s"),
    "care.errand_cancel": _("取消了 %(target)s"),
    "care.escalate": _("上报了 %(target)s"),
    "care.follow_up": _("记录了 %(target)s 的随访"),
    "care.plan_create": _("建立了 %(target)s"),
    "care.plan_close": _("结束了 %(target)s"),
    "care.visit": _("记录了 %(target)s 的走访"),
    "deployment.create": _("下沉了 %(target)s"),
    "duty.assign": _("安排了 %(target)s"),
    "duty.attend": _("为 %(target)s 签到"),
    "duty.cancel": _("取消了 %(target)s"),
    "duty.claim": _("认领了 %(target)s"),
    "duty.demand_create": _("发布了 %(target)s"),
    "duty.leader": _("指定了 %(target)s 的带班人"),
    "duty.rules": _("设置了 %(target)s 的值守规则"),
    "funds.allocate": _("登记了 %(target)s(下拨)"),
    "funds.close": _("结账:%(target)s"),
    "funds.donation": _("登记了捐赠 %(target)s"),
    "funds.donation_cancel": _("作废了捐赠收据 %(target)s"),
    "funds.expend": _("登记了 %(target)s(支出)"),
    "funds.fund_create": _("设立了资金 %(target)s"),
    "funds.holder_create": _("新建了资金使用单位 %(target)s"),
    "funds.income": _("登记了 %(target)s(收到拨款)"),
    "funds.refund": _("登记了 %(target)s(退回)"),
    "funds.statement_export": _("导出了 %(target)s 的资金台账"),
    "gate.create": _("新建了 %(target)s"),
    "gate.rule": _("设置了 %(target)s 的通行规则"),
    "household.register": _("登记了 %(target)s"),
    "household.update": _("修改了 %(target)s"),
    "inspections.checklist_set": _("修改了检查表"),
    "inspections.order_fix": _("报告了 %(target)s 的整改情况"),
    "inspections.order_recheck": _("复查了 %(target)s"),
    "inspections.plan_create": _("制定了 %(target)s"),
    "inspections.team_create": _("设立了 %(target)s"),
    "inspections.visit_record": _("记录了 %(target)s 的检查"),
    "key_group.add": _("把 %(target)s 列入重点人群"),
    "key_group.create": _("新建了 %(target)s"),
    "key_group.end": _("把 %(target)s 移出重点人群"),
    "member.claim": _("申请认领队员身份 %(target)s"),
    "member.claim_approve": _("批准了 %(target)s"),
    "member.claim_decline": _("拒绝了 %(target)s"),
    "member.register": _("登记了 %(target)s"),
    "member.update": _("修改了 %(target)s"),
    "mfa.disable": _("停用了两步验证"),
    "mfa.enrol": _("启用了两步验证"),
    "mfa.recovery.renew": _("更新了两步验证恢复码"),
    "mfa.reset": _("重置了 %(target)s 的两步验证"),
    "mfa.verify": _("通过了两步验证"),
    "mfa.verify.failed": _("两步验证失败"),
    "organisation.admin_grant": _("授予了 %(target)s 的组织管理权"),
    "organisation.create": _("新建了 %(target)s"),
    "organisation.leader": _("设置了 %(target)s 的负责人"),
    "pairing.create": _("建立了 %(target)s"),
    "pass.issue": _("发放了 %(target)s"),
    "pass.reissue": _("换发了 %(target)s"),
    "pass.revoke": _("作废了 %(target)s"),
    "password.change": _("修改了自己的密码"),
    "password.reset": _("重设了 %(target)s 的密码"),
    "person.add": _("登记了 %(target)s"),
    "person.move": _("迁移了 %(target)s"),
    "person.update": _("修改了 %(target)s"),
    "pii.reveal.document": _("查看了 %(target)s 的完整证件号码"),
    "pii.reveal.phone": _("查看了 %(target)s 的完整电话号码"),
    "problems.answer": _("答复了 %(target)s"),
    "problems.claim": _("认领了 %(target)s"),
    "problems.confirm": _("确认解决了 %(target)s"),
    "problems.escalate": _("超时升级了 %(target)s"),
    "problems.raise": _("反映了 %(target)s"),
    "problems.release": _("退回了 %(target)s"),
    "problems.reopen": _("退回重办了 %(target)s"),
    "proposal.make": _("生成了 %(target)s"),
    "proposal.accept": _("采纳了 %(target)s"),
    "recognition.approve": _("审核了 %(target)s"),
    "recognition.certificate": _("出具了服务证明 %(target)s"),
    "recognition.nominate": _("推荐了入党积极分子人选 %(target)s"),
    "registry.export": _("导出了 %(target)s"),
    "registry.export.request": _("申请导出完整台账 %(target)s"),
    "registry.export.approve": _("批准了 %(target)s"),
    "registry.export.decline": _("拒绝了 %(target)s"),
    "registry.export.download": _("下载了 %(target)s"),
    "registry.export.expire": _("删除了 %(target)s"),
    "registry.import": _("导入了 %(target)s"),
    "registry.import.purge": _("删除了 %(target)s"),
    "reports.boundaries": _("导入了地图的区域边界"),
    "reports.correct": _("更正了 %(target)s"),
    "reports.export": _("导出了 %(target)s 的日报"),
    "reports.submit": _("上报了 %(target)s"),
    "response.activate": _("启动了 %(target)s"),
    "response.close": _("结束了 %(target)s"),
    "role.assign": _("分配了 %(target)s"),
    "role.revoke": _("收回了 %(target)s"),
    "screening.campaign.create": _("发起了 %(target)s"),
    "screening.campaign.update": _("修改了 %(target)s"),
    "screening.health_purge": _("按期删除了 %(target)s 的健康信息"),
    "screening.ledger.export": _("导出了 %(target)s"),
    "session.expired": _("登录已过期"),
    "session.login": _("登录"),
    "session.login.failed": _("登录失败"),
    "session.logout": _("退出登录"),
    "sign_up.submit": _("提交了 %(target)s"),
    "sign_up.approved": _("通过了 %(target)s"),
    "sign_up.declined": _("未通过报名 %(target)s"),
    "sign_up.withdrawn": _("撤回了 %(target)s"),
    "sign_up.deployed": _("下沉了 %(target)s"),
    "sign_up.ended": _("结束了 %(target)s"),
    "supplies.adjust": _("登记了 %(target)s(库存调整)"),
    "supplies.count": _("过账了 %(target)s"),
    "supplies.issue": _("登记了 %(target)s(发放)"),
    "supplies.item_create": _("新增了 %(target)s"),
    "supplies.ledger_export": _("导出了 %(target)s 的物资台账"),
    "supplies.receive": _("登记了 %(target)s(入库)"),
    "supplies.request_cancel": _("撤回了 %(target)s"),
    "supplies.request_decide": _("审批了 %(target)s"),
    "supplies.request_fulfil": _("调拨了 %(target)s"),
    "supplies.request_submit": _("提交了 %(target)s"),
    "supplies.store_create": _("新建了 %(target)s"),
    "supplies.threshold_set": _("设置了 %(target)s 的库存下限"),
    "supplies.transfer_receive": _("签收了 %(target)s"),
    "supplies.transfer_send": _("发出了 %(target)s"),
    "supplies.write_off": _("登记了 %(target)s(过期报废)"),
    "team.create": _("组建了 %(target)s"),
    "testing.batch_receive": _("登记了送检批次 %(target)s 的接收"),
    "testing.batch_send": _("送出了送检批次 %(target)s"),
    "testing.exemption_set": _("登记了免检(%(target)s)"),
    "testing.result_record": _("登记了采样管 %(target)s 的结果"),
    "testing.results_import": _("导入了 %(target)s 的检测结果"),
    "testing.round_open": _("开启了检测轮次 %(target)s"),
    "testing.sample_register": _("在采样管 %(target)s 登记了采样"),
    "testing.site_add": _("设立了采样点 %(target)s"),
    "testing.tube_seal": _("封管 %(target)s"),
    "token.create": _("创建了 %(target)s"),
    "token.end": _("停用了 %(target)s 的全部接口令牌"),
    "token.revoke": _("作废了 %(target)s"),
    "user.create": _("新建了 %(target)s"),
}


def target_name(event: AuditEvent) -> str:
    """The record an event acted on, by its kind and number: 人员 #12."""
    if not event.target_type:
        return ""
    try:
        kind = str(apps.get_model(event.target_type)._meta.verbose_name)
    except (LookupError, ValueError):
        kind = event.target_type
    return f"{kind} #{event.target_id}" if event.target_id else kind


def sentence(event: AuditEvent) -> str:
    """The event as a sentence: who did what to which record, and why."""
    who = event.actor_label or gettext("匿名访问者")
    phrase = PHRASES.get(event.action)
    target = target_name(event)
    if phrase is None:
        what = f"{event.action} {target}".strip()
    else:
        what = str(phrase) % {"target": target} if "%(target)s" in str(phrase) else str(phrase)
    text = f"{who} {what}"
    if event.reason:
        text += gettext(",理由:%(reason)s") % {"reason": event.reason}
    return text

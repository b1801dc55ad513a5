"""Audit actions in words: "accounts.user.login" reads 用户 · 登录 on the operator's page.

Actions are stored as codes (``app.object.verb``) so that they can be filtered and kept stable;
these tables only decide how they are shown. An unknown code is shown as it is.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

OBJECTS = {
    "accounts.user": _("用户"),
    "accounts.api_token": _("API 令牌"),
    "orgs.organization": _("机构"),
    "orgs.join_request": _("加入申请"),
    "orgs.enterprise_profile": _("企业画像"),
    "needs.need": _("技术需求"),
    "needs.refinement": _("需求凝练"),
    "achievements.achievement": _("科技成果"),
    "experts.expert": _("专家档案"),
    "experts.contact": _("联系申请"),
    "catalog.access": _("保密详情授权"),
    "imports.job": _("Excel 导入"),
    "matching.matchfeedback": _("匹配反馈"),
    "matching.rematch": _("重新匹配"),
    "notifications.notification": _("通知"),
    "notifications.savedsearch": _("订阅"),
    "analytics.export": _("统计数据导出"),
    "analytics.target": _("年度目标"),
    "analytics.report": _("统计报告"),
    "engagements.engagement": _("对接项目"),
    "engagements.activity": _("对接活动"),
    "engagements.answer": _("推荐应答"),
    "engagements.assignment": _("经纪人案源"),
    "core.field_keys": _("字段加密密钥"),
    "accounts.session": _("登录会话"),
    "accounts.two_factor": _("双因素认证"),
    "admin.user": _("后台用户"),
    "audit.log": _("审计日志"),
    "orgs.membership": _("机构成员"),
    "documents.document": _("附件"),
    "imports.export": _("数据导出"),
    "matching.index": _("匹配索引"),
    "challenges.batch": _("揭榜批次"),
    "challenges.challenge": _("揭榜榜单"),
    "challenges.application": _("揭榜申报"),
    "challenges.panel": _("评审专家组"),
    "challenges.question": _("榜单问答"),
    "contracts.contract": _("技术合同"),
    "contracts.contract_type": _("合同类型"),
    "contracts.payment": _("合同收付款"),
    "events.event": _("活动"),
    "events.registration": _("活动报名"),
    "events.meeting": _("洽谈"),
    "events.project": _("路演项目"),
    "facilities.facility": _("概念验证与中试平台"),
    "facilities.project": _("验证与中试项目"),
    "facilities.booking": _("服务预约"),
    "facilities.service": _("平台服务"),
    "core.personal_data": _("个人信息保存期限"),
    "challenges.milestone": _("揭榜里程碑"),
    "challenges.payment": _("揭榜经费拨付"),
    "challenges.invitation": _("组阁邀请"),
    "facilities.recognition": _("平台认定与评价"),
    "facilities.recognition_objection": _("认定公示异议"),
    "finance.consent": _("数据授权"),
    "finance.loan": _("放款与担保"),
    "finance.loan_application": _("融资申请"),
    "finance.application": _("融资申请"),
    "finance.points": _("创新积分"),
    "finance.declaration": _("积分申报"),
    "finance.product": _("金融产品"),
    "finance.indicator": _("积分指标"),
    "investors.fund": _("投资基金"),
    "investors.interest": _("投资意向"),
    "investors.seeking": _("融资需求"),
    "investors.investment": _("投资记录"),
    "policies.policy": _("政策"),
    "policies.application": _("直达快享申请"),
    "vouchers.batch": _("创新券批次"),
    "vouchers.voucher": _("创新券"),
    "vouchers.use": _("创新券使用"),
    # Whole codes whose verb reads differently for this object than the shared table says.
    "vouchers.use.claim": _("创新券使用 · 服务机构申请兑付"),
    "vouchers.voucher.revoke": _("创新券 · 作废"),
    "challenges.milestone.accept": _("揭榜里程碑 · 验收通过"),
    "finance.consent.grant": _("数据授权 · 授权"),
    "finance.loan.grant": _("放款与担保 · 登记放款"),
}
VERBS = {
    "quote": _("报价"),
    "requote": _("修改报价"),
    "refuse": _("不接受报价"),
    "schedule": _("排期"),
    "deliver": _("交付"),
    "evaluate": _("评价"),
    "cancel": _("取消"),
    "export": _("导出"),
    "create": _("创建"),
    "update": _("修改"),
    "delete": _("删除"),
    "add": _("新增"),
    "change": _("修改"),
    "login": _("登录"),
    "lock": _("锁定账户"),
    "register": _("注册"),
    "verify_email": _("验证邮箱"),
    "password_reset": _("重置密码"),
    "revoke": _("吊销"),
    "submit": _("提交审核"),
    "publish": _("审核通过并发布"),
    "request_changes": _("退回整改"),
    "reject": _("驳回"),
    "approve": _("通过"),
    "resubmit": _("重新提交"),
    "uscc_override": _("登记信用代码校验例外"),
    "start": _("进入对接"),
    "solve": _("标记已解决"),
    "close": _("关闭"),
    "renew": _("续期"),
    "expire": _("到期下架"),
    "view_confidential": _("查看保密详情"),
    "request": _("申请"),
    "grant": _("同意"),
    "decline": _("拒绝"),
    "accept": _("采纳"),
    "recommend": _("推荐给企业"),
    "propose": _("提出"),
    "ip_set": _("更新知识产权"),
    "set_relations": _("更新关联关系"),
    "upload": _("上传"),
    "commit": _("确认导入"),
    "read": _("标为已读"),
    "read_all": _("全部标为已读"),
    "notify": _("发送提醒"),
    "generate": _("生成"),
    "download": _("下载"),
    "resume": _("恢复发布"),
    "to_verification": _("进入概念验证"),
    "to_pilot": _("进入中试熟化"),
    "to_transaction": _("进入交易融资"),
    "to_industrialisation": _("进入产业化"),
    "deal": _("成交"),
    "terminate": pgettext_lazy("state", "终止"),
    "tick": _("完成检查项"),
    "untick": _("撤销检查项"),
    "assign": _("分派"),
    "claim": _("认领"),
    "set_assistants": _("调整协办经纪人"),
    "add_provider": _("加入服务机构"),
    "withdraw": _("撤回"),
    "rotate": _("轮换"),
    "retention": _("到期清理"),
    "enable": _("启用"),
    "fail": _("验证失败"),
    "verify": _("验证通过"),
    "export_data": _("导出个人数据"),
    "password_change": _("修改密码"),
    "set_password": _("设置密码"),
    "purge": _("清理"),
    "open_engagement": _("开启对接项目"),
    "add_member": _("添加成员"),
    "remove_member": _("移除成员"),
    "score": _("评分"),
    "start_scoring": _("开始评分"),
    "start_review": _("开始评审"),
    "propose_award": _("提出中榜建议"),
    "award": _("确定中榜"),
    "complete": _("完成"),
    "record": _("登记"),
    "answer": _("答复"),
    "ask": _("提问"),
    "set_achievements": _("关联成果"),
    "load": _("载入"),
    "invite": _("邀请"),
    "propose_pair": _("推荐配对"),
    "timetables": _("发送洽谈日程"),
    "outcome": _("记录洽谈结果"),
    "interest": _("表达意向"),
    "points_export": _("下载积分明细"),
    "recompute": _("重新计算"),
    "status": _("调整状态"),
    "rebuild": _("重建"),
    "change_role": _("调整角色"),
    "remove": _("移除"),
    "spend": _("使用"),
    "issue": _("发放"),
    "settle": _("结算"),
    "pay": _("拨付"),
    "engage": _("发起对接"),
    "conclude": _("办结"),
    "object": _("提出异议"),
    "uphold": _("异议成立"),
    "dismiss": _("异议不成立"),
    "rereview": _("重新评审"),
    "decide": _("决定"),
    "apply": _("申请"),
}


def action_label(action: str, model: Any = None) -> str:
    """对象 · 动作 for a stored code; the target's model names the object of codes not in the table (new
    domains read in words before anyone adds them here); the code itself when nothing is known."""
    if action in OBJECTS:  # two-part codes such as matching.rematch
        return str(OBJECTS[action])
    head, _sep, verb = action.rpartition(".")
    if head.startswith("admin."):
        obj = _("运营后台")
        name = head.split(".", 1)[1]
        known = next((str(v) for k, v in OBJECTS.items() if k.endswith("." + name)), name)
        return f"{obj} · {known} · {VERBS.get(verb, verb)}"
    if head in OBJECTS:
        return f"{OBJECTS[head]} · {VERBS.get(verb, verb)}"
    if model is not None and head:
        return f"{model._meta.verbose_name} · {VERBS.get(verb, verb)}"
    return action


def field_words(model: Any, key: str, before: object, after: object) -> tuple[str, object, object]:
    """(label, before, after) of one changed key: the model field's verbose name and choice labels."""
    if model is None:
        return key, before, after
    try:
        field = model._meta.get_field(key)
    except FieldDoesNotExist:
        return key, before, after
    label = str(getattr(field, "verbose_name", key) or key)
    choices = dict(getattr(field, "flatchoices", None) or ())
    if choices:

        def word(value: object) -> object:
            return choices.get(value, value) if isinstance(value, str | int) else value

        return label, word(before), word(after)
    return label, before, after


def action_choices(codes: list[str]) -> list[tuple[str, str]]:
    """(prefix or code, label) choices for the filter: each object as a whole, then each known action."""
    from django.apps import apps

    out: list[tuple[str, str]] = []
    for app in sorted({c.split(".", 1)[0] for c in codes if "." in c}):
        config = next((a for a in apps.get_app_configs() if a.label == app), None)
        name = str(config.verbose_name) if config else (_("运营后台") if app == "admin" else app)
        out.append((f"{app}.", _("%(name)s（全部）") % {"name": name}))
    objects = sorted({c.rpartition(".")[0] for c in codes if c.rpartition(".")[0] in OBJECTS})
    out += [(f"{o}.", _("%(name)s（全部）") % {"name": OBJECTS[o]}) for o in objects]
    out += sorted(((c, action_label(c)) for c in codes), key=lambda kv: kv[1])
    return out


def object_choices(models: list[tuple[str, str]]) -> list[tuple[str, str]]:
    return sorted(models, key=lambda kv: kv[1])

"""Forms of the events pages; the event form shares its limits with the service (fields.EVENT_FIELDS)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from techmarket.core.forms import with_all
from techmarket.orgs.models import Organization

from .fields import EVENT_FIELDS
from .models import Event, MeetingRequest, Registration

DT = {"type": "datetime-local", "class": "form-control"}


class EventFilterForm(forms.Form):
    q = forms.CharField(label=_("关键词"), required=False, max_length=100)
    kind = forms.ChoiceField(label=_("活动类型"), required=False, choices=with_all(Event.Kind.choices))
    when = forms.ChoiceField(
        label=_("时间"),
        required=False,
        choices=[("", _("全部")), ("upcoming", _("即将举行")), ("past", _("往期活动"))],
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.widget.attrs.setdefault(
                "class", "form-select" if isinstance(field, forms.ChoiceField) else "form-control"
            )

    def selector_filters(self) -> dict[str, Any]:
        if not self.is_valid():
            return {}
        d = self.cleaned_data
        return {"q": d.get("q") or "", "kind": d.get("kind") or "", "when": d.get("when") or ""}


class EventForm(forms.ModelForm):
    class Meta:
        model = Event
        fields = [
            "title", "kind", "summary", "fields", "audience", "agenda", "starts_at", "ends_at", "venue",
            "online_url", "capacity", "registration_deadline", "requires_approval", "meetings_start",
            "meeting_minutes", "meeting_slots", "meeting_tables",
        ]  # fmt: skip
        widgets = {
            "starts_at": forms.DateTimeInput(attrs=DT, format="%Y-%m-%dT%H:%M"),
            "ends_at": forms.DateTimeInput(attrs=DT, format="%Y-%m-%dT%H:%M"),
            "registration_deadline": forms.DateTimeInput(attrs=DT, format="%Y-%m-%dT%H:%M"),
            "meetings_start": forms.DateTimeInput(attrs=DT, format="%Y-%m-%dT%H:%M"),
            "summary": forms.Textarea(attrs={"rows": 4}),
            "agenda": forms.Textarea(attrs={"rows": 4}),
        }

    online_url = forms.URLField(label=_("线上链接"), required=False, assume_scheme="https")
    organiser: forms.ModelChoiceField[Organization] = forms.ModelChoiceField(
        label=_("主办机构"), queryset=Organization.objects.none(), empty_label=None
    )

    def __init__(self, *args: Any, organisations: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        organiser = self.fields.get("organiser")
        if isinstance(organiser, forms.ModelChoiceField):
            organiser.queryset = Organization.objects.filter(pk__in=[o.pk for o in organisations])
        if self.instance.pk:
            del self.fields["organiser"]
        EVENT_FIELDS.apply_to_form(self)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        EVENT_FIELDS.clean_form(self)
        return data


class RegistrationForm(forms.Form):
    organization = forms.TypedChoiceField(label=_("代表机构"), required=False, coerce=int, empty_value=None)
    intro = forms.CharField(
        label=_("参会介绍"), required=False, max_length=300, widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("希望对接什么、能提供什么；其他参会者会看到它。"),
    )  # fmt: skip
    needs = forms.TypedMultipleChoiceField(label=_("携带的技术需求"), required=False, coerce=int)
    achievements = forms.TypedMultipleChoiceField(label=_("携带的科技成果"), required=False, coerce=int)
    role = forms.ChoiceField(
        label=_("参会身份"),
        choices=Registration.Role.choices,
        initial=Registration.Role.ATTENDEE,
        help_text=_("申报路演项目须选择要展示的成果或融资需求，由主办方遴选。"),
    )
    visibility = forms.ChoiceField(
        label=_("在参会名单中"),
        choices=Registration.Visibility.choices,
        initial=Registration.Visibility.PARTICIPANTS,
    )

    def __init__(
        self,
        *args: Any,
        organisations: list[Any],
        needs: list[Any],
        achievements: list[Any],
        roadshow: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        if not roadshow:
            del self.fields["role"]
        else:
            self.fields["role"].widget.attrs["class"] = "form-select"
        self._choices("organization", [("", _("以个人身份报名")), *((o.pk, o.name) for o in organisations)])
        for name, items in (("needs", needs), ("achievements", achievements)):
            if items:
                self._choices(name, [(i.pk, i.title) for i in items])
                self.fields[name].widget = forms.CheckboxSelectMultiple(
                    choices=[(i.pk, i.title) for i in items]
                )
            else:
                del self.fields[name]
        if organisations:
            self.fields["organization"].initial = organisations[0].pk
        for name in ("organization", "visibility"):
            self.fields[name].widget.attrs["class"] = "form-select"
        self.fields["intro"].widget.attrs["class"] = "form-control"

    def _choices(self, name: str, choices: list[Any]) -> None:
        field = self.fields[name]
        assert isinstance(field, forms.ChoiceField)
        field.choices = choices


class OutcomeForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("洽谈结果"), choices=[c for c in MeetingRequest.Outcome.choices if c[0]],
        widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
    )  # fmt: skip
    rating = forms.TypedChoiceField(
        label=_("评分"), required=False, coerce=int, empty_value=None,
        choices=[("", "—")] + [(i, str(i)) for i in range(1, 6)],
        widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
    )  # fmt: skip
    note = forms.CharField(
        label=_("说明"),
        required=False,
        max_length=500,
        widget=forms.TextInput(attrs={"class": "form-control form-control-sm"}),
    )

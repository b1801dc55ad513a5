"""Chinese working days, including the official 调休 make-up days.

For the years the ``chinese-calendar`` package ships the State Council tables for, it decides; for a later
year the operators' ``HolidayDate`` table (kept in /admin/) decides, on top of Monday–Friday. Before a year
starts without either, ``calendar_check`` warns the operators.
"""

import datetime
from typing import Any

import chinese_calendar
from django.conf import settings
from django.utils import timezone


def package_knows(year: int) -> bool:
    """Whether the installed chinese-calendar package has the official arrangement for ``year``."""
    try:
        chinese_calendar.is_workday(datetime.date(year, 6, 1))
    except NotImplementedError:
        return False
    return True


class _Calendar:
    """Answers "is this a working day?" for one run, loading each fallback year from the database once."""

    def __init__(self) -> None:
        self._known: dict[int, bool] = {}
        self._table: dict[int, dict[datetime.date, str]] = {}

    def _year_table(self, year: int) -> dict[datetime.date, str]:
        if year not in self._table:
            from .models import HolidayDate

            self._table[year] = dict(HolidayDate.objects.filter(date__year=year).values_list("date", "kind"))
        return self._table[year]

    def is_working_day(self, day: datetime.date) -> bool:
        if day.year not in self._known:
            self._known[day.year] = package_knows(day.year)
        if self._known[day.year]:
            return bool(chinese_calendar.is_workday(day))
        from .models import HolidayDate

        kind = self._year_table(day.year).get(day)
        if kind == HolidayDate.Kind.HOLIDAY:
            return False
        if kind == HolidayDate.Kind.WORKDAY:
            return True
        return day.weekday() < 5


def is_working_day(day: datetime.date) -> bool:
    return _Calendar().is_working_day(day)


def add_working_days(start: Any, days: int) -> Any:
    """The moment ``days`` Chinese working days after ``start``: the same local time of day on the
    ``days``-th working day after start's date. A date gives a date."""
    calendar = _Calendar()
    is_datetime = isinstance(start, datetime.datetime)
    local = timezone.localtime(start) if is_datetime and timezone.is_aware(start) else start
    day = local.date() if is_datetime else local
    remaining = days
    while remaining > 0:
        day += datetime.timedelta(days=1)
        if calendar.is_working_day(day):
            remaining -= 1
    if not is_datetime:
        return day
    return local.replace(year=day.year, month=day.month, day=day.day)


def working_days_between(start: datetime.date, end: datetime.date) -> int:
    """Working days after ``start`` up to and including ``end`` (0 when end ≤ start)."""
    calendar = _Calendar()
    count, day = 0, start
    while day < end:
        day += datetime.timedelta(days=1)
        count += calendar.is_working_day(day)
    return count


def year_has_data(year: int) -> bool:
    """True when the package knows the year or operators have entered its holiday arrangement."""
    from .models import HolidayDate

    return package_knows(year) or HolidayDate.objects.filter(date__year=year).exists()


def calendar_check(*, now: Any = None) -> int:
    """From WORKFLOW_CALENDAR_WARN_MONTH (December) on, tell the operators once if next year has no holiday
    data yet. Returns the number of new notices."""
    from django.utils.translation import gettext as _

    from techmarket.notifications.services import notify_users

    from .selectors import operator_users

    today = timezone.localdate(now or timezone.now())
    if today.month < getattr(settings, "WORKFLOW_CALENDAR_WARN_MONTH", 12):
        return 0
    year = today.year + 1
    if year_has_data(year):
        return 0
    return notify_users(
        users=operator_users(),
        email=True,
        item_key=f"workdays:missing:{year}",
        title=_("请录入 %(y)s 年节假日安排") % {"y": year},
        body=_(
            "系统内置的国务院节假日安排尚不包含 %(y)s 年。办理时限按工作日计算，请在管理后台“节假日安排”中"
            "录入该年的放假日和调休上班日；未录入前只按周一至周五计算。"
        )
        % {"y": year},
        url="/admin/workflow/holidaydate/",
    )

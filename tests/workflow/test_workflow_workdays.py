"""Due times count Chinese working days: official holidays off, 调休 make-up weekend days on."""

import datetime
from zoneinfo import ZoneInfo

import pytest
from factories import make_operator

from techmarket.notifications.models import Notification
from techmarket.workflow.models import HolidayDate
from techmarket.workflow.workdays import (
    add_working_days,
    calendar_check,
    is_working_day,
    package_knows,
    working_days_between,
)

CST = ZoneInfo("Asia/Shanghai")
D = datetime.date


def at(y, m, d, h=10):
    return datetime.datetime(y, m, d, h, 0, tzinfo=CST)


def test_national_day_2026_is_skipped_and_the_make_up_saturday_counts():
    # 2026 国庆: 10/1–10/7 off; Saturday 10/10 is a 调休 working day.
    assert not is_working_day(D(2026, 10, 1))
    assert is_working_day(D(2026, 10, 10))
    assert add_working_days(at(2026, 9, 30), 1) == at(2026, 10, 8)
    assert add_working_days(at(2026, 9, 30), 3) == at(2026, 10, 10)  # Thu 8, Fri 9, Sat 10 (调休)
    assert add_working_days(at(2026, 9, 30), 4) == at(2026, 10, 12)  # Sunday 11 is off


def test_national_day_2025_make_up_sunday_before_the_holiday_counts():
    # 2025 国庆 + 中秋: 10/1–10/8 off; Sunday 9/28 and Saturday 10/11 are working days.
    assert add_working_days(at(2025, 9, 26), 1) == at(2025, 9, 28)
    assert add_working_days(at(2025, 9, 28), 3) == at(2025, 10, 9)  # Mon 29, Tue 30, then Thu 10/9
    assert add_working_days(at(2025, 10, 9), 2) == at(2025, 10, 11)


def test_spring_festival_2026_deadline_lands_after_the_holiday():
    # 2026 春节: 2/15–2/23 off; Saturdays 2/14 and 2/28 are working days.
    assert add_working_days(at(2026, 2, 13), 1) == at(2026, 2, 14)
    assert add_working_days(at(2026, 2, 13), 2) == at(2026, 2, 24)
    assert working_days_between(D(2026, 2, 13), D(2026, 2, 28)) == 1 + 4 + 1  # 14, 24–27, 28


def test_dates_and_naive_local_times_are_counted_the_same_way():
    assert add_working_days(D(2026, 9, 30), 1) == D(2026, 10, 8)
    utc = datetime.datetime(2026, 9, 30, 17, 0, tzinfo=datetime.UTC)  # 10/1 01:00 in Beijing: a holiday
    assert add_working_days(utc, 1) == datetime.datetime(2026, 10, 8, 1, 0, tzinfo=CST)


@pytest.mark.django_db
def test_year_unknown_to_the_package_uses_the_operator_table_on_top_of_weekdays():
    assert not package_knows(2031)
    assert is_working_day(D(2031, 1, 1))  # a Wednesday: without a table only weekends are off
    HolidayDate.objects.create(date=D(2031, 1, 1), kind=HolidayDate.Kind.HOLIDAY, name="元旦")
    HolidayDate.objects.create(date=D(2031, 1, 4), kind=HolidayDate.Kind.WORKDAY, name="元旦调休")
    assert not is_working_day(D(2031, 1, 1))
    assert is_working_day(D(2031, 1, 4))  # a Saturday entered as 调休上班
    # Tue 12/31 + 1 → Thu 1/2 (1/1 off); + 3 → Sat 1/4 (make-up day)
    assert add_working_days(at(2030, 12, 31), 1) == at(2031, 1, 2)
    assert add_working_days(at(2030, 12, 31), 3) == at(2031, 1, 4)


@pytest.mark.django_db
def test_operators_are_warned_once_in_december_when_next_year_has_no_holiday_data():
    operator = make_operator()
    assert not package_knows(2031)
    assert calendar_check(now=at(2030, 11, 30)) == 0  # not yet: warnings start in December
    assert calendar_check(now=at(2030, 12, 1)) == 1
    assert calendar_check(now=at(2030, 12, 2)) == 0  # once, not every run
    notice = Notification.objects.get(user=operator)
    assert "2031" in notice.title and "节假日" in notice.title


@pytest.mark.django_db
def test_no_warning_once_operators_entered_next_year():
    make_operator()
    HolidayDate.objects.create(date=D(2031, 1, 1), name="元旦")
    assert calendar_check(now=at(2030, 12, 15)) == 0
    assert not Notification.objects.exists()


@pytest.mark.django_db
def test_holiday_table_edits_in_admin_are_audited(client):
    from factories import UserFactory

    from techmarket.audit.models import AuditLog

    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    response = client.post(
        "/admin/workflow/holidaydate/add/", {"date": "2031-02-03", "kind": "holiday", "name": "春节"}
    )
    assert response.status_code == 302, response.content.decode()[:500]
    assert HolidayDate.objects.filter(date=D(2031, 2, 3)).exists()
    assert AuditLog.objects.filter(action="admin.holidaydate.add").count() == 1

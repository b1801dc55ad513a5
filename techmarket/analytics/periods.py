"""Months and periods in the platform's time zone (Asia/Shanghai): a row created at 23:30 on 31 March
Beijing time counts in March, whatever the server's clock says."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _


def tz() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


@dataclass(frozen=True, order=True)
class Month:
    year: int
    month: int

    @classmethod
    def parse(cls, text: str) -> Month:
        """ "2026-03" → Month(2026, 3); ValueError with a Chinese message otherwise."""
        try:
            year, month = (int(part) for part in text.strip().split("-"))
            if not (2000 <= year <= 2100 and 1 <= month <= 12):
                raise ValueError
        except ValueError:
            raise ValueError(
                _("月份格式应为“YYYY-MM”，例如 2026-03（收到“%(text)s”）") % {"text": text}
            ) from None
        return cls(year, month)

    @classmethod
    def of(cls, moment: datetime.date) -> Month:
        return cls(moment.year, moment.month)

    @classmethod
    def current(cls) -> Month:
        return cls.of(timezone.localtime(timezone.now(), tz()).date())

    def shift(self, months: int) -> Month:
        index = self.year * 12 + (self.month - 1) + months
        return Month(index // 12, index % 12 + 1)

    def first_day(self) -> datetime.date:
        return datetime.date(self.year, self.month, 1)

    def start(self) -> datetime.datetime:
        return datetime.datetime(self.year, self.month, 1, tzinfo=tz())

    def __str__(self) -> str:
        return f"{self.year}-{self.month:02d}"

    @property
    def label(self) -> str:
        return _("%(year)d年%(month)d月") % {"year": self.year, "month": self.month}


@dataclass(frozen=True)
class Period:
    """Whole months from ``first`` to ``last`` inclusive."""

    first: Month
    last: Month

    def __post_init__(self) -> None:
        if self.last < self.first:
            raise ValueError(_("结束月份不能早于开始月份"))
        if self.months > 240:
            raise ValueError(_("统计期间不能超过 20 年"))

    @classmethod
    def year_to_date(cls) -> Period:
        now = Month.current()
        return cls(Month(now.year, 1), now)

    @property
    def months(self) -> int:
        return (self.last.year - self.first.year) * 12 + self.last.month - self.first.month + 1

    def month_list(self) -> list[Month]:
        return [self.first.shift(i) for i in range(self.months)]

    def shift(self, months: int) -> Period:
        return Period(self.first.shift(months), self.last.shift(months))

    def previous(self) -> Period:
        """环比: the period of the same length just before."""
        return self.shift(-self.months)

    def year_before(self) -> Period:
        """同比: the same months one year earlier."""
        return self.shift(-12)

    def bounds(
        self, *, dates: bool
    ) -> tuple[datetime.date | datetime.datetime, datetime.date | datetime.datetime]:
        """[start, end) for a DateField (dates) or a DateTimeField (aware datetimes in Beijing time)."""
        after = self.last.shift(1)
        if dates:
            return self.first.first_day(), after.first_day()
        return self.first.start(), after.start()

    @property
    def label(self) -> str:
        if self.first == self.last:
            return self.first.label
        return _("%(first)s至%(last)s") % {"first": self.first.label, "last": self.last.label}

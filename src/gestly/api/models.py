"""Request bodies shared by the routes: strict, closed to unknown fields."""

import itertools
import re
from datetime import date, time
from typing import Annotated, Any, Final

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator

WALL_TIME: Final = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")


class StrictModel(BaseModel):
    """Unknown fields are refused, strings are trimmed and may not hold NUL
    (PostgreSQL cannot store it, and no name or note needs it)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, strict=True)

    @field_validator("*", mode="after")
    @classmethod
    def refuse_nul(cls, value: Any) -> Any:
        texts = value if isinstance(value, list) else [value]
        if any(isinstance(text, str) and "\x00" in text for text in texts):
            raise ValueError("must not contain a NUL character")
        return value


def check_weekly_hours(value: dict[str, list[list[str]]]) -> dict[str, list[list[str]]]:
    """``{"0": [["09:00", "12:00"], ["13:00", "18:00"]], …}``; weekday 0 is Monday.

    Intervals must be ``HH:MM`` pairs, open before close, and must not overlap.
    """
    for day, intervals in value.items():
        if day not in {str(weekday) for weekday in range(7)}:
            raise ValueError(f"weekday {day!r} must be 0 (Monday) to 6 (Sunday)")
        parsed: list[tuple[time, time]] = []
        for interval in intervals:
            if len(interval) != 2 or not all(
                WALL_TIME.match(part) for part in interval
            ):
                raise ValueError(
                    f"weekday {day}: {interval!r} must be a pair like "
                    "['09:00', '18:00']"
                )
            start, end = (time.fromisoformat(part) for part in interval)
            if start >= end:
                raise ValueError(f"weekday {day}: {interval!r} closes before it opens")
            parsed.append((start, end))
        parsed.sort()
        for (_, first_end), (second_start, _) in itertools.pairwise(parsed):
            if second_start < first_end:
                raise ValueError(f"weekday {day}: intervals overlap")
    return value


# JSON has no date type: dates arrive as "YYYY-MM-DD" text, parsed even in strict mode.
DateField = Annotated[date, Field(strict=False)]

WeeklyHoursField = Annotated[
    dict[str, list[list[str]]], AfterValidator(check_weekly_hours)
]

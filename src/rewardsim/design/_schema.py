"""The design-space file's tables, field by field (pydantic, strict): what
:func:`rewardsim.design.parse_space` validates before it builds the design points."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from ._rules import BUILTIN_RULES

__all__ = ["Cost", "DesignEntry", "Enrichment", "Factors", "Measures", "SpaceFile"]

Weekday = Literal["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
NonNegative = Annotated[float, Field(ge=0.0)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True, allow_inf_nan=False)


class Enrichment(_Strict):
    """Eligibility added to the base design's (baseline enrichment)."""

    min_positive_baseline_urines: int | None = Field(default=None, ge=0)
    min_use_days_per_month: float | None = Field(default=None, ge=0.0, lt=30.0)
    min_baseline_hama: float | None = Field(default=None, ge=0.0, le=56.0)


class Measures(_Strict):
    """What a design records in the treatment phase (urine, scales, how often)."""

    urine_days: list[Weekday] = Field(default_factory=lambda: ["Mon", "Wed", "Fri"])
    scales: list[Literal["craving", "anxiety"]] = Field(
        default_factory=lambda: ["craving", "anxiety"])
    rating_days: list[Weekday] = Field(default_factory=lambda: ["Mon"])
    baseline_ratings: bool = True


class Cost(_Strict):
    """Costs of a design (any currency, stated in ``unit``)."""

    unit: str = Field(default="USD", min_length=1, max_length=20)
    per_patient: NonNegative = 0.0
    per_patient_week: NonNegative = 0.0
    per_urine: NonNegative = 0.0
    per_rating: dict[Literal["craving", "anxiety"], NonNegative] = Field(default_factory=dict)
    per_screened: NonNegative = 0.0


class Factors(_Strict):
    arms: list[list[str]] | None = None
    n_per_arm: list[int] | None = None
    weeks: list[int] | None = None
    enrichment: list[str] | None = None
    measures: list[str] | None = None


class DesignEntry(_Strict):
    name: str | None = Field(default=None, min_length=1, max_length=80)
    arms: list[str] | None = None
    n_per_arm: int | None = None
    weeks: int | None = None
    enrichment: str | None = None
    measures: str | None = None


class SpaceFile(_Strict):
    name: str = Field(min_length=1, max_length=200)
    base: str = Field(min_length=1)
    seed: int | None = Field(default=None, ge=0, lt=2**63)
    replicates: int = Field(default=200, ge=4, le=100_000)
    alpha: float = Field(default=0.05, gt=0.0, lt=0.5)
    likelihood_ratio: float = Field(default=8.0, gt=1.0)
    hypotheses: list[str] | dict[str, dict[str, Any]] = Field(
        default_factory=lambda: ["anti_craving", "anti_anxiety", "both", "none"])
    rules: list[str] = Field(default_factory=lambda: list(BUILTIN_RULES))
    curve_n_per_arm: list[int] | None = None
    arms: dict[str, dict[str, Any]] = Field(default_factory=dict)
    enrichment: dict[str, Enrichment] = Field(default_factory=dict)
    measures: dict[str, Measures] = Field(default_factory=dict)
    factors: Factors | None = None
    designs: list[DesignEntry] | None = None
    cost: Cost = Field(default_factory=Cost)

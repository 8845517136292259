"""Model library: generic PK models and the cocaine/baclofen/reward-system models.

``get_model(name)`` returns a model by its registered name; ``MODELS`` lists them.
"""

from __future__ import annotations

from ..engine import Model
from ..errors import ModelSpecError
from .baclofen_pk import BaclofenPK as BaclofenPK
from .cocaine_pk import CocainePK as CocainePK
from .person import HYPOTHESES as HYPOTHESES
from .person import Person as Person
from .person import person as person
from .person import person_doses as person_doses
from .person import reward_per_dose as reward_per_dose
from .pk1cmt import OneCmt as OneCmt
from .pk2cmt import TwoCmt as TwoCmt
from .pk2cmt_mm import TwoCmtMM as TwoCmtMM
from .rat_baclofen_pk import RatBaclofenPK as RatBaclofenPK
from .rat_cocaine_pk import RatCocainePK as RatCocainePK
from .reward_circuit import RewardCircuit as RewardCircuit

pk1cmt = OneCmt
pk2cmt = TwoCmt
pk2cmt_mm = TwoCmtMM
cocaine = CocainePK
baclofen = BaclofenPK

MODELS: dict[str, type[Model]] = {m.name: m for m in (OneCmt, TwoCmt, TwoCmtMM)}


def register(cls: type[Model]) -> type[Model]:
    """Add a model class to :data:`MODELS` under its ``name``."""
    MODELS[cls.name] = cls
    return cls


register(CocainePK)
register(BaclofenPK)
register(Person)
register(RatCocainePK)
register(RatBaclofenPK)


def get_model(name: str) -> Model:
    """A new instance of the model registered as ``name``."""
    try:
        return MODELS[name]()
    except KeyError:
        raise ModelSpecError(
            f"Unknown model {name!r}; valid: {', '.join(sorted(MODELS))}"
        ) from None


__all__ = ["MODELS", "OneCmt", "TwoCmt", "TwoCmtMM", "get_model", "pk1cmt", "pk2cmt",
           "pk2cmt_mm", "register"]
__all__ += ["BaclofenPK", "CocainePK", "RatBaclofenPK", "RatCocainePK", "baclofen", "cocaine"]
__all__ += ["HYPOTHESES", "Person", "RewardCircuit", "person", "person_doses",
            "reward_per_dose"]

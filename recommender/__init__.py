"""match: score a factory or brand profile against a catalogue of beyond-audit initiatives.

The public API::

    from recommender import recommend, load_profile, load_catalogue
    result = recommend("profile.yaml")          # or a dict, or a Profile
    result.to_dict()                            # the JSON contract
"""

from .catalogue import Catalogue, load_catalogue
from .core.engine import Engine, engine_for
from .core.recommend import Recommender, recommend
from .core.validate import load_profile
from .errors import (
    CatalogueError,
    DependencyError,
    InputError,
    MatchError,
    OutputError,
    ProfileError,
    SupplierListError,
    WeightsError,
)
from .models import Initiative, Profile, Weights
from .result import Exclusion, Recommendation, Result

__version__ = "0.2.0"

__all__ = [
    "Catalogue",
    "CatalogueError",
    "DependencyError",
    "Engine",
    "Exclusion",
    "Initiative",
    "InputError",
    "MatchError",
    "OutputError",
    "Profile",
    "ProfileError",
    "SupplierListError",
    "Recommendation",
    "Recommender",
    "Result",
    "Weights",
    "WeightsError",
    "engine_for",
    "load_catalogue",
    "load_profile",
    "recommend",
    "score_frame",
    "MatchEstimator",
    "__version__",
]


def __getattr__(name: str):
    # The batch API needs pandas (and the estimator scikit-learn): imported on first use,
    # so that `match profile.yaml` starts without them.
    if name == "score_frame":
        from .suppliers.frame import score_frame

        return score_frame
    if name == "MatchEstimator":
        from .suppliers.estimator import MatchEstimator

        return MatchEstimator
    raise AttributeError(f"module 'recommender' has no attribute {name!r}")

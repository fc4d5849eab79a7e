"""match: score a factory or brand profile against a catalogue of beyond-audit initiatives.

The public API::

    from recommender import recommend, load_profile, load_catalogue
    result = recommend("profile.yaml")          # or a dict, or a Profile
    result.to_dict()                            # the JSON contract
"""

from .catalogue import Catalogue, load_catalogue
from .errors import (
    CatalogueError,
    DependencyError,
    InputError,
    MatchError,
    OutputError,
    ProfileError,
    WeightsError,
)
from .models import Initiative, Profile, Weights
from .recommend import Recommender, recommend
from .result import Exclusion, Recommendation, Result
from .validate import load_profile

__version__ = "0.1.0"

__all__ = [
    "Catalogue",
    "CatalogueError",
    "DependencyError",
    "Exclusion",
    "Initiative",
    "InputError",
    "MatchError",
    "OutputError",
    "Profile",
    "ProfileError",
    "Recommendation",
    "Recommender",
    "Result",
    "Weights",
    "WeightsError",
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
        from .frame import score_frame

        return score_frame
    if name == "MatchEstimator":
        from .estimator import MatchEstimator

        return MatchEstimator
    raise AttributeError(f"module 'recommender' has no attribute {name!r}")

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
    "__version__",
]

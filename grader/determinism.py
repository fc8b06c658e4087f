"""Make hypothesis draw the same examples for the same submission on any machine.

`derandomize=True` fixes the seed, and no example database means no memory of earlier
runs. One more thing varies: hypothesis mixes in constants it scrapes from "local" (not
site-packages) modules that happen to be imported, so an editable install, a different
current directory or one more imported module would change the examples, and a borderline
submission's score with them. It also caches those constants in `.hypothesis/`, which would
litter the learner's folder. We switch that scraping off. This touches a private function,
which is why `hypothesis` is pinned exactly in pyproject.toml and a test proves the
examples are the same from two different directories.
"""

from __future__ import annotations

import tempfile

from hypothesis import HealthCheck, Phase, settings
from hypothesis.configuration import set_hypothesis_home_dir
from hypothesis.internal.conjecture import providers

PROFILE = "l1lab-grading"
EXAMPLES = 20


def _no_local_constants() -> providers.Constants:
    return providers.Constants()


def configure() -> None:
    """Register and load the grading profile; idempotent."""
    providers._get_local_constants = _no_local_constants
    set_hypothesis_home_dir(tempfile.gettempdir() + "/l1lab-hypothesis")
    settings.register_profile(
        PROFILE,
        derandomize=True,
        database=None,
        max_examples=EXAMPLES,
        deadline=None,  # the worker enforces time limits; hypothesis must not add flakiness
        print_blob=False,
        report_multiple_bugs=False,
        # No "explain" phase: its notes never reach the learner, and it can cost seconds.
        phases=[Phase.explicit, Phase.generate, Phase.shrink],
        suppress_health_check=list(HealthCheck),
    )
    settings.load_profile(PROFILE)

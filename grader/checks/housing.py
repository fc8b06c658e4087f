"""The capstone's story data: 1,000 houses, 1,000 named candidate features, 50 that matter.

Deterministic to the last bit on any machine and numpy version. Every random number comes
from `PCG64(SEED).random_raw()`, whose integer stream numpy guarantees, never from a
distribution method whose stream numpy may change. The features are built as integers,
and prices as integer sums of integer products (exact in any order), so the only floating
point steps are elementwise: one division for each column mean and one subtraction and one
multiplication per entry, which IEEE 754 rounds the same everywhere.

The features are standardised (mean 0, standard deviation about 1) and the prices centred,
in units of $10,000, so the model needs no intercept. The prices depend on 50 features;
the other 950 are noise. The design keeps that support well separated at lam = 1.0: the
optimum keeps exactly those 50 (every one at least 0.8 from zero), each noise feature's
data gradient stays below 0.82 * lam, and plain ISTA at lr = 1/L finds the optimum's support
in under 60 steps (the tests in tests/grader/test_exercise4_housing.py prove all of this).
"""

from __future__ import annotations

import itertools
import os
import threading
from dataclasses import dataclass
from functools import cache

import numpy as np
import numpy.random  # noqa: F401  (now, not lazily on the story's thread: `grader.ahead`)

SEED = 20250101
HOUSES = 1000
FEATURES = 1000
LAM = 1.0
"""The lam the story uses: the optimum keeps exactly the 50 features that matter."""
OPTIMUM_OBJECTIVE = 129.53439622099367
"""The minimum of mean((X @ w - y)**2) + LAM * ||w||_1 on the story data. A number, not the
optimal weights: those are computed only by the reference (`solutions.lasso`), so a student
copy can grade the story's objective without holding anything that computes the answer.
The tests prove it equals the objective of the reference's exact optimum to rounding."""

CHUNKS = 4
"""A value is the sum of the four 16-bit parts of one raw 64-bit draw: bell-shaped, exact."""
CENTRE = CHUNKS * 0xFFFF // 2
"""The middle of 0 .. 4 * 65535, the range of that sum."""
UNIT = 1.0 / float(np.sqrt(CHUNKS * (65536.0**2 - 1.0) / 12.0))
"""One standard deviation of that sum, inverted: multiplying by it standardises."""
COEFFICIENT_DENOMINATOR = 64
"""Coefficients are multiples of 1/64, so prices are exact integer sums before scaling."""
NOISE_STD = 2.0
"""The price noise: $20,000 per house (standard deviation)."""

# (name, how much one standard deviation of it adds to the price, in $10,000)
MATTERS: tuple[tuple[str, float], ...] = (
    ("square footage", 9.0), ("bedrooms", 3.5), ("bathrooms", 3.0), ("school proximity", 4.5),
    ("roof age", -2.5), ("fireplace", 1.75), ("lot size", 5.0), ("garage spaces", 2.25),
    ("year built", 3.25), ("distance to city centre", -6.0), ("crime rate", -4.75),
    ("renovated kitchen", 2.75), ("condition score", 4.0), ("view quality", 3.75),
    ("waterfront", 6.5), ("basement area", 2.0), ("floors", 1.5), ("central air", 1.75),
    ("walk score", 2.5), ("transit access", 3.0), ("street noise", -2.25), ("flood risk", -3.5),
    ("property tax rate", -2.75), ("HOA fee", -1.75), ("neighbourhood median income", 5.5),
    ("park proximity", 2.0), ("pool", 1.5), ("deck area", 1.75), ("energy rating", 2.5),
    ("window quality", 1.5), ("insulation grade", 2.0), ("hardwood floors", 2.25),
    ("foundation condition", 3.0), ("plumbing age", -2.0), ("electrical panel age", -1.5),
    ("driveway length", 1.5), ("storage space", 1.75), ("laundry room", 1.5),
    ("home office", 2.0), ("ceiling height", 1.75), ("natural light", 2.5),
    ("street traffic", -3.0), ("distance to hospital", -1.75), ("distance to supermarket", -2.0),
    ("local unemployment", -3.25), ("air quality", 2.25), ("solar panels", 1.5),
    ("security system", 1.5), ("garden area", 2.0), ("heating efficiency", 1.75),
)

NOISE_NAMED = (
    "listing day-of-year", "listing hour", "seller's birth month", "house number last digit",
    "street name length", "listing photo count", "agent ID parity", "letters in seller's surname",
    "front door colour code", "listing description length",
)
NOISE_THINGS = (
    "mailbox", "doorbell", "curtain", "fence post", "lamp post", "street sign", "gutter",
    "doormat", "porch light", "house key", "garden gnome", "weather vane", "letterbox flap",
    "garage remote", "shutter", "chimney cap", "wind chime", "bird feeder", "welcome sign",
    "recycling bin", "hose reel", "flower pot", "door knocker", "garden bench", "rain barrel",
    "thermostat", "light switch", "smoke alarm", "stair rail", "window latch", "towel rail",
    "kitchen tap", "coat hook", "skirting board", "cupboard knob", "shower head", "ceiling fan",
    "fridge magnet", "hallway rug", "paint tin",
)
NOISE_TRAITS = (
    "colour code", "serial digit", "brand letter", "batch number", "install weekday",
    "screw count", "catalogue page", "warranty month", "barcode checksum", "model suffix",
    "shade number", "box weight", "delivery hour", "invoice digit", "polish date",
    "sticker count", "price cents", "factory code", "label length", "order parity",
    "size code", "packaging year", "finish code", "inspection minute",
)


@dataclass(frozen=True)
class Housing:
    """The story data set, read-only."""

    X: np.ndarray
    """(1000, 1000): one row per house, one standardised column per candidate feature."""
    y: np.ndarray
    """(1000,): centred prices in $10,000."""
    names: tuple[str, ...]
    """The name of each of the 1,000 features, by column."""
    support: np.ndarray
    """The ascending column indices of the 50 features the prices depend on."""
    coefficients: np.ndarray
    """(1000,): the true effect of each feature (0 for noise), in $10,000 per unit."""


def feature_names() -> list[str]:
    """The 1,000 names by column: the 50 that matter go where `_columns()` puts them."""
    noise = list(NOISE_NAMED)
    noise += [f"{thing} {trait}" for thing, trait in itertools.product(NOISE_THINGS, NOISE_TRAITS)]
    names = noise[: FEATURES - len(MATTERS)]
    columns = _columns()
    order = [None] * FEATURES
    for (name, _), column in zip(MATTERS, columns[: len(MATTERS)]):
        order[column] = name
    rest = iter(names)
    return [name if name is not None else next(rest) for name in order]


def _bell(raw: np.ndarray) -> np.ndarray:
    """Integers from -131070 to 131070, bell-shaped: the sum of four 16-bit parts, centred."""
    raw = np.ascontiguousarray(raw, dtype=np.uint64)  # native order: the view below is exact
    parts = raw.view(np.uint16).reshape(*raw.shape, CHUNKS)  # the sum needs no part order
    return parts.sum(axis=-1, dtype=np.int64) - CENTRE


@cache
def _raw() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    stream = np.random.PCG64(SEED).random_raw(HOUSES * FEATURES + HOUSES + FEATURES)
    cells = stream[: HOUSES * FEATURES].reshape(HOUSES, FEATURES)
    return cells, stream[HOUSES * FEATURES: HOUSES * FEATURES + HOUSES], stream[-FEATURES:]


def _columns() -> np.ndarray:
    """Columns in a shuffled order (by raw keys, all distinct): the first 50 hold the signal."""
    keys = _raw()[2]
    assert np.unique(keys).size == keys.size
    return np.argsort(keys, kind="stable")


def housing() -> Housing:
    """The story data set, built once per process, by whichever thread asks first: exercise
    4's story builds it on a thread of its own (`grader.ahead`) while the checks load, and
    they must get the very same arrays."""
    with _building:
        return _housing()


_building = threading.Lock()
os.register_at_fork(after_in_child=lambda: globals().update(_building=threading.Lock()))
"""A fork (`grade all`'s) may come while the story's thread, which it does not copy, builds."""


@cache
def _housing() -> Housing:
    cells, noise_cells, _ = _raw()
    features = _bell(cells)
    columns = _columns()[: len(MATTERS)]
    betas = np.array([round(b * COEFFICIENT_DENOMINATOR) for _, b in MATTERS], dtype=np.int64)
    noise = _bell(noise_cells) * int(NOISE_STD * COEFFICIENT_DENOMINATOR)
    prices = features[:, columns] @ betas + noise  # exact: integers far below 2**53
    X = (features.astype(np.float64) - features.sum(axis=0).astype(np.float64) / HOUSES) * UNIT
    y = ((prices.astype(np.float64) - float(prices.sum()) / HOUSES)
         * (UNIT / COEFFICIENT_DENOMINATOR))
    coefficients = np.zeros(FEATURES)
    coefficients[columns] = betas / COEFFICIENT_DENOMINATOR
    support = np.sort(columns)
    for array in (X, y, support, coefficients):
        array.setflags(write=False)
    return Housing(X=X, y=y, names=tuple(feature_names()), support=support,
                   coefficients=coefficients)

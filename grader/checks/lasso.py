"""The Lasso problem the capstone grades: its objective, its optimality conditions, and what
a learner's wrong weights most likely tell about their code.

    minimise  F(w) = mean((X @ w - y) ** 2) + lam * sum|w_i|

w is optimal exactly when, with g = (2/n) X.T @ (y - X @ w), every g_j = lam * sign(w_j)
where w_j != 0 and |g_j| <= lam where w_j == 0 (the KKT conditions).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Callable

import numpy as np

OBJECTIVE_RTOL = 1e-6
"""How far above the optimum (relative) a learner's objective may be: the issue's tolerance."""


def objective(X: np.ndarray, y: np.ndarray, w: np.ndarray, lam: float) -> float:
    """F(w) = mean((X @ w - y) ** 2) + lam * ||w||_1."""
    r = X @ w - y
    return float(r @ r / X.shape[0] + lam * np.sum(np.abs(w)))


def objective_slack(X: np.ndarray, y: np.ndarray, optimum: float) -> float:
    """How much above `optimum` an objective may be: 1e-6 relative, plus rounding when it is ~0."""
    return OBJECTIVE_RTOL * abs(optimum) + 1e-12 * float(np.mean(y**2))


def correlations(X: np.ndarray, y: np.ndarray, w: np.ndarray) -> np.ndarray:
    """g = (2/n) X.T @ (y - X @ w): minus the data gradient, one entry per feature."""
    return (2.0 / X.shape[0]) * (X.T @ (y - X @ w))


def kkt_tolerance(X: np.ndarray, y: np.ndarray, lam: float) -> float:
    """Slack for the optimality conditions: a solver stopped at 1e-6 relative passes."""
    return 1e-4 * (lam + float(np.max(np.abs(correlations(X, y, np.zeros(X.shape[1]))))))


def first_kkt_violation(X: np.ndarray, y: np.ndarray, w: np.ndarray, lam: float,
                        tolerance: float) -> tuple[int, float] | None:
    """(index, g_j) of the first feature whose optimality condition fails, or None."""
    g = correlations(X, y, w)
    bad = np.where(w != 0, np.abs(g - lam * np.sign(w)) > tolerance, np.abs(g) > lam + tolerance)
    if not bad.any():
        return None
    j = int(np.flatnonzero(bad)[0])
    return j, float(g[j])


def kkt_note(j: int, w_j: float, g_j: float, lam: float) -> str:
    """Why feature j breaks the optimality conditions, in the learner's terms."""
    g = f"(2/n) X[:, {j}].T @ (y - X @ w) = {g_j:.6g}"
    if w_j == 0:
        return (f"(at index {j} your weight is 0.0, but {g}, beyond lam = {lam:.6g}: this "
                "feature justifies its existence and must be nonzero.)")
    return (f"(at index {j} your weight is {w_j:.6g}, but {g}, not lam * sign(w) = "
            f"{lam * np.sign(w_j):.6g}: the weights are not yet at the minimum.)")


ISTA_STEPS = 500
"""How many steps the stub asks for: the trajectory a stopped-early solver is matched against."""
SAME = 1e-9
"""Relative distance within which two weight vectors are the same up to rounding."""
CONSISTENT = 1e-3
"""Relative slack for "these weights are the exact minimum of some other problem"."""
BLOWN_UP = 10.0
"""Predictions X @ w this many times the size of y mean the steps grew: lr is too large."""
SETTLED = 0.9
"""A missing clamp is named only if one correct step closes this much of the objective gap."""


Step = Callable[[np.ndarray, np.ndarray, np.ndarray, float, float], np.ndarray]
"""`step(X, y, w, lam, lr)`: one step of the lesson's method. That step is exercise 2's answer,
so it comes from the reference solutions (`solutions.lasso.ista_step`) at grading time and
is never written here, in a module the student copy ships."""


def step_size(X: np.ndarray) -> float:
    """1/L with L = 2 * sigma_max(X)**2 / n (inf, not a crash, if X = 0). The SVD behind it
    takes 0.25 s on the story's 1,000 x 1,000 data, which is read-only and always the same
    object: its step is kept, so a batch server works it out once for all its gradings
    (`exercise4.warm_up`)."""
    global _kept_step
    if _kept_step is not None and _kept_step[0] is X:
        return _kept_step[1]
    lr = X.shape[0] / (2 * np.linalg.norm(X, 2) ** 2)
    if not X.flags.writeable and X.base is None:  # nothing can change it under us
        _kept_step = (X, lr)
    return lr


_kept_step: tuple[np.ndarray, float] | None = None


@dataclass(frozen=True)
class Fit:
    """A learner's wrong weights on one problem, and the facts the diagnoses read from them.

    `best` is the optimum at lam; `reference_step` is the reference's one step (`Step`), or
    None where there is no reference (a student copy): the diagnoses that replay steps are
    then left out.
    """

    X: np.ndarray
    y: np.ndarray
    lam: float
    got: np.ndarray
    best: np.ndarray
    reference_step: Step | None = None

    def step(self, w: np.ndarray) -> np.ndarray:
        """One correct step from `w` at lr = 1/L (only when there is a reference step)."""
        return self.reference_step(self.X, self.y, w, self.lam, self.lr)

    @cached_property
    def lr(self) -> float:
        """1/L with L = 2 * sigma_max(X)**2 / n, the lesson's step size."""
        return step_size(self.X)

    @cached_property
    def value(self) -> float:
        return objective(self.X, self.y, self.got, self.lam)

    @cached_property
    def at_zero(self) -> float:
        return objective(self.X, self.y, np.zeros_like(self.got), self.lam)

    @cached_property
    def at_best(self) -> float:
        return objective(self.X, self.y, self.best, self.lam)

    @cached_property
    def g(self) -> np.ndarray:
        return correlations(self.X, self.y, self.got)

    @cached_property
    def lam_max(self) -> float:
        return float(np.max(np.abs(correlations(self.X, self.y, np.zeros_like(self.got)))))

    @cached_property
    def blown_up(self) -> bool:
        """Predictions far bigger than y: the steps grew (a wrong point has |X @ w| < ~2 |y|)."""
        return bool(np.linalg.norm(self.X @ self.got) > BLOWN_UP * np.linalg.norm(self.y))

    def same(self, w: np.ndarray) -> bool:
        """Whether w is the learner's weights up to rounding, with exact zeros in the same places."""
        scale = float(np.linalg.norm(self.best) + np.linalg.norm(self.got))
        return (np.array_equal(w == 0, self.got == 0)
                and float(np.linalg.norm(w - self.got)) <= SAME * scale + 1e-300)


def _plural(count: int) -> str:
    return "" if count == 1 else "s"


def _all_zero(fit: Fit) -> dict | None:
    if fit.got.any() or not fit.best.any():
        return None
    kept = int(np.count_nonzero(fit.best))
    return {"lam": fit.lam, "lam_max": fit.lam_max, "kept": kept, "s": _plural(kept)}


def _no_sign(fit: Fit) -> dict | None:
    negatives = int(np.sum(fit.best < 0))
    if not (fit.got.any() and np.all(fit.got >= 0) and negatives) or fit.blown_up:
        return None
    return {"negatives": negatives, "s": _plural(negatives)}


def _uphill(fit: Fit) -> dict | None:
    # From w = 0, steps up the gradient give w = -P @ X.T @ y with P positive definite.
    if fit.blown_up and fit.value > fit.at_zero and (fit.X @ fit.got) @ fit.y < 0:
        return {}
    return None


def _overshoot(fit: Fit) -> dict | None:
    return {} if fit.blown_up and fit.value > fit.at_zero else None


@dataclass(frozen=True)
class OtherLam:
    """A bug that makes the solver minimise the Lasso for `ratio(fit)` times the given lam."""

    ratio: Callable[[Fit], float]
    says: str


OTHER_LAMS: tuple[OtherLam, ...] = (
    OtherLam(lambda fit: 0.0, "Your weights are the least-squares fit, the optimum for lam = 0: "
             "nothing shrinks them. After v = w - lr * grad, the L1 step moves each v_i "
             "towards zero by lr * lam and stops at exactly 0.0."),
    OtherLam(lambda fit: 2.0, "Your weights are the optimum for lam = {lam2:.6g}, twice the lam "
             "you were given: is the factor 2 missing from the data gradient "
             "(2/n) * X.T @ (X @ w - y), or does the L1 step move v by 2 * lr * lam?"),
    OtherLam(lambda fit: 0.5, "Your weights are the optimum for lam = {lam2:.6g}, half the lam "
             "you were given: the L1 step moves each v_i by lr * lam, not lr * lam / 2, and the "
             "data gradient is (2/n) * X.T @ (X @ w - y), with no extra 2."),
    OtherLam(lambda fit: float(fit.X.shape[0]), "Your weights are the optimum for lam = "
             "{lam2:.6g}, n = {n} times the lam you were given: the penalty sits next to the "
             "mean squared error, so the L1 step moves each v_i by lr * lam, with no n."),
    OtherLam(lambda fit: 1.0 / fit.lr, "Your weights are the optimum for lam = {lam2:.6g}, L = "
             "{L:.6g} times the lam you were given: the L1 step moves each v_i by lr * lam, "
             "not by lam."),
)
"""The wrong lams a common bug settles on; a wrong lam that is none of these is not named."""


def _other_lam(fit: Fit) -> dict | None:
    """The weights are the exact optimum, but for a lam one of OTHER_LAMS explains."""
    kept = fit.got != 0
    if not kept.any():
        return None
    pulls = fit.g[kept] * np.sign(fit.got[kept])
    lam2 = float(np.median(pulls))
    slack = CONSISTENT * (fit.lam + fit.lam_max)
    if (np.any(np.abs(pulls - lam2) > slack)
            or np.any(np.abs(fit.g[~kept]) > max(lam2, 0.0) + slack)):
        return None
    for other in OTHER_LAMS:
        target = other.ratio(fit) * fit.lam
        # At lam_max or above the optimum is w = 0: all_zero's case, not this one.
        if (abs(lam2 - target) <= slack and abs(target - fit.lam) > 0.02 * fit.lam
                and target < (1 - CONSISTENT) * fit.lam_max):
            return {"said": other.says.format(lam2=target, n=fit.X.shape[0], L=1 / fit.lr)}
    return None


def _stopped_early(fit: Fit) -> dict | None:
    if fit.reference_step is None:
        return None
    # At lr = 1/L each step lowers the objective, so once a step is clearly below the
    # learner's objective no later step can be their weights: stop looking there.
    below = fit.value - 1e-6 * (abs(fit.value) + 1e-300)
    w = np.zeros_like(fit.got)
    for k in range(1, ISTA_STEPS):
        w = fit.step(w)
        if fit.same(w):
            return {"k": k, "s": _plural(k)}
        if objective(fit.X, fit.y, w, fit.lam) < below:
            return None
    return None


RIDGE_STRENGTHS: tuple[Callable[[Fit], float], ...] = (
    lambda fit: fit.lam, lambda fit: fit.lam / 2, lambda fit: fit.lam / fit.X.shape[0])
"""The c of an L2 penalty c * sum(w**2) that common ridge code ends up with, given lam."""


def _ridge(fit: Fit) -> dict | None:
    # The minimum of mean((X @ w - y)**2) + c * sum(w**2) has g = 2 c w, one c for all.
    if not np.all(fit.got != 0):
        return None
    c = fit.g / (2 * fit.got)
    for strength in RIDGE_STRENGTHS:
        target = strength(fit)
        if np.all(np.abs(c - target) <= CONSISTENT * target):
            return {"c": target}
    return None


def _no_clamp(fit: Fit) -> dict | None:
    zeros = int(np.sum(fit.best == 0))
    if not zeros or (fit.got == 0).any() or fit.reference_step is None:
        return None
    # Settled: one correct step (which clamps) closes most of the gap, so only the clamp is off.
    after = objective(fit.X, fit.y, fit.step(fit.got), fit.lam)
    if fit.value - after < SETTLED * (fit.value - fit.at_best):
        return None
    return {"zeros": zeros, "s": _plural(zeros)}


def _two_cycle(fit: Fit) -> dict | None:
    zeros_expected = fit.best == 0
    spurious = int(np.sum((fit.got != 0) & zeros_expected))
    kept = ~zeros_expected
    close = (not kept.any()) or (np.linalg.norm(fit.got[kept] - fit.best[kept])
                                 <= 0.05 * np.linalg.norm(fit.best[kept]))
    if close and spurious >= max(2, 0.1 * zeros_expected.sum()):
        return {"spurious": spurious}
    return None


@dataclass(frozen=True)
class Diagnosis:
    """One recognisable bug: a test on the weights, and what the learner is told."""

    name: str
    applies: Callable[[Fit], dict | None]
    """The facts the message needs, or None when the weights do not show this bug."""
    says: str
    """The message, a template filled with those facts."""


DIAGNOSES: tuple[Diagnosis, ...] = (
    Diagnosis("all_zero", _all_zero,
              "All your weights are exactly 0.0, as at the start, but lam = {lam:.6g} is below "
              "max|2 X.T y / n| = {lam_max:.6g}, so the optimum keeps {kept} feature{s}. Check "
              "that each step's new w is kept and returned, that lr is 1/L, and that the L1 "
              "step moves v by lr * lam (not by lam or n * lam) with the sign of "
              "v = w - lr * grad (at w = 0 the sign of w is 0)."),
    Diagnosis("uphill", _uphill,
              "Your weights give a larger objective than w = 0 does, and they point uphill: "
              "X @ w runs against y ((X @ w) @ y < 0). Each step must go down the data "
              "gradient, v = w - lr * grad with grad = (2/n) * X.T @ (X @ w - y); with "
              "+ lr * grad, or y - X @ w inside grad, every step climbs. If that sign is "
              "right, lr is too large: keep it at most 1/L."),
    Diagnosis("stopped_early", _stopped_early,
              "Your weights are exactly where {k} step{s} of the clamped update at lr = 1/L "
              "from w = 0 land: each step is right, but your loop stops too early, while the "
              "weights are still moving towards the minimum. Take all the steps you are given "
              "(steps=500 by default)."),
    Diagnosis("other_lam", _other_lam, "{said}"),
    Diagnosis("no_sign", _no_sign,
              "None of your weights is negative, but the optimum has {negatives} negative "
              "weight{s}: the L1 step keeps the sign of v, "
              "w_i = sign(v_i) * max(|v_i| - lr * lam, 0), moving v_i towards zero from "
              "either side."),
    Diagnosis("overshoot", _overshoot,
              "Your weights give a larger objective than w = 0 does: the steps overshoot "
              "the minimum. Keep lr at most 1/L with L = 2 * sigma_max(X)**2 / n, and clamp "
              "with the sign of v = w - lr * grad, not of the old w."),
    Diagnosis("ridge", _ridge,
              "None of your weights is exactly 0.0: they are the minimum of "
              "mean((X @ w - y)**2) + {c:.6g} * sum(w**2), an L2 (ridge) penalty, which "
              "shrinks weights but never to exactly 0.0. L1 moves each v_i towards zero by "
              "lr * lam and stops at exactly 0.0."),
    Diagnosis("no_clamp", _no_clamp,
              "None of your weights is exactly 0.0, but the optimum has {zeros} exact zero{s}: "
              "are you clamping at zero, with the sign of v = w - lr * grad? A weight the L1 "
              "step would carry past zero must become exactly 0.0."),
    Diagnosis("two_cycle", _two_cycle,
              "{spurious} weights that should be exactly 0.0 are not, while the others are "
              "nearly right. That is the 2-cycle of clamping with the sign of the old w: at "
              "w = 0 its sign is 0, so a weight is pushed off zero, clamped back, pushed off "
              "again. Clamp with the sign of v = w - lr * grad."),
)
"""In order: the first whose test the weights pass is the one the learner is told."""
GENERAL = ("Your weights are not yet at the minimum: take all the steps (500 by default) "
           "at lr = 1/L with L = 2 * sigma_max(X)**2 / n, and clamp with the sign of "
           "v = w - lr * grad (with the old w's sign, weights keep bouncing off zero).")
"""For weights that show none of the bugs above: what to check, without guessing."""


def find_diagnosis(X: np.ndarray, y: np.ndarray, lam: float, got: np.ndarray,
                   best: np.ndarray, *, step: Step | None = None) -> tuple[str, str]:
    """(name, message) of the first diagnosis the weights show, else ("general", GENERAL).

    Without the reference's `step` the diagnoses that replay steps are left out."""
    fit = Fit(X, y, lam, got, best, step)
    with np.errstate(all="ignore"):  # weights of 1e150 make inf objectives, which is fine
        for diagnosis in DIAGNOSES:
            facts = diagnosis.applies(fit)
            if facts is not None:
                return diagnosis.name, diagnosis.says.format(**facts)
    return "general", GENERAL


def diagnose(X: np.ndarray, y: np.ndarray, lam: float, got: np.ndarray, best: np.ndarray, *,
             step: Step | None = None) -> str:
    """One or two sentences on what most likely went wrong, judged from the weights alone.

    `best` is the optimum at lam and `step` the reference's step (`Step`). When the weights
    show none of DIAGNOSES, the general advice.
    """
    return find_diagnosis(X, y, lam, got, best, step=step)[1]

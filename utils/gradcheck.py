"""Check hand-written gradients against central finite differences, in float64.

In float32 a finite difference is mostly rounding noise (machine epsilon is 1e-7);
in float64 with a step of 1e-6 the central difference is accurate to about 1e-10,
so a relative error above 1e-6 means the analytic gradient is wrong.
"""
from __future__ import annotations

import dataclasses
from typing import Callable

import torch

from utils.checks import CheckFailed


@dataclasses.dataclass
class GradientCheck:
    worst_relative_error: float
    worst_index: int          # flat index of the entry with the worst error
    numeric: torch.Tensor     # the finite-difference gradient

    def __str__(self) -> str:
        return (f"worst relative error {self.worst_relative_error:.1e} "
                f"(at entry {self.worst_index})")


class GradientCheckError(CheckFailed):
    pass


def numerical_gradient(f: Callable[[torch.Tensor], torch.Tensor], x: torch.Tensor,
                       eps: float = 1e-6) -> torch.Tensor:
    """Central differences (f(x + eps e_i) - f(x - eps e_i)) / (2 eps), in float64."""
    x = x.detach().to(torch.float64).clone()     # a copy: the caller's tensor is never touched
    grad = torch.zeros_like(x)
    flat_x, flat_grad = x.view(-1), grad.view(-1)          # both contiguous: fresh tensors
    for i in range(flat_x.numel()):
        saved = flat_x[i].item()
        flat_x[i] = saved + eps
        plus = float(f(x))
        flat_x[i] = saved - eps
        minus = float(f(x))
        flat_x[i] = saved
        flat_grad[i] = (plus - minus) / (2 * eps)
    return grad


def relative_errors(a: torch.Tensor, b: torch.Tensor, floor: float = 1e-8) -> torch.Tensor:
    """|a - b| / max(|a|, |b|, floor), entry by entry; the floor keeps two near-zero
    entries from looking wildly different."""
    a, b = a.detach().to(torch.float64), b.detach().to(torch.float64)
    scale = torch.maximum(torch.maximum(a.abs(), b.abs()), torch.tensor(floor, dtype=torch.float64))
    return (a - b).abs() / scale


def gradient_check(f: Callable[[torch.Tensor], torch.Tensor], x: torch.Tensor,
                   analytic: torch.Tensor, eps: float = 1e-6,
                   tolerance: float = 1e-6) -> GradientCheck:
    """Compare ``analytic`` (the gradient of the scalar ``f`` at ``x``) with finite
    differences. Returns the worst relative error; raises GradientCheckError when it
    exceeds ``tolerance``. ``f`` receives a float64 copy of ``x``.
    """
    if analytic.shape != x.shape:
        raise GradientCheckError(f"gradient has shape {tuple(analytic.shape)}, "
                                 f"parameters have shape {tuple(x.shape)}")
    numeric = numerical_gradient(f, x, eps)
    errors = relative_errors(analytic, numeric).reshape(-1)   # analytic may be a non-contiguous view
    worst = int(torch.argmax(errors))
    result = GradientCheck(float(errors[worst]), worst, numeric)
    if result.worst_relative_error > tolerance:
        raise GradientCheckError(
            f"gradient check failed: {result}: analytic {float(analytic.reshape(-1)[worst]):.6g}, "
            f"finite differences {float(numeric.reshape(-1)[worst]):.6g}")
    return result


def derivative_check(f: Callable[[torch.Tensor], torch.Tensor],
                     derivative: Callable[[torch.Tensor], torch.Tensor],
                     x: torch.Tensor, tolerance: float = 1e-6) -> float:
    """Compare a hand-written derivative of an element-wise function (an activation)
    with autograd at the points ``x``, in float64. Returns the worst relative error;
    raises GradientCheckError above ``tolerance``."""
    x = x.detach().to(torch.float64)
    tracked = x.clone().requires_grad_(True)
    f(tracked).sum().backward()    # element-wise: d(sum f)/dx_i = f'(x_i)
    expected = tracked.grad
    with torch.no_grad():
        hand = derivative(x)
    errors = relative_errors(hand, expected)
    worst = int(torch.argmax(errors))
    if float(errors[worst]) > tolerance:
        raise GradientCheckError(
            f"derivative check failed at x = {float(x[worst]):.4g}: hand-written "
            f"{float(hand[worst]):.6g}, autograd {float(expected[worst]):.6g}")
    return float(errors[worst])

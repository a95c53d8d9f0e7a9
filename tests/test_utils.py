"""The helpers the labs import."""
import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import pytest
import torch
from matplotlib.patches import Circle

from utils.data import five_points
from utils.diagrams import draw_network
from utils.gradcheck import GradientCheckError, gradient_check, numerical_gradient
from utils.plotting import plot_decision_boundary, plot_loss_curve, prediction_grid


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def test_five_points_default_labels_only_the_origin():
    x, y = five_points()
    assert x.tolist() == [[0, 0], [1, 0], [0, -1], [-1, 0], [0, 1]]
    assert y.tolist() == [1, 0, 0, 0, 0]
    assert x.dtype == y.dtype == torch.float32


def test_five_points_other_labelling_and_dtype():
    x, y = five_points(positive=(3, 4), dtype=torch.float64)
    assert y.tolist() == [0, 0, 0, 1, 1] and x.dtype == torch.float64


def cubic(w):
    return (w ** 3).sum() + w[0] * w[1]


def cubic_gradient(w):
    grad = 3 * w ** 2
    grad[0] += w[1]
    grad[1] += w[0]
    return grad


def test_gradient_check_passes_on_the_correct_gradient():
    w = torch.tensor([0.5, -1.5, 2.0])
    result = gradient_check(cubic, w, cubic_gradient(w.double()))
    assert result.worst_relative_error < 1e-8
    assert torch.allclose(result.numeric, cubic_gradient(w.double()))


def test_gradient_check_fires_on_a_wrong_gradient_and_names_the_entry():
    w = torch.tensor([0.5, -1.5, 2.0], dtype=torch.float64)
    wrong = cubic_gradient(w)
    wrong[1] -= w[0]                      # forgot the cross term in entry 1
    with pytest.raises(GradientCheckError, match=r"at entry 1\)"):
        gradient_check(cubic, w, wrong)


def test_gradient_check_fires_on_a_small_error_that_float32_would_hide():
    w = torch.tensor([0.3, 0.7], dtype=torch.float64)
    slightly_wrong = cubic_gradient(w) * (1 + 1e-4)
    with pytest.raises(GradientCheckError):
        gradient_check(cubic, w, slightly_wrong)


def test_gradient_check_rejects_a_gradient_of_the_wrong_shape():
    with pytest.raises(GradientCheckError, match="shape"):
        gradient_check(cubic, torch.zeros(3), torch.zeros(2))


def test_numerical_gradient_leaves_its_input_unchanged_and_uses_float64():
    w = torch.tensor([1.0, 2.0])
    seen = []
    numerical_gradient(lambda v: seen.append(v.dtype) or v.sum(), w)
    assert w.tolist() == [1.0, 2.0] and set(seen) == {torch.float64}


def test_prediction_grid_covers_the_data_with_a_margin():
    x, _ = five_points()
    grid_x1, grid_x2, points = prediction_grid(x, margin=1.0, resolution=5)
    assert grid_x1.shape == (5, 5) and points.shape == (25, 2)
    assert points.min() == -2 and points.max() == 2
    assert grid_x1[0].tolist() == [-2, -1, 0, 1, 2]      # x1 varies along columns


def test_decision_boundary_accepts_any_callable_and_labels_the_axes():
    x, y = five_points()
    calls = []

    def model(points):
        calls.append(points.shape)
        return torch.sigmoid(1 - 4 * (points ** 2).sum(1, keepdim=True))   # shape (n, 1)

    ax = plot_decision_boundary(model, x, y, title="a circle", resolution=21)
    assert calls == [(441, 2)]
    assert ax.get_xlabel() == "$x_1$" and ax.get_ylabel() == "$x_2$"
    assert ax.get_title() == "a circle"
    assert ax.figure.axes[-1].get_ylabel() == "P(y = 1)"                 # the colour bar
    assert len(ax.collections) >= 3      # shading, the 0.5 contour, the points


def test_loss_curve_plots_every_value():
    ax = plot_loss_curve([torch.tensor(3.0), 2.0, 1.0], log_scale=True)
    line = ax.get_lines()[0]
    assert list(line.get_ydata()) == [3.0, 2.0, 1.0]
    assert ax.get_yscale() == "log" and ax.get_xlabel() == "update"


def test_network_diagram_draws_every_node_and_label():
    ax = draw_network([2, 3, 1], node_labels=[["a", "b"], ["c", "d", "e"], ["f"]],
                      edge_labels={(0, 1, 2): "w"}, bias_labels=[["p", "q", "r"], ["s"]])
    assert sum(isinstance(p, Circle) for p in ax.patches) == 6
    texts = {t.get_text() for t in ax.texts}
    assert {"a", "b", "c", "d", "e", "f", "w", "p", "s"} <= texts
    assert len([a for a in ax.texts if a.get_text() == ""]) == 2 * 3 + 3 * 1   # arrows


from utils.gradcheck import derivative_check
from utils.losscheck import LossCheckError, cross_entropy_check


def test_derivative_check_passes_on_the_right_derivative():
    x = torch.linspace(-4, 4, 41)
    assert derivative_check(torch.tanh, lambda t: 1 - torch.tanh(t) ** 2, x) < 1e-12


def test_derivative_check_fires_on_a_wrong_derivative():
    x = torch.linspace(-4, 4, 41)
    with pytest.raises(GradientCheckError, match="derivative check failed"):
        derivative_check(torch.tanh, lambda t: 1 - torch.tanh(t), x)


def stable_cross_entropy(logits, targets):
    shifted = logits - logits.max(dim=1, keepdim=True).values
    log_probs = shifted - shifted.exp().sum(dim=1, keepdim=True).log()
    return -log_probs[torch.arange(len(targets)), targets].mean()


def naive_cross_entropy(logits, targets):
    probs = logits.exp() / logits.exp().sum(dim=1, keepdim=True)
    return -probs[torch.arange(len(targets)), targets].log().mean()


def test_cross_entropy_check_passes_a_stable_implementation():
    errors = cross_entropy_check(stable_cross_entropy)
    assert set(errors) == {"ordinary logits", "large logits"} and max(errors.values()) < 1e-4


def test_cross_entropy_check_fires_on_the_naive_implementation_only_for_large_logits():
    naive = naive_cross_entropy(torch.randn(4, 3), torch.tensor([0, 1, 2, 0]))
    assert torch.isfinite(naive)                    # fine on ordinary logits...
    with pytest.raises(LossCheckError, match="large logits"):
        cross_entropy_check(naive_cross_entropy)   # ...but overflows on large ones


def test_cross_entropy_check_fires_on_a_wrong_formula():
    with pytest.raises(LossCheckError, match="ordinary logits"):
        cross_entropy_check(lambda logits, targets: stable_cross_entropy(logits, targets) * 2)


def test_gradient_check_takes_a_non_contiguous_gradient_and_leaves_x_alone():
    from utils.gradcheck import gradient_check
    x = torch.arange(6.0, dtype=torch.float64).view(2, 3)
    before = x.clone()
    analytic = (2 * x).T.contiguous().T         # a transposed view: not contiguous
    assert not analytic.is_contiguous()
    gradient_check(lambda t: (t ** 2).sum(), x, analytic)
    assert torch.equal(x, before)

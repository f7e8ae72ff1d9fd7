"""Lessons 01 and 02: the sliding-window stepper and the output-size calculator."""

from __future__ import annotations

import ipywidgets as widgets
import numpy as np
import plotly.graph_objects as go
from IPython.display import display

from utils._validate import integer
from utils.conv import cross_correlate2d, pad
from utils.plots import matrix_heatmaps, output_size_figure
from utils.plots._base import format_number
from utils.widgets._output import show_figures


class ConvolutionStepper:
    """Walk a cross-correlation one output cell at a time, for a projector.

    For each step the figure shows the padded input with the current window
    outlined, the kernel, the element-wise products of window and kernel, and
    the output filled in up to this cell; the caption writes out the sum.

    Taught in notebooks/01_convolution_math.ipynb, section 4.

    Parameters
    ----------
    image : array_like, shape (H, W)
    kernel : array_like, shape (F, F)
    padding : int, default 1
        Zeros on every side.
    stride : int, default 1
    interval_ms : int, default 1500
        Time between two steps when the play button runs.

    Attributes
    ----------
    slider : ipywidgets.IntSlider
        The step, 0 to ``n_steps - 1``, row by row through the output.
    play : ipywidgets.Play
        Steps the slider automatically (linked to it in the browser).
    caption : ipywidgets.HTML
        The step's sum written out, in large type.
    padded, result : numpy.ndarray
        The padded input and the complete output.
    position : tuple of int
        ``(row, col)`` of the output cell at the current step.
    products : numpy.ndarray, shape (F, F)
        Window times kernel at the current step.
    partial : numpy.ndarray
        The output so far: computed cells, NaN for those still to come.
    figure : plotly.graph_objects.Figure
        The four panels currently shown.
    """

    def __init__(
        self,
        image: object,
        kernel: object,
        padding: int = 1,
        stride: int = 1,
        interval_ms: int = 1500,
    ) -> None:
        self.result = cross_correlate2d(image, kernel, stride=stride, padding=padding)
        self.padded = pad(np.asarray(image, dtype=np.float64), padding)
        self.kernel = np.asarray(kernel, dtype=np.float64)
        self.stride = stride
        n_rows, n_cols = self.result.shape
        self.n_steps = n_rows * n_cols
        self.slider = widgets.IntSlider(
            value=0,
            min=0,
            max=self.n_steps - 1,
            description="step",
            continuous_update=True,
            layout=widgets.Layout(width="420px"),
        )
        self.play = widgets.Play(
            value=0, min=0, max=self.n_steps - 1, interval=int(interval_ms), description="play"
        )
        self.link = widgets.jslink((self.play, "value"), (self.slider, "value"))
        self.caption = widgets.HTML()
        self.output = widgets.Output()
        self.figure: go.Figure = go.Figure()
        self.widget = widgets.VBox(
            [widgets.HBox([self.play, self.slider]), self.caption, self.output]
        )
        self.slider.observe(self._on_change, names="value")
        self.show(0)

    def show(self, step: int) -> None:
        """Draw step ``step`` (0-based, row by row); the slider calls this."""
        step = integer(step, "step", minimum=0, maximum=self.n_steps - 1)
        n_cols = self.result.shape[1]
        row, col = divmod(step, n_cols)
        size_h, size_w = self.kernel.shape
        top, left = row * self.stride, col * self.stride
        window = self.padded[top : top + size_h, left : left + size_w]
        self.step = step
        self.position = (row, col)
        self.products = window * self.kernel
        self.total = float(self.products.sum())
        partial = np.full(self.result.shape, np.nan)
        partial.reshape(-1)[: step + 1] = self.result.reshape(-1)[: step + 1]
        self.partial = partial
        self.figure = matrix_heatmaps(
            [self.padded, self.kernel, self.products, partial],
            titles=["padded input", "kernel", "window × kernel", "output"],
            highlights=[(top, left, size_h, size_w), None, None, (row, col, 1, 1)],
            cell_size=34,
            font_size=17,
        )
        terms = " + ".join(
            f"({format_number(a)})({format_number(b)})"
            for a, b in zip(window.reshape(-1), self.kernel.reshape(-1), strict=True)
        )
        self.caption.value = (
            f'<div style="font-size:22px; line-height:1.5">'
            f"<b>output[{row}, {col}]</b> = {terms} = <b>{format_number(self.total)}</b></div>"
        )
        show_figures(self.output, self.figure)

    def _on_change(self, change: dict) -> None:
        self.show(int(change["new"]))

    def _ipython_display_(self) -> None:
        display(self.widget)


class OutputSizeCalculator:
    """Sliders for W, F, P and S that draw the filter positions and give the output size.

    Taught in notebooks/02_padding_and_stride.ipynb, section 5.

    Parameters
    ----------
    width, kernel_size, padding, stride : int
        The starting values of the four sliders.

    Attributes
    ----------
    width, kernel_size, padding, stride : ipywidgets.IntSlider
        The controls; set ``.value`` to move one.
    size : int or None
        The output size for the current setting, None when it is invalid.
    message : ipywidgets.HTML
        The formula with the numbers in, and a note when the division is not
        exact or the setting is invalid.
    figure : plotly.graph_objects.Figure
        The padded input with the filter positions (see ``output_size_figure``).
    """

    def __init__(
        self, width: int = 7, kernel_size: int = 3, padding: int = 0, stride: int = 1
    ) -> None:
        def slider(description: str, value: int, low: int, high: int) -> widgets.IntSlider:
            value = integer(value, description, minimum=low, maximum=high)
            return widgets.IntSlider(value=value, min=low, max=high, description=description)

        self.width = slider("width", width, 1, 16)
        self.kernel_size = slider("kernel_size", kernel_size, 1, 9)
        self.padding = slider("padding", padding, 0, 4)
        self.stride = slider("stride", stride, 1, 5)
        self.message = widgets.HTML()
        self.output = widgets.Output()
        self.figure: go.Figure = go.Figure()
        self.size: int | None = None
        controls = widgets.VBox([self.width, self.kernel_size, self.padding, self.stride])
        self.widget = widgets.VBox([controls, self.message, self.output])
        for control in (self.width, self.kernel_size, self.padding, self.stride):
            control.observe(self._on_change, names="value")
        self.update()

    def update(self) -> None:
        """Recompute the size and redraw for the sliders' current values."""
        W, F, P, S = (
            self.width.value,
            self.kernel_size.value,
            self.padding.value,
            self.stride.value,
        )
        span = W - F + 2 * P
        if span < 0:
            self.size = None
            text = (
                f"<b>Invalid:</b> the {F}x{F} filter does not fit in the padded input: "
                f"W + 2P = {W} + {2 * P} = {W + 2 * P} is smaller than F = {F}. "
                "Use a smaller filter or more padding."
            )
        else:
            self.size = span // S + 1
            text = (
                f"output size = floor((W − F + 2P) / S) + 1 = floor(({W} − {F} + {2 * P}) / {S})"
                f" + 1 = floor({format_number(span / S)}) + 1 = <b>{self.size}</b>"
            )
            if span % S:
                text += (
                    f"<br>⚠️ ({span}) / {S} is not a whole number: the last {span % S} "
                    f"row(s) and column(s) of the padded input are never covered "
                    "by the filter (shaded red), so they are ignored."
                )
            if P >= F:
                text += f"<br>⚠️ padding {P} ≥ filter size {F}: the corner positions see only zeros."
        self.message.value = f'<div style="font-size:18px">{text}</div>'
        self.figure = output_size_figure(W, F, P, S)
        show_figures(self.output, self.figure)

    def _on_change(self, change: dict) -> None:
        self.update()

    def _ipython_display_(self) -> None:
        display(self.widget)

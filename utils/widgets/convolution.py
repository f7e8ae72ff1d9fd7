"""Lessons 01 and 02 (and 10): the sliding-window stepper and the output-size calculator."""

from __future__ import annotations

import ipywidgets as widgets
import numpy as np
import plotly.graph_objects as go
from IPython.display import display

from utils._validate import flag, integer
from utils.conv import (
    cross_correlate2d,
    effective_kernel_size,
    output_size,
    pad,
    transposed_output_size,
)
from utils.plots import connection_figure, matrix_heatmaps, output_size_figure
from utils.plots.base import format_number
from utils.widgets._a11y import AccessibleNames
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
            tooltip="step: the output cell computed, row by row",
            continuous_update=True,
            layout=widgets.Layout(width="420px"),
        )
        self.play = widgets.Play(
            value=0, min=0, max=self.n_steps - 1, interval=int(interval_ms), description="play"
        )
        self.link = widgets.jslink((self.play, "value"), (self.slider, "value"))
        self.caption = widgets.HTML().add_class("course-live")
        self.output = widgets.Output()
        self.figure: go.Figure = go.Figure()
        # AccessibleNames names the slider and the play buttons for screen readers.
        self.widget = widgets.VBox(
            [widgets.HBox([self.play, self.slider]), self.caption, self.output, AccessibleNames()]
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


_SPOKEN_NAMES = {
    "width": "width W of the input",
    "kernel_size": "kernel size F",
    "padding": "padding P",
    "stride": "stride S",
    "dilation": "dilation d",
    "mode": "mode: convolution or transposed",
    "output_cell": "output cell whose inputs are drawn",
}
"""What a screen reader announces for each control of the calculator (its ``tooltip``):
the labels on screen are the parameters' names, ``kernel_size`` read out as "kernel
underscore size"."""


class OutputSizeCalculator:
    """Sliders for W, F, P and S that draw the filter positions and give the output size.

    Taught in notebooks/02_padding_and_stride.ipynb, section 5. With
    ``variants=True`` it gains a dilation, a transposed mode and the choice of
    one output cell, and draws which input cells feed which output cell along
    one row (:func:`utils.plots.connection_figure`), for
    notebooks/10_convolution_variants.ipynb.

    Parameters
    ----------
    width, kernel_size, padding, stride : int
        The starting values of the four sliders.
    variants : bool, default False
        Add the dilation slider, the convolution/transposed buttons and the
        output-cell slider. Without them the calculator is lesson 02's.
    dilation : int, default 1
        Starting dilation, 1 to 4 (only with ``variants=True``).
    transposed : bool, default False
        Start in the transposed mode (only with ``variants=True``).

    Attributes
    ----------
    width, kernel_size, padding, stride : ipywidgets.IntSlider
        The controls; set ``.value`` to move one.
    dilation : ipywidgets.IntSlider or None
        Step between two taps of the kernel, 1 to 4; None without ``variants``.
    mode : ipywidgets.ToggleButtons or None
        ``'convolution'`` or ``'transposed'``; None without ``variants``. In
        the transposed mode ``padding`` is the number of cells cropped from
        each side of the output (output padding 0).
    output_cell : ipywidgets.IntSlider or None
        The output cell whose connections are drawn bold, 0 to ``size - 1``
        (disabled when the setting is invalid); None without ``variants``.
    size : int or None
        The output size for the current setting, None when it is invalid.
    message : ipywidgets.HTML
        The formula with the numbers in, and a note when the division is not
        exact or the setting is invalid.
    figure : plotly.graph_objects.Figure
        The padded input with the filter positions (see ``output_size_figure``),
        or with ``variants`` one row's connections (see ``connection_figure``).
    """

    def __init__(
        self,
        width: int = 7,
        kernel_size: int = 3,
        padding: int = 0,
        stride: int = 1,
        variants: bool = False,
        dilation: int = 1,
        transposed: bool = False,
    ) -> None:
        def slider(description: str, value: int, low: int, high: int) -> widgets.IntSlider:
            value = integer(value, description, minimum=low, maximum=high)
            return widgets.IntSlider(
                value=value,
                min=low,
                max=high,
                description=description,
                tooltip=_SPOKEN_NAMES[description],
            )

        self.variants = flag(variants, "variants")
        transposed = flag(transposed, "transposed")
        dilation = integer(dilation, "dilation", minimum=1, maximum=4)
        if not self.variants and (dilation != 1 or transposed):
            raise ValueError(
                "dilation and transposed need variants=True, "
                f"got dilation={dilation}, transposed={transposed} with variants=False"
            )
        self.width = slider("width", width, 1, 16)
        self.kernel_size = slider("kernel_size", kernel_size, 1, 9)
        self.padding = slider("padding", padding, 0, 4)
        self.stride = slider("stride", stride, 1, 5)
        self.dilation: widgets.IntSlider | None = None
        self.mode: widgets.ToggleButtons | None = None
        self.output_cell: widgets.IntSlider | None = None
        self.message = widgets.HTML().add_class("course-live")
        self.output = widgets.Output()
        self.figure: go.Figure = go.Figure()
        self.size: int | None = None
        self._redrawing = False  # set while update() moves output_cell's range
        sizes = [self.width, self.kernel_size, self.padding, self.stride]
        if self.variants:
            self.dilation = slider("dilation", dilation, 1, 4)
            self.mode = widgets.ToggleButtons(
                options=["convolution", "transposed"],
                value="transposed" if transposed else "convolution",
                description="mode",
                tooltip=_SPOKEN_NAMES["mode"],
                tooltips=["an ordinary convolution", "a transposed convolution"],
                style={"button_width": "96px"},
            )
            self.output_cell = widgets.IntSlider(
                value=0,
                min=0,
                max=0,
                description="output_cell",
                tooltip=_SPOKEN_NAMES["output_cell"],
            )
            variant_controls = [self.dilation, self.mode, self.output_cell]
            controls = widgets.HBox([widgets.VBox(sizes), widgets.VBox(variant_controls)])
        else:
            variant_controls = []
            controls = widgets.VBox(sizes)
        # AccessibleNames names the sliders and the mode buttons for screen readers.
        self.widget = widgets.VBox([controls, self.message, self.output, AccessibleNames()])
        for control in sizes + variant_controls:
            control.observe(self._on_change, names="value")
        if self.output_cell is not None:
            self._fit_output_cell(self._variant_size(), middle=True)
        self.update()

    def update(self) -> None:
        """Recompute the size and redraw for the controls' current values."""
        if self.variants:
            self._update_variants()
            return
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

    # --- variants=True: dilation, the transposed mode, one output cell ---

    @property
    def transposed(self) -> bool:
        """Whether the transposed mode is on (False without ``variants``)."""
        return self.mode is not None and self.mode.value == "transposed"

    def _settings(self) -> tuple[int, int, int, int, int]:
        d = self.dilation.value if self.dilation is not None else 1
        return self.width.value, self.kernel_size.value, self.padding.value, self.stride.value, d

    def _variant_size(self) -> int | None:
        """The output length from utils.conv, None when the setting is invalid."""
        W, k, P, S, d = self._settings()
        span = effective_kernel_size(k, d)
        if self.transposed:
            if (W - 1) * S - 2 * P + span < 1:
                return None
            # transposed_output_size takes no dilation: its formula needs only the span.
            return transposed_output_size(W, span, P, S)
        if span > W + 2 * P:
            return None
        return output_size(W, k, P, S, dilation=d)

    def _fit_output_cell(self, size: int | None, middle: bool = False) -> None:
        """Fit the output-cell slider to ``size`` (without redrawing on the way)."""
        self._redrawing = True
        try:
            self.output_cell.max = max((size or 1) - 1, 0)
            if middle:
                self.output_cell.value = self.output_cell.max // 2
            self.output_cell.disabled = size is None
        finally:
            self._redrawing = False

    def _update_variants(self) -> None:
        W, k, P, S, d = self._settings()
        span = effective_kernel_size(k, d)
        self.size = self._variant_size()
        self._fit_output_cell(self.size)
        span_text = (
            f"effective kernel k_eff = k + (k − 1)(d − 1) = {k} + {k - 1}×{d - 1} = <b>{span}</b>"
        )
        if self.transposed:
            full = (W - 1) * S + span
            formula = (
                f"transposed output size = (W − 1)S − 2P + k_eff = ({W} − 1)×{S} − {2 * P} + {span}"
            )
            if self.size is None:
                text = (
                    f"{formula} = {full - 2 * P}<br><b>Invalid:</b> the {W} input(s) write "
                    f"(W − 1)S + k_eff = {full} output cells, and cropping P = {P} from each "
                    f"side removes 2P = {2 * P} of them: nothing is left. "
                    "Use less padding, or a larger input, stride or kernel."
                )
            else:
                text = f"{formula} = <b>{self.size}</b>"
                if P:
                    text += (
                        f"<br>The {full} cells the inputs write, less {P} cropped from each "
                        "side (faded)."
                    )
        else:
            room = W - span + 2 * P
            if self.size is None:
                text = (
                    f"<b>Invalid:</b> the dilated kernel does not fit in the padded input: "
                    f"W + 2P = {W} + {2 * P} = {W + 2 * P} is smaller than k_eff = {span}. "
                    "Use a smaller kernel or dilation, or more padding."
                )
            else:
                text = (
                    f"output size = floor((W − k_eff + 2P) / S) + 1 = floor(({W} − {span} + "
                    f"{2 * P}) / {S}) + 1 = floor({format_number(room / S)}) + 1 = "
                    f"<b>{self.size}</b>"
                )
                if room % S:
                    text += (
                        f"<br>⚠️ ({room}) / {S} is not a whole number: the last {room % S} "
                        "cell(s) of the padded input are never read, so they are ignored."
                    )
        highlight = None if self.size is None else self.output_cell.value
        if highlight is not None:
            text += f"<br>{self._sources(highlight)}"
        self.message.value = f'<div style="font-size:18px">{span_text}<br>{text}</div>'
        self.figure = connection_figure(W, k, P, S, d, self.transposed, highlight)
        show_figures(self.output, self.figure)

    def _sources(self, cell: int) -> str:
        """Which input cells output ``cell`` gets its value from, as a sentence."""
        W, k, P, S, d = self._settings()
        if not self.transposed:
            cells = ", ".join(str(cell * S + j * d) for j in range(k))
            return f"output cell {cell} reads the padded input's cells {cells} (in orange)."
        # Input i writes output cells i*S + j*d - P: solve for i.
        writers = [
            (cell + P - j * d) // S
            for j in range(k)
            if (cell + P - j * d) % S == 0 and 0 <= (cell + P - j * d) // S < W
        ]
        if not writers:
            return f"output cell {cell} is written by no input cell: it stays 0 (plus the bias)."
        listed = ", ".join(str(i) for i in sorted(writers))
        return f"output cell {cell} is the sum of what input cells {listed} write (in orange)."

    def _on_change(self, change: dict) -> None:
        if not self._redrawing:
            self.update()

    def _ipython_display_(self) -> None:
        display(self.widget)

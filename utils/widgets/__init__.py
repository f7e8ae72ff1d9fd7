"""Interactive widgets for the notebooks, built so that a test can drive them.

Each widget is a small class that holds its controls and the figure it shows
as attributes. A test (or an instructor's script) sets a control's ``value``
and reads the figure back, with no browser involved; in JupyterLab the same
object displays itself as an ipywidgets layout.

- :class:`DigitBrowser` (lesson 00), in :mod:`utils.widgets.browsing`;
- :class:`ConvolutionStepper` (lesson 01) and :class:`OutputSizeCalculator`
  (lesson 02; with ``variants=True``, dilation and a transposed mode for
  lesson 10), in :mod:`utils.widgets.convolution`;
- :class:`FeatureMapExplorer` (lesson 06), in :mod:`utils.widgets.explorer`,
  with the image edits it offers in :mod:`utils.widgets.explorer.edits`;
- :class:`DrawingCanvas` (in :mod:`utils.widgets.canvas`) and
  :class:`DigitReader` (in :mod:`utils.widgets.reader`), the draw-a-digit demo:
  draw with the mouse, a pen or a finger, or pick a test digit with the
  keyboard, and watch the NumPy copy of the pretrained ConvNet read the digit
  (no TensorFlow), or a Keras model of your own;
- :class:`ModelReader` (in :mod:`utils.widgets.network`), how the reader and
  the explorer read a student's Keras model, and :class:`NotADigitReader`,
  the error that says why a model cannot be read.

Every control has a name a screen reader announces and works from the
keyboard (:mod:`utils.widgets._a11y`).

Every widget puts its figures on screen through
:func:`utils.widgets._output.show_figures`.
"""

from utils.widgets.browsing import DigitBrowser
from utils.widgets.canvas import DrawingCanvas
from utils.widgets.convolution import ConvolutionStepper, OutputSizeCalculator
from utils.widgets.explorer import FeatureMapExplorer
from utils.widgets.network import ModelReader, NotADigitReader
from utils.widgets.reader import DigitReader

__all__ = [
    "ConvolutionStepper",
    "DigitBrowser",
    "DigitReader",
    "DrawingCanvas",
    "FeatureMapExplorer",
    "ModelReader",
    "NotADigitReader",
    "OutputSizeCalculator",
]

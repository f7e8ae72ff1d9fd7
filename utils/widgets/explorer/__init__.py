"""Lesson 06's feature-map explorer, in its parts.

- :mod:`~utils.widgets.explorer.edits`: the changes made to a digit (shift, erase);
- :mod:`~utils.widgets.explorer.controls`: the ipywidgets and their layout;
- :mod:`~utils.widgets.explorer.drawing`: the figures and the caption;
- :mod:`~utils.widgets.explorer.widget`: :class:`FeatureMapExplorer`, which composes them
  and reads the model through :class:`utils.widgets.network.ModelReader`.
"""

from utils.widgets.explorer.widget import FeatureMapExplorer

__all__ = ["FeatureMapExplorer"]

"""Helpers shared by the notebooks of *Convolutional Neural Networks, hands-on*.

Importing this package does nothing but define functions: no file is read, no
style is changed and nothing is printed. Import the submodules you need::

    from utils.data import load_mnist
    from utils.plots import image_grid
"""

__all__ = [
    "checks",
    "conv",
    "cost",
    "data",
    "diagrams",
    "drawing",
    "environment",
    "evaluation",
    "figures",
    "gradients",
    "models",
    "numpy_convnet",
    "plots",
    "pooling",
    "saliency",
    "widgets",
]

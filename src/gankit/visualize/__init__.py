"""Pictures of a GAN's samples and training: image grids, 2-D scatters, loss curves.

Image grids enlarge small images by nearest neighbour so that a person can
see them; :func:`save_samples_picture` puts real images beside generated ones,
and :func:`save_memorization_picture` each generated sample beside its nearest
training image.

This package owns the drawing; the callbacks
:class:`~gankit.callbacks.SampleGrid` and :class:`~gankit.callbacks.LossPlot`
and the command line call these functions, and so can scripts. Pillow and
matplotlib are optional (``pip install "gankit[extras]"``) and are imported
only when a picture is saved.
"""

from gankit.visualize.grid import DEFAULT_MIN_CELL, grid_scale, make_grid, save_image_grid
from gankit.visualize.memorization import save_memorization_histogram, save_memorization_picture
from gankit.visualize.plots import save_loss_plot, save_scatter
from gankit.visualize.samples import save_samples_picture

__all__ = [
    "DEFAULT_MIN_CELL",
    "grid_scale",
    "make_grid",
    "save_image_grid",
    "save_loss_plot",
    "save_memorization_histogram",
    "save_memorization_picture",
    "save_samples_picture",
    "save_scatter",
]

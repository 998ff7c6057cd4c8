"""Pictures of a GAN's samples and training: image grids, 2-D scatters, loss curves.

Pillow and matplotlib are optional (``pip install "gankit[extras]"``) and are
imported only when a picture is saved. The callbacks
:class:`~gankit.callbacks.SampleGrid` and :class:`~gankit.callbacks.LossPlot`
use these functions; scripts and the command line can call them directly.
"""

from gankit.callbacks._images import make_grid, save_image_grid
from gankit.callbacks._plotting import save_loss_plot, save_scatter

__all__ = ["make_grid", "save_image_grid", "save_loss_plot", "save_scatter"]

"""Private argument checks shared by models, losses, callbacks, metrics and data.

Validation happens at the library's boundary, and every check raises an error
that names the argument, what was expected and what was given:

* :mod:`~gankit._validation.scalars`: counts, coefficients and fractions,
  returned as plain ``int`` or ``float``;
* :mod:`~gankit._validation.arguments`: paths, shape tuples and generators,
  returned in plain form;
* :mod:`~gankit._validation.tensors`: tensor shapes, logits and labels.

Example:
    >>> from gankit._validation import check_positive_int
    >>> check_positive_int(3, "latent_dim")
    3
"""

from gankit._validation.arguments import (
    check_generator,
    check_image_shape,
    check_path,
    check_shape_tuple,
)
from gankit._validation.scalars import (
    check_finite,
    check_fraction,
    check_nonnegative,
    check_optional_positive_int,
    check_positive_float,
    check_positive_int,
    check_probability,
)
from gankit._validation.tensors import (
    check_batch_logits,
    check_labels,
    check_logits,
    check_same_shape,
    check_shape,
)

__all__ = [
    "check_batch_logits",
    "check_finite",
    "check_fraction",
    "check_generator",
    "check_image_shape",
    "check_labels",
    "check_logits",
    "check_nonnegative",
    "check_optional_positive_int",
    "check_path",
    "check_positive_float",
    "check_positive_int",
    "check_probability",
    "check_same_shape",
    "check_shape",
    "check_shape_tuple",
]

"""The array type of images, for annotations only: numpy is not imported at run time here."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypeAlias

if TYPE_CHECKING:
    import numpy.typing as npt

    #: A grayscale (h, w) or BGR (h, w, 3) image as OpenCV returns it.
    Image: TypeAlias = npt.NDArray[Any]
else:
    Image = Any

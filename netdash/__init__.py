"""netdash: are Communities of Practice connecting front-line staff across agencies?

The library builds practitioner, client and agency networks from contact logs
and COP attendance, and computes the measures the dashboard and the CLI show.
It never imports Streamlit.
"""

from netdash.errors import InvalidInputError, NetdashError

__version__ = "0.1.0"
__all__ = ["NetdashError", "InvalidInputError", "__version__"]

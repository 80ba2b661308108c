"""Network maps drawn in the page itself, through a Streamlit components-v2 module.

A map in ``st.iframe`` is a whole page with vis-network in line: every change
of setting parses and runs it again for each map. Here the module
(:func:`netdash.viz.inpage.maps_module`, which draws on a canvas itself) is
imported once per browser tab, and a rerun sends only the maps' data
(:func:`netdash.viz.inpage.maps_payload`).
"""

import streamlit as st

from netdash.viz.inpage import maps_css, maps_module

NAME = "netdash_maps"


def show(payload, *, key, height):
    """Draw a :func:`netdash.viz.inpage.maps_payload` ``height`` pixels tall, the page's width."""
    # Registering again with the same definition is free and silent; a test's new runtime needs it.
    component = st.components.v2.component(NAME, js=maps_module(), css=maps_css())
    component(data=payload, key=key, height=height)

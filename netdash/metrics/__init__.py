"""Measures on netdash networks, one module per family of measures.

Import the module you need (``from netdash.metrics import basic``); this
package deliberately imports none of them.
"""

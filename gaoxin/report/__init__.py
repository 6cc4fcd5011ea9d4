"""Presentation, defined once for every output: labels (zh/en) and units, symbology (the
colours of each layer kind), the Excel writer, HTML report templates and their SVG maps.

Maps (gaoxin.maps) and reports both draw on it, so a label or a colour means the same in
every output.
"""

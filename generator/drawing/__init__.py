"""The event model as a picture: layout.py places the validated spec's slices on a timeline
(columns left to right, swimlanes per aggregate), html.py renders that layout into one
self-contained HTML page through templates/drawing/, and mermaid.py writes it as a Mermaid
`eventmodeling` diagram.

It imports generator.spec (the intermediate model) and generator.support (where the templates
are), nothing above them.
"""

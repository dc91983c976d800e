"""PDF documents of the committee, drawn with reportlab from plain dataclasses.

`model` holds what a document says (filled in by the services), `letters` and `minutes` turn it
into PDF bytes, `pdf` is the shared page template and the only door through which text reaches
reportlab (escaped: Paragraph text is markup), `fonts` registers the TrueType family they use.
"""

"""Printable sheets of the built notebooks, HTML and PDF, with nothing but wheels
(pandoc, typst). For each notebook, in this order:

    notebook      the notebook made ready for printing (title, numbering, answer space,
                  outputs)
    figures       the printed size of each figure, from its own size and text
    pandoc        pandoc reads it, with the Lua filter (filter.lua) for prompts and outputs
    typst         the PDF: pandoc's typst output (template.typ), compiled by typst
    html          the HTML: one offline file (template.html), math as MathML
    build         all four sheets of a lab written, or none; up to date or not
"""

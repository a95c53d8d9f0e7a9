"""A lab template, from its text to question and solution cells; pure functions.

    parse          template file -> cells that know their template lines (jupytext)
    tags           cells -> question cells and solution cells; every tag mistake
                   collected as ``PATH:LINE: message``
    placeholders   question code cells kept compilable where a block was removed
    blocks         the walk through the lines: tags, blocks, ``## `` sections (guards)
"""

"""What the commands in ``scripts/`` share: the course's pipelines and guards.

    template/    a lab template read, its tags split into question and solution cells
    notebooks/   the cells made into notebooks, executed (or outputs reused), written
    sheets/      printable HTML and PDF sheets of the built notebooks
    release/     the student release: questions, question sheets, utils, one zip
    guards/      what must hold of the built labs: no leaks, right answers pass on
                 other draws, mistakes and mutants fail at their checks

    layout       where everything is (the repository, the build folder)
    settings     the course's settings (course.toml)
    messages     how the commands print (whole lines, paths, plurals)
    fast_imports skip imports nothing here uses (also a pytest plugin)

The pipelines run in this order: ``render.py`` (template, notebooks), then
``make_sheets.py`` (sheets), then ``make_release.py`` (release); the guards read what
they built.
"""

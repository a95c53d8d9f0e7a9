"""Question and solution notebooks built from the template cells, in this order:

    inputs        what a lab is made from, hashed: is it up to date?
    prepare       cells -> notebooks (build); outputs of the last good build reused
                  where the code has not changed (reuse), a job for each other one
    schedule      the jobs executed (execute: nbclient kernels), longest first, a few
                  at a time; Ctrl-C and SIGTERM stop every kernel
    finish        the four files and the stamp written atomically (write, stamps),
                  or the failure told in template lines (cell_errors)
"""

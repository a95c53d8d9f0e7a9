"""What must hold of the built labs, each guard a module:

    leaks          nothing of a solution in a question notebook or a check cell
    release        nothing of a solution in the student release
    numbers        every number the text quotes from a run is printed by an output
    mutants        one changed operator in a solution fails the lab's checks
    robust         right answers pass on other seeds and thread counts
    mistakes       students' mistakes fail at their own exercise's check
    solution_runs  solution cells run one at a time in a kernel (robust, mistakes)
"""

"""The tag language, rule by rule, on tiny templates written in the tests."""
import textwrap

import pytest

from courseware.template.parse import TemplateError, decode_template, parse_template
from courseware.template.placeholders import PLACEHOLDER, compile_error
from courseware.template.tags import split_template

FENCE = "```"


def md(text: str) -> str:
    """Dedent a template and turn ''' into a code fence (keeps the tests readable)."""
    return textwrap.dedent(text).lstrip("\n").replace("'''", FENCE)


def split(text: str):
    return split_template(parse_template("lab.md", md(text)))


def cells(rendered):
    return [(cell.cell_type, cell.source) for cell in rendered]


def errors(text: str) -> list[str]:
    with pytest.raises(TemplateError) as caught:
        split(text)
    return str(caught.value).splitlines()


# ---- blocks in code -------------------------------------------------------------

def test_code_block_removed_from_question_kept_in_solution():
    question, solution = split("""
        '''python
        x = 1
        #!TAG HWBEGIN
        y = x + 1
        #!TAG HWEND
        print(x)
        '''
        """)
    assert cells(question) == [("code", "x = 1\nprint(x)")]
    assert cells(solution) == [("code", "x = 1\ny = x + 1\nprint(x)")]


def test_msg_becomes_comment_at_its_indentation_in_code():
    question, solution = split("""
        '''python
        for i in range(3):
            #!TAG HWBEGIN
            #!MSG TODO print i
            print(i)
            #!TAG HWEND
        '''
        """)
    assert cells(question) == [("code", f"for i in range(3):\n    # TODO print i\n    {PLACEHOLDER}")]
    assert cells(solution) == [("code", "for i in range(3):\n    print(i)")]


def test_empty_msg_is_an_empty_comment():
    question, _ = split("""
        '''python
        #!TAG HWBEGIN
        #!MSG
        x = 1
        #!TAG HWEND
        '''
        """)
    assert cells(question) == [("code", "#")]


# ---- blocks in prose --------------------------------------------------------------

def test_prose_block_and_msg():
    question, solution = split("""
        # Exercise

        Compute the gradient.

        #!TAG HWBEGIN
        #!MSG Write your answer here.
        The gradient is $2x$.
        #!TAG HWEND

        Next part.
        """)
    assert cells(question) == [("markdown", "# Exercise\n\nCompute the gradient.\n\n"
                                            "Write your answer here.\n\nNext part.")]
    assert cells(solution) == [("markdown", "# Exercise\n\nCompute the gradient.\n\n"
                                            "The gradient is $2x$.\n\nNext part.")]


def test_question_text_cells_record_where_a_block_was_cut_for_the_sheets():
    question, solution = split("""
        Question one.

        #!TAG HWBEGIN
        Answer one.
        #!TAG HWEND

        Question two.
        #!TAG HWBEGIN
        Answer two.
        """ + "#!TAG HWEND\n")
    assert question[0].lines == ["Question one.", "", "Question two."]
    assert question[0].metadata["answer_space"] == [2, 3]
    assert "answer_space" not in solution[0].metadata


def test_the_room_for_an_answer_follows_the_length_of_the_hidden_text():
    long_line = "A worked solution line, long enough to fill most of a typeset line of the sheet."
    question, _ = split("Question one.\n\n#!TAG HWBEGIN\nShort.\n#!TAG HWEND\n\nQuestion two.\n\n"
                        "#!TAG HWBEGIN\n### Solution\n\n" + "\n".join([long_line] * 30)
                        + "\n\n$$\n#!TAG HWEND\n")
    # 1 line of text -> the fewest lines (4); 31 lines (a heading, 30 of text; not '$$') -> 16
    assert question[0].metadata["answer_space"] == [2, 3]
    assert question[0].metadata["answer_lines"] == [4, 16]


def test_the_author_sets_the_room_for_one_answer_inside_the_block():
    question, solution = split("""
        Question one.

        #!TAG HWBEGIN
        <!-- answer space: 9 lines -->
        Short.
        #!TAG HWEND

        Question two, answered in the text already.

        #!TAG HWBEGIN
        <!-- Answer space: none -->
        Nothing to write.
        #!TAG HWEND
        """)
    assert question[0].metadata["answer_space"] == [2]
    assert question[0].metadata["answer_lines"] == [9]
    assert "<!-- answer space: 9 lines -->" in solution[0].source    # an HTML comment there


def test_a_text_cell_wholly_inside_a_block_leaves_room_after_the_cell_before_it():
    # As at the end of lab 3: the last question's solution follows a code cell.
    question, _ = split("""
        Question.

        '''python
        x = 1
        '''

        #!TAG HWBEGIN
        ### Solution
        The answer.
        #!TAG HWEND
        """)
    assert cells(question) == [("markdown", "Question."), ("code", "x = 1")]
    assert question[1].metadata["answer_space"] == [1]          # after the code cell's line
    assert question[1].metadata["answer_lines"] == [4]
    assert "answer_space" not in question[0].metadata


def test_a_block_spanning_cells_leaves_one_room_where_it_was_first_cut():
    question, _ = split("""
        Question.
        #!TAG HWBEGIN
        First part of the answer.

        '''python
        answer = 42
        '''

        Last part of the answer.
        #!TAG HWEND

        Next.
        """)
    assert cells(question) == [("markdown", "Question."), ("markdown", "Next.")]
    assert question[0].metadata["answer_space"] == [1]
    assert "answer_space" not in question[1].metadata


def test_a_block_before_any_question_cell_leaves_room_at_the_next_one():
    question, _ = split("""
        #!TAG HWBEGIN
        A solution first.
        #!TAG HWEND

        '''python
        x = 1
        '''

        Text.
        """)
    assert cells(question) == [("code", "x = 1"), ("markdown", "Text.")]
    assert question[0].metadata["answer_space"] == [0]


def test_cell_wholly_inside_block_is_dropped_not_left_empty():
    question, solution = split("""
        Intro.
        #!TAG HWBEGIN

        '''python
        answer = 42
        '''

        #!TAG HWEND
        '''python
        print("after")
        '''
        """)
    assert cells(question) == [("markdown", "Intro."), ("code", 'print("after")')]
    assert cells(solution) == [("markdown", "Intro."), ("code", "answer = 42"),
                               ("code", 'print("after")')]


def test_block_crossing_a_region_boundary_keeps_every_other_cell():
    # As in lab 3's exercise 1: the solution starts inside a region, leaves it, and
    # ends in plain text just before the next heading.
    question, solution = split("""
        <!-- #region -->
        Play with the learning rate.

        #!TAG HWBEGIN
        ### Solution

        | t | x |
        | --- | --- |
        | 1 | 6 |
        <!-- #endregion -->

        1. first step
        2. second step

        #!TAG HWEND

        ## Exercise 2

        Chain rule.

        '''python
        x = 1
        '''

        <!-- #region -->
        Last words.
        <!-- #endregion -->
        """)
    assert cells(question) == [
        ("markdown", "Play with the learning rate."),
        ("markdown", "## Exercise 2\n\nChain rule."),
        ("code", "x = 1"),
        ("markdown", "Last words."),
    ]
    assert cells(solution) == [
        ("markdown", "Play with the learning rate.\n\n### Solution\n\n| t | x |\n| --- | --- |\n| 1 | 6 |"),
        ("markdown", "1. first step\n2. second step\n\n## Exercise 2\n\nChain rule."),
        ("code", "x = 1"),
        ("markdown", "Last words."),
    ]


def test_block_spanning_code_and_text_cells():
    question, solution = split("""
        '''python
        a = 1
        #!TAG HWBEGIN
        b = 2
        '''

        Explanation of b.

        '''python
        c = 3
        #!TAG HWEND
        d = 4
        '''
        """)
    assert cells(question) == [("code", "a = 1"), ("code", "d = 4")]
    assert cells(solution) == [("code", "a = 1\nb = 2"), ("markdown", "Explanation of b."),
                               ("code", "c = 3\nd = 4")]


# ---- SKIPQUESTEXEC ---------------------------------------------------------------

def test_skipquestexec_tags_the_question_cell_only():
    question, solution = split("""
        '''python
        #!TAG SKIPQUESTEXEC
        result = solve()
        '''
        """)
    assert cells(question) == [("code", "result = solve()")]
    assert question[0].metadata["tags"] == ["skip-execution", "nbval-skip"]
    assert cells(solution) == [("code", "result = solve()")]
    assert "tags" not in solution[0].metadata


def test_skipquestexec_keeps_existing_cell_tags():
    question, _ = split("""
        '''python tags=["keep"]
        #!TAG SKIPQUESTEXEC
        x = 1
        '''
        """)
    assert question[0].metadata["tags"] == ["keep", "skip-execution", "nbval-skip"]


# ---- placeholders ----------------------------------------------------------------

def test_placeholder_at_body_indentation_when_tags_sit_at_column_zero():
    question, _ = split("""
        '''python
        def sigmoid(x):
        #!TAG HWBEGIN
        #!MSG TODO compute the sigmoid
            return 1 / (1 + math.exp(-x))
        #!TAG HWEND

        def other():
            return 1
        '''
        """)
    assert question[0].source == (f"def sigmoid(x):\n# TODO compute the sigmoid\n    {PLACEHOLDER}\n\n"
                                  "def other():\n    return 1")


def test_placeholders_in_nested_and_several_bodies():
    question, _ = split("""
        '''python
        class Model:
            def forward(self, x):
                #!TAG HWBEGIN
                return x
                #!TAG HWEND

            def backward(self, g):
                if g is None:
                    #!TAG HWBEGIN
                    return 0
                    #!TAG HWEND
                else:
                    #!TAG HWBEGIN
                    return g
                    #!TAG HWEND
        '''
        """)
    assert question[0].source == (
        f"class Model:\n    def forward(self, x):\n        {PLACEHOLDER}\n\n"
        f"    def backward(self, g):\n        if g is None:\n            {PLACEHOLDER}\n"
        f"        else:\n            {PLACEHOLDER}")


def test_a_block_removed_from_a_function_leaves_a_placeholder_even_where_it_compiles():
    """An unfinished function must raise, not return None or a half-made value."""
    question, _ = split("""
        '''python
        def f(x):
            \"\"\"Doubled.\"\"\"
            y = x
            #!TAG HWBEGIN
            y = y * 2
            #!TAG HWEND
            return y
        '''
        """)
    assert question[0].source == (
        'def f(x):\n    """Doubled."""\n    y = x\n    raise NotImplementedError\n    return y')


def test_no_placeholder_inside_brackets_where_a_statement_cannot_stand():
    question, _ = split("""
        '''python
        def f(x):
            value = (
                #!TAG HWBEGIN
                x * 2
                #!TAG HWEND
            )
            return value
        '''
        """)
    assert PLACEHOLDER not in question[0].source
    assert compile_error(question[0].source) is None


def test_no_placeholder_for_a_block_outside_every_function():
    question, _ = split("""
        '''python
        y = 1
        for i in range(3):
            #!TAG HWBEGIN
            y = y * 2
            #!TAG HWEND
            print(i)
        '''
        """)
    assert PLACEHOLDER not in question[0].source


def test_every_question_cell_compiles_and_magics_are_fine():
    question, _ = split("""
        '''python
        %matplotlib inline
        for epoch in range(3):
            #!TAG HWBEGIN
            train()
            #!TAG HWEND
        '''

        '''python
        with open("f") as handle:
            #!TAG HWBEGIN
            data = handle.read()
            #!TAG HWEND
        '''
        """)
    for cell in question:
        assert compile_error(cell.source) is None, cell.source


# ---- line endings and encodings ---------------------------------------------------

def test_windows_line_endings_and_byte_order_mark_are_accepted():
    data = "\ufeff```python\r\nx = 1\r\n#!TAG HWBEGIN\r\ny = 2\r\n#!TAG HWEND\r\n```\r\n".encode()
    question, solution = split_template(parse_template("lab.md", decode_template("lab.md", data)))
    assert cells(question) == [("code", "x = 1")]
    assert cells(solution) == [("code", "x = 1\ny = 2")]


# ---- errors: each one PATH:LINE: message --------------------------------------------

def test_unclosed_block():
    assert errors("""
        Text.

        #!TAG HWBEGIN
        secret
        """) == ["lab.md:3: HWBEGIN is never closed by HWEND"]


def test_stray_hwend():
    assert errors("""
        '''python
        x = 1
        #!TAG HWEND
        '''
        """) == ["lab.md:3: HWEND without a matching HWBEGIN"]


def test_nested_hwbegin():
    assert errors("""
        #!TAG HWBEGIN
        a
        #!TAG HWBEGIN
        b
        #!TAG HWEND
        """) == ["lab.md:3: HWBEGIN inside the block opened at line 1; blocks do not nest"]


def test_msg_outside_block():
    assert errors("""
        '''python
        #!MSG TODO
        x = 1
        '''
        """) == ["lab.md:2: MSG outside an HWBEGIN/HWEND block"]


def test_skipquestexec_in_prose():
    assert errors("""
        Some text.
        #!TAG SKIPQUESTEXEC
        """) == ["lab.md:2: SKIPQUESTEXEC in a text cell; it only applies to code cells"]


def test_skipquestexec_inside_block():
    assert errors("""
        '''python
        #!TAG HWBEGIN
        #!TAG SKIPQUESTEXEC
        x = 1
        #!TAG HWEND
        '''
        """) == ["lab.md:3: SKIPQUESTEXEC inside the block opened at line 2; put it outside the block"]


@pytest.mark.parametrize("tag, closest", [
    ("#!TAG HWBEGN", "#!TAG HWBEGIN"),
    ("#!TAG SKIPQUESTEXEC'", "#!TAG SKIPQUESTEXEC"),
    ("#!tag hwend", "#!TAG HWEND"),
    ("#!MSGTODO fill in", "#!MSG"),
    ("#!TGA HWBEGIN", "#!TAG HWBEGIN"),
])
def test_misspelt_tag_names_the_closest_known_tag(tag, closest):
    assert errors(f"""
        '''python
        x = 1
        {tag}
        '''
        """) == [f"lab.md:3: unknown tag '{tag}'; did you mean '{closest}'?"]


def test_tag_on_the_first_line_is_a_tag_not_a_shebang():
    question, solution = split("""
        #!TAG HWBEGIN
        Solution text.
        #!TAG HWEND
        Question text.
        """)
    assert cells(question) == [("markdown", "Question text.")]
    assert cells(solution) == [("markdown", "Solution text.\nQuestion text.")]


def test_shebang_is_not_a_tag():
    question, _ = split("""
        '''python
        #!/usr/bin/env python
        x = 1
        '''
        """)
    assert cells(question) == [("code", "#!/usr/bin/env python\nx = 1")]


def test_every_mistake_is_reported_in_line_order():
    assert errors("""
        #!MSG lost
        '''python
        #!TAG HWEND
        '''
        #!TAG SKIPQUESTEXEC
        """) == ["lab.md:1: MSG outside an HWBEGIN/HWEND block",
                 "lab.md:3: HWEND without a matching HWBEGIN",
                 "lab.md:5: SKIPQUESTEXEC in a text cell; it only applies to code cells"]


def test_question_cell_that_cannot_compile_is_reported():
    # Removing the block cuts a call in half: no placeholder can repair that.
    assert errors("""
        '''python
        total = add(1,
        #!TAG HWBEGIN
                    2)
        #!TAG HWEND
        '''
        """) == ["lab.md:2: the question code cell starting at line 2 does not compile: "
                 "SyntaxError: '(' was never closed"]


def test_not_utf8():
    with pytest.raises(TemplateError) as caught:
        decode_template("lab.md", "ok\nline two \xe9\n".encode("latin-1"))
    assert str(caught.value) == ("lab.md:2: not valid UTF-8: byte 0xe9 cannot be decoded "
                                 "(save the template as UTF-8)")


def test_unreadable_yaml_header():
    assert errors("""
        ---
        jupyter: [unclosed
        ---

        # Title
        """) == ["lab.md:2: the YAML header cannot be read: while parsing a flow sequence "
                 "expected ',' or ']', but got '<document start>'"]


def test_unclosed_code_fence():
    assert errors("""
        Text.

        '''python
        x = 1
        """) == ["lab.md:3: code fence '```' is never closed"]


def test_unclosed_region():
    assert errors("""
        <!-- #region -->
        Text.
        """) == ["lab.md:1: '<!-- #region -->' is never closed by '<!-- #endregion -->'"]

"""Tests for the offset-keeping bash tokenizer (shiplint.parse.shell)."""

from __future__ import annotations

import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shiplint.parse.shell import Command, parse_script
from shiplint.parse.shell_expand import expand, variable_refs
from shiplint.parse.shell_words import Word


def argvs(cmds: list[Command]) -> list[list[str]]:
    return [c.argv for c in cmds]


def span(text: str, sub: str, nth: int = 0) -> tuple[int, int]:
    """Offsets of the ``nth`` occurrence of ``sub`` in ``text``."""
    i = -1
    for _ in range(nth + 1):
        i = text.index(sub, i + 1)
    return i, i + len(sub)


def word(text: str, value: str, source: str | None = None, nth: int = 0) -> Word:
    """The Word with ``value`` whose source text is ``source`` (default: ``value``)."""
    src = value if source is None else source
    start, end = span(text, src, nth)
    return Word(value, start, end, src != value)


def assigns(cmd: Command) -> dict[str, str]:
    return {name: value.text for name, value in cmd.assigns}


def check_invariants(text: str, cmds: list[Command]) -> None:
    n = len(text)
    for cmd in cmds:
        assert 0 <= cmd.start <= cmd.end <= n
        assert cmd.words or cmd.assigns
        for w in [*cmd.words, *(v for _, v in cmd.assigns)]:
            assert 0 <= w.start <= w.end <= n
            assert cmd.start <= w.start
            assert w.end <= cmd.end
            raw = text[w.start : w.end]
            if not w.quoted and "\\\n" not in raw and "\\\r\n" not in raw:
                assert w.text == raw


SKLEARN = """\
#!/bin/bash
set -euo pipefail
if [[ "$GITHUB_EVENT_NAME" == "schedule" ]]; then
    ANACONDA_ORG="scipy-wheels-nightly"
    ANACONDA_TOKEN="$SCIKIT_LEARN_NIGHTLY_UPLOAD_TOKEN"
else
    ANACONDA_ORG="scikit-learn-wheels-staging"
fi
if [ "$ANACONDA_TOKEN" == "" ]; then echo "no token, skipping."; exit 0; fi
anaconda -t $ANACONDA_TOKEN upload --force -u $ANACONDA_ORG dist/artifact/*
"""


def test_nightly_upload_script() -> None:
    text = SKLEARN
    cmds = parse_script(text)
    check_invariants(text, cmds)
    assert argvs(cmds) == [
        ["set", "-euo", "pipefail"],
        ["[[", "$GITHUB_EVENT_NAME", "==", "schedule", "]]"],
        [],
        [],
        [],
        ["[", "$ANACONDA_TOKEN", "==", "", "]"],
        ["echo", "no token, skipping."],
        ["exit", "0"],
        [
            "anaconda",
            "-t",
            "$ANACONDA_TOKEN",
            "upload",
            "--force",
            "-u",
            "$ANACONDA_ORG",
            "dist/artifact/*",
        ],
    ]
    assert cmds[0].start == 12
    assert cmds[0].words[0] == Word("set", 12, 15, False)
    assert cmds[1].words[1] == word(text, "$GITHUB_EVENT_NAME", '"$GITHUB_EVENT_NAME"')
    assert cmds[1].words[3] == word(text, "schedule", '"schedule"')
    # bare assignments: no words, the Word covers the value (quotes included)
    org = cmds[2]
    assert not org.exported
    assert org.assigns == [
        ("ANACONDA_ORG", word(text, "scipy-wheels-nightly", '"scipy-wheels-nightly"'))
    ]
    assert org.start == text.index("ANACONDA_ORG=")
    assert org.end == span(text, '"scipy-wheels-nightly"')[1]
    assert cmds[3].assigns == [
        (
            "ANACONDA_TOKEN",
            word(
                text, "$SCIKIT_LEARN_NIGHTLY_UPLOAD_TOKEN", '"$SCIKIT_LEARN_NIGHTLY_UPLOAD_TOKEN"'
            ),
        )
    ]
    assert assigns(cmds[4]) == {"ANACONDA_ORG": "scikit-learn-wheels-staging"}
    empty = cmds[5].words[3]
    assert empty == Word("", span(text, '""')[0], span(text, '""')[1], True)
    upload = cmds[8]
    assert upload.start == text.index("anaconda -t")
    assert upload.end == len(text) - 1
    assert upload.words[2] == word(text, "$ANACONDA_TOKEN", nth=1)
    assert upload.words[6] == word(text, "$ANACONDA_ORG", nth=0)
    assert upload.words[7] == word(text, "dist/artifact/*")


def test_follow_assignments_through_expand() -> None:
    env: dict[str, str] = {}
    target = None
    for cmd in parse_script(SKLEARN):
        for name, value in cmd.assigns:
            if not cmd.words:
                env.setdefault(name, value.text)
        if cmd.argv[:1] == ["anaconda"]:
            target = cmd
    assert target is not None
    idx = target.argv.index("-u")
    assert expand(target.words[idx + 1].text, env.get) == "scipy-wheels-nightly"
    assert variable_refs(target.words[idx + 1].text) == ["ANACONDA_ORG"]


def test_github_expression_is_one_word() -> None:
    text = (
        "anaconda -q -t ${{ secrets.ANACONDA_TOKEN }} upload --skip"
        " -u ${ANACONDA_ORG} ./wheelhouse/*.whl\n"
        'uv publish --token "${{ secrets.PYPI_TOKEN }}"\n'
        "echo ${{ github.ref == 'refs/heads/main' && 'yes' || 'no' }}x\n"
    )
    cmds = parse_script(text)
    check_invariants(text, cmds)
    assert argvs(cmds) == [
        [
            "anaconda",
            "-q",
            "-t",
            "${{ secrets.ANACONDA_TOKEN }}",
            "upload",
            "--skip",
            "-u",
            "${ANACONDA_ORG}",
            "./wheelhouse/*.whl",
        ],
        ["uv", "publish", "--token", "${{ secrets.PYPI_TOKEN }}"],
        ["echo", "${{ github.ref == 'refs/heads/main' && 'yes' || 'no' }}x"],
    ]
    assert cmds[0].words[3] == word(text, "${{ secrets.ANACONDA_TOKEN }}")
    assert cmds[1].words[3] == word(
        text, "${{ secrets.PYPI_TOKEN }}", '"${{ secrets.PYPI_TOKEN }}"'
    )


def test_github_run_block() -> None:
    text = """\
python -m pip install --upgrade pip build twine
python -m build --sdist --wheel
# upload to TestPyPI first
python -m twine upload -r testpypi --skip-existing dist/*  # test
TWINE_USERNAME=__token__ TWINE_PASSWORD=${{ secrets.PYPI }} twine upload dist/*
"""
    cmds = parse_script(text)
    check_invariants(text, cmds)
    assert argvs(cmds) == [
        ["python", "-m", "pip", "install", "--upgrade", "pip", "build", "twine"],
        ["python", "-m", "build", "--sdist", "--wheel"],
        ["python", "-m", "twine", "upload", "-r", "testpypi", "--skip-existing", "dist/*"],
        ["twine", "upload", "dist/*"],
    ]
    last = cmds[3]
    assert assigns(last) == {
        "TWINE_USERNAME": "__token__",
        "TWINE_PASSWORD": "${{ secrets.PYPI }}",
    }
    assert last.assigns[1][1] == word(text, "${{ secrets.PYPI }}")
    assert last.start == text.index("TWINE_USERNAME")


def test_line_continuations_keep_offsets() -> None:
    text = (
        "python -m twine upload \\\n  --repository testpypi \\\n  dist/*.whl\n"
        'uv pub\\\nlish --token "$T"\n'
    )
    cmds = parse_script(text)
    check_invariants(text, cmds)
    assert argvs(cmds) == [
        ["python", "-m", "twine", "upload", "--repository", "testpypi", "dist/*.whl"],
        ["uv", "publish", "--token", "$T"],
    ]
    assert cmds[0].words[4] == word(text, "--repository")
    assert cmds[0].words[6] == word(text, "dist/*.whl")
    assert cmds[0].end == span(text, "dist/*.whl")[1]
    # a word spanning a continuation: starts at `p`, ends after `h`
    pub = cmds[1].words[1]
    assert pub == Word("publish", text.index("pub\\"), text.index("lish") + 4, False)
    assert cmds[1].words[3] == word(text, "$T", '"$T"')


def test_continuation_at_word_end_is_not_part_of_the_word() -> None:
    text = "poetry publish\\\n --build\n"
    cmds = parse_script(text)
    assert argvs(cmds) == [["poetry", "publish", "--build"]]
    assert cmds[0].words[1] == Word("publish", 7, 14, False)


def test_pip_index_settings() -> None:
    text = (
        "python -m pip install --pre --upgrade --extra-index-url "
        "https://pypi.anaconda.org/scientific-python-nightly-wheels/simple numpy\n"
        "pip install --pre -i https://pypi.anaconda.org/scipy-wheels-nightly/simple numpy\n"
        "export PIP_EXTRA_INDEX_URL=https://pypi.anaconda.org/scipy-wheels-nightly/simple\n"
        "export PIP_PRE=1 UV_INDEX_URL='https://example.org/simple'\n"
    )
    cmds = parse_script(text)
    check_invariants(text, cmds)
    assert argvs(cmds)[:2] == [
        [
            "python",
            "-m",
            "pip",
            "install",
            "--pre",
            "--upgrade",
            "--extra-index-url",
            "https://pypi.anaconda.org/scientific-python-nightly-wheels/simple",
            "numpy",
        ],
        [
            "pip",
            "install",
            "--pre",
            "-i",
            "https://pypi.anaconda.org/scipy-wheels-nightly/simple",
            "numpy",
        ],
    ]
    exp = cmds[2]
    assert exp.exported
    assert exp.words == []
    url = "https://pypi.anaconda.org/scipy-wheels-nightly/simple"
    assert exp.assigns == [("PIP_EXTRA_INDEX_URL", word(text, url, nth=1))]
    assert exp.start == span(text, "export", 0)[0]
    two = cmds[3]
    assert two.exported
    assert two.assigns == [
        ("PIP_PRE", word(text, "1")),
        (
            "UV_INDEX_URL",
            word(text, "https://example.org/simple", "'https://example.org/simple'"),
        ),
    ]


def test_declarations() -> None:
    text = (
        "declare -x A=1\n"
        "declare -r B=2\n"
        "typeset -gx C=3\n"
        'readonly D="four"\n'
        "local E=5 F\n"
        'export "G=seven" H\n'
        "export -- I=8\n"
        "export J\n"
    )
    cmds = parse_script(text)
    check_invariants(text, cmds)
    assert [(assigns(c), c.exported, c.words) for c in cmds] == [
        ({"A": "1"}, True, []),
        ({"B": "2"}, False, []),
        ({"C": "3"}, True, []),
        ({"D": "four"}, False, []),
        ({"E": "5"}, False, []),
        ({"G": "seven"}, True, []),
        ({"I": "8"}, True, []),
    ]
    g = cmds[5].assigns[0][1]
    assert g == Word("seven", text.index("seven"), text.index('seven"') + 6, True)


def test_env_sudo_and_other_wrappers() -> None:
    text = (
        "env TWINE_USERNAME=__token__ twine upload dist/*\n"
        "env -i -u HOME -- PATH=/bin twine check dist/*\n"
        'sudo -E -u root "PATH=$PATH" twine upload x\n'
        "command twine upload y\n"
        "command -v twine\n"
        "exec -a name twine upload z\n"
        "nohup twine upload w &\n"
        "time -p twine upload v\n"
        "env\n"
        "exec >log 2>&1\n"
        "xargs twine upload < files\n"
    )
    cmds = parse_script(text)
    check_invariants(text, cmds)
    assert argvs(cmds) == [
        ["twine", "upload", "dist/*"],
        ["twine", "check", "dist/*"],
        ["twine", "upload", "x"],
        ["twine", "upload", "y"],
        ["command", "-v", "twine"],
        ["twine", "upload", "z"],
        ["twine", "upload", "w"],
        ["twine", "upload", "v"],
        ["env"],
        ["exec"],
        ["xargs", "twine", "upload"],
    ]
    assert assigns(cmds[0]) == {"TWINE_USERNAME": "__token__"}
    assert cmds[0].start == 0
    assert cmds[0].assigns[0][1] == word(text, "__token__")
    assert assigns(cmds[1]) == {"PATH": "/bin"}
    assert assigns(cmds[2]) == {"PATH": "$PATH"}
    assert cmds[2].assigns[0][1].start == text.index("$PATH")
    assert cmds[2].start == text.index("sudo")


def test_reserved_words_are_stripped() -> None:
    text = (
        'if [[ -n "$T" ]]; then anaconda upload x; fi\n'
        "if ! twine check dist/*; then exit 1; elif true; then :; else echo no; fi\n"
        'while read -r f; do twine upload "$f"; done < list.txt\n'
        "until false; do break; done\n"
        "for f in dist/*.whl; do uv publish $f; done\n"
        "{ twine upload a; } || { echo failed; }\n"
        "(cd sub && twine upload b)\n"
        "time twine upload c\n"
    )
    cmds = parse_script(text)
    check_invariants(text, cmds)
    assert argvs(cmds) == [
        ["[[", "-n", "$T", "]]"],
        ["anaconda", "upload", "x"],
        ["twine", "check", "dist/*"],
        ["exit", "1"],
        ["true"],
        [":"],
        ["echo", "no"],
        ["read", "-r", "f"],
        ["twine", "upload", "$f"],
        ["false"],
        ["break"],
        ["for", "f", "in", "dist/*.whl"],
        ["uv", "publish", "$f"],
        ["twine", "upload", "a"],
        ["echo", "failed"],
        ["cd", "sub"],
        ["twine", "upload", "b"],
        ["twine", "upload", "c"],
    ]
    assert cmds[1].start == text.index("anaconda")
    assert cmds[1].words[0] == word(text, "anaconda")


def test_double_bracket_operators_stay_inside() -> None:
    text = (
        '[[ -n "$A" && ( "$B" == x || $C < d ) ]] && twine upload e\n'
        "[[ $REF =~ ^refs/tags/(v[0-9]+)$ ]]&&echo tag\n"
    )
    cmds = parse_script(text)
    check_invariants(text, cmds)
    assert argvs(cmds) == [
        ["[[", "-n", "$A", "&&", "(", "$B", "==", "x", "||", "$C", "<", "d", ")", "]]"],
        ["twine", "upload", "e"],
        ["[[", "$REF", "=~", "^refs/tags/(v[0-9]+)$", "]]"],
        ["echo", "tag"],
    ]


def test_separators() -> None:
    text = "a 1; b 2 && c 3 || d 4 | e 5 & f 6 |& g 7\nh 8;i 9"
    cmds = parse_script(text)
    check_invariants(text, cmds)
    assert argvs(cmds) == [[c, str(k)] for k, c in enumerate("abcdefghi", 1)]
    assert [c.start for c in cmds] == [text.index(c + " ") for c in "abcdefghi"]


def test_comments() -> None:
    text = (
        "#!/bin/sh\n"
        "# twine upload commented\n"
        "echo a#b '#c' \"#d\" \\#e # twine upload trailing\n"
        "  # indented comment\n"
        "echo x;# after semicolon\n"
    )
    cmds = parse_script(text)
    check_invariants(text, cmds)
    assert argvs(cmds) == [["echo", "a#b", "#c", "#d", "#e"], ["echo", "x"]]


def test_quotes_and_escapes() -> None:
    text = (
        'echo \'single $X \\n\' "dbl \\" \\\\ \\$Y \\z `date`" un\\ quoted '
        "$'ansi\\t\\x41\\u00e9\\'q' $\"loc $Z\" a\"b\"'c'd\n"
    )
    cmds = parse_script(text)
    check_invariants(text, cmds)
    assert argvs(cmds) == [
        [
            "echo",
            "single $X \\n",
            'dbl " \\ $Y \\z `date`',
            "un quoted",
            "ansi\tAé'q",
            "loc $Z",
            "abcd",
        ]
    ]
    w = cmds[0].words
    assert w[1] == word(text, "single $X \\n", "'single $X \\n'")
    assert w[3] == word(text, "un quoted", "un\\ quoted")
    assert w[4].start == text.index("$'ansi")
    assert w[4].end == text.index(' $"loc')
    assert w[6] == word(text, "abcd", "a\"b\"'c'd")
    assert all(x.quoted for x in w[1:])
    assert not w[0].quoted


def test_command_substitution_kept_literally() -> None:
    text = (
        'VERSION=$(python -c "import x; print(x.__version__)")\n'
        'TAG=`git describe --tags`; echo $(echo \')\' "$(date +%s)") ${A:-"}"} $((1 + (2 * 3)))\n'
        "twine upload dist/*-$(cat VERSION | tr -d '\\n')*.whl\n"
    )
    cmds = parse_script(text)
    check_invariants(text, cmds)
    assert assigns(cmds[0]) == {"VERSION": '$(python -c "import x; print(x.__version__)")'}
    assert assigns(cmds[1]) == {"TAG": "`git describe --tags`"}
    assert argvs(cmds)[2:] == [
        ["echo", "$(echo ')' \"$(date +%s)\")", '${A:-"}"}', "$((1 + (2 * 3)))"],
        ["twine", "upload", "dist/*-$(cat VERSION | tr -d '\\n')*.whl"],
    ]
    assert cmds[3].words[2] == word(text, "dist/*-$(cat VERSION | tr -d '\\n')*.whl")


def test_make_style_variables() -> None:
    text = "$(PYTHON) -m twine upload $(DIST)/* --comment $$HOME $${X} $$(date)\n"
    cmds = parse_script(text)
    check_invariants(text, cmds)
    assert argvs(cmds) == [
        [
            *("$(PYTHON)", "-m", "twine", "upload", "$(DIST)/*"),
            *("--comment", "$$HOME", "$${X}", "$$(date)"),
        ]
    ]


def test_redirections_are_removed() -> None:
    text = (
        "twine upload dist/* 2>&1 >> log.txt\n"
        "echo hi > out.txt; cat < in.txt >&2\n"
        "cmd &> /dev/null x\n"
        ">first echo after\n"
        "exec {fd}>lock cmd2\n"
        'cat <<< "here string" more\n'
        "diff <(ls a) >(tee b)\n"
        "echo 2>err 3 4>\n"
    )
    cmds = parse_script(text)
    check_invariants(text, cmds)
    assert argvs(cmds) == [
        ["twine", "upload", "dist/*"],
        ["echo", "hi"],
        ["cat"],
        ["cmd", "x"],
        ["echo", "after"],
        ["cmd2"],
        ["cat", "more"],
        ["diff", "<(ls a)", ">(tee b)"],
        ["echo", "3"],
    ]


def test_heredocs_are_skipped() -> None:
    text = (
        "cat > ~/.pypirc <<EOF\n"
        "[pypi]\n"
        "username = __token__\n"
        "twine upload not-a-command\n"
        "EOF\n"
        "cat <<-'END' | python - ; echo same line\n"
        "\tanaconda upload nope\n"
        "\tEND\n"
        'cat <<"A" <<B\n'
        "a body $(x\n"
        "A\n"
        "b body'\n"
        "B\n"
        "twine upload real\n"
    )
    cmds = parse_script(text)
    check_invariants(text, cmds)
    assert argvs(cmds) == [
        ["cat"],
        ["cat"],
        ["python", "-"],
        ["echo", "same", "line"],
        ["cat"],
        ["twine", "upload", "real"],
    ]
    assert cmds[-1].start == text.index("twine upload real")


def test_unterminated_heredoc_swallows_the_rest() -> None:
    text = "cat <<EOF\nbody\n  EOF\ntwine upload x\n"
    assert argvs(parse_script(text)) == [["cat"]]


def test_case_statement() -> None:
    text = """\
case "$GITHUB_REF" in
  refs/tags/*) twine upload dist/* ;;
  (main|master)
    ANACONDA_ORG=nightly
    anaconda upload x
    ;;
  *) echo skip;;
esac
echo done
case $x in a) echo a;; esac; echo after
"""
    cmds = parse_script(text)
    check_invariants(text, cmds)
    assert argvs(cmds) == [
        ["case", "$GITHUB_REF", "in"],
        ["twine", "upload", "dist/*"],
        [],
        ["anaconda", "upload", "x"],
        ["echo", "skip"],
        ["echo", "done"],
        ["case", "$x", "in"],
        ["echo", "a"],
        ["echo", "after"],
    ]
    assert assigns(cmds[2]) == {"ANACONDA_ORG": "nightly"}


def test_functions_and_arithmetic() -> None:
    text = (
        'upload() {\n  twine upload "$@"\n}\n'
        "function publish {\n  uv publish\n}\n"
        "function other() { :; }\n"
        "for ((i = 0; i < 3; i++)); do echo $i; done\n"
        "((count++))\n"
        "arr=(a b 'c d')\n"
        "upload dist/*\n"
    )
    cmds = parse_script(text)
    check_invariants(text, cmds)
    assert argvs(cmds) == [
        ["twine", "upload", "$@"],
        ["uv", "publish"],
        [":"],
        ["for", "((i = 0; i < 3; i++))"],
        ["echo", "$i"],
        ["((count++))"],
        [],
        ["upload", "dist/*"],
    ]
    assert assigns(cmds[6]) == {"arr": "(a b 'c d')"}


def test_tox_and_make_tokens() -> None:
    text = (
        "{envpython} -m twine upload {posargs:dist/*}\n"
        "@$(PYTHON) -m twine upload --repository-url "
        '"${TWINE_REPOSITORY_URL:-https://upload.pypi.org/legacy/}" "${FILES[@]}"\n'
    )
    cmds = parse_script(text)
    check_invariants(text, cmds)
    assert argvs(cmds) == [
        ["{envpython}", "-m", "twine", "upload", "{posargs:dist/*}"],
        [
            *("@$(PYTHON)", "-m", "twine", "upload", "--repository-url"),
            "${TWINE_REPOSITORY_URL:-https://upload.pypi.org/legacy/}",
            "${FILES[@]}",
        ],
    ]
    url = cmds[1].words[5]
    assert expand(url.text, {"TWINE_REPOSITORY_URL": ""}.get) == ("https://upload.pypi.org/legacy/")
    assert variable_refs(url.text) == ["TWINE_REPOSITORY_URL"]


def test_crlf_text() -> None:
    text = "echo a\r\ntwine upload \\\r\n  dist/*\r\n"
    cmds = parse_script(text)
    check_invariants(text, cmds)
    assert argvs(cmds) == [["echo", "a"], ["twine", "upload", "dist/*"]]


def test_assignment_rules() -> None:
    text = "A=1 B+=2 cmd C=3\n1A=x cmd\n'Q'=x cmd\nA\\=x cmd\nX= cmd\nY=\"\" Z=${{ secrets.Z }}\n"
    cmds = parse_script(text)
    check_invariants(text, cmds)
    assert argvs(cmds) == [
        ["cmd", "C=3"],
        ["1A=x", "cmd"],
        ["Q=x", "cmd"],
        ["A=x", "cmd"],
        ["cmd"],
        [],
    ]
    assert assigns(cmds[0]) == {"A": "1", "B": "2"}
    assert cmds[0].assigns[1][1] == word(text, "2")
    x = cmds[4].assigns[0][1]
    assert x == Word("", text.index("X=") + 2, text.index("X=") + 2, False)
    assert assigns(cmds[5]) == {"Y": "", "Z": "${{ secrets.Z }}"}
    assert cmds[5].assigns[0][1].quoted


@pytest.mark.parametrize(
    "text",
    [
        "echo 'unterminated",
        'echo "unterminated $(x',
        "echo $(unterminated 'q",
        "echo ${unterminated",
        "echo `unterminated",
        "echo ${{ unterminated",
        "echo $'unterminated\\",
        "echo trailing\\",
        "cat <<",
        "cat <<EOF",
        "case x in a) echo",
        "[[ a && b",
        "((",
        "$",
        "\\",
        "a=(",
        "f ( )",
        ")))(((;;;&&&|||",
    ],
)
def test_unterminated_input_does_not_raise(text: str) -> None:
    check_invariants(text, parse_script(text))


def test_unterminated_quote_takes_the_rest() -> None:
    text = "twine upload 'dist/*\nmore\n"
    cmds = parse_script(text)
    assert argvs(cmds) == [["twine", "upload", "dist/*\nmore\n"]]
    assert cmds[0].words[2].end == len(text)


def test_expand() -> None:
    env = {"ORG": "scipy-wheels-nightly", "EMPTY": "", "T": "tok"}
    look = env.get
    assert expand("-u ${ORG}", look) == "-u scipy-wheels-nightly"
    assert expand("$ORG/simple", look) == "scipy-wheels-nightly/simple"
    assert expand("${MISSING:-dflt}", look) == "${MISSING:-dflt}"
    assert expand("${EMPTY:-dflt} ${EMPTY-dflt}", look) == "dflt "
    assert expand("${ORG:-dflt}", look) == "scipy-wheels-nightly"
    assert expand('${EMPTY:-"quoted ${T}"}', look) == "quoted tok"
    assert expand("${T:+set}${EMPTY:+x}${T+y}", look) == "sety"
    assert expand("${{ secrets.T }} $$T $(T) ${#T} ${T%k} $1 $", look) == (
        "${{ secrets.T }} $$T $(T) ${#T} ${T%k} $1 $"
    )
    assert expand("$UNKNOWN-$T", look) == "$UNKNOWN-tok"
    assert expand("${T", look) == "${T"
    # nested defaults are bounded
    deep = "${EMPTY:-" * 50 + "x" + "}" * 50
    assert isinstance(expand(deep, look), str)


def test_variable_refs() -> None:
    assert variable_refs("-u ${ANACONDA_ORG} $T ${T:-$OTHER} ${#LEN} ${!IND}") == [
        "ANACONDA_ORG",
        "T",
        "OTHER",
        "LEN",
        "IND",
    ]
    assert variable_refs("${{ secrets.X }} $$HOME $1 $@ plain") == []


_ALPHABET = st.sampled_from(
    [
        *" \t\n\r;&|()<>'\"\\$`#{}=!*[]-_",
        *("a", "b", "X", "1", "2", "\\\n", "${{", "}}", "$(", "${", "<<", "EOF", "[[", "]]"),
        *("case", "in", "esac", "if", "then", "fi", "for", "do", "done", "env", "export", "A="),
        *("sudo", "-u", "command", "function", "((", "))", "$'", ";;", "é"),
    ]
)


@settings(max_examples=400, deadline=None)
@given(st.lists(_ALPHABET, max_size=60).map("".join))
def test_random_shell_like_text_never_raises(text: str) -> None:
    cmds = parse_script(text)
    check_invariants(text, cmds)
    for cmd in cmds:
        for w in cmd.words:
            expand(w.text, {"a": "b", "X": ""}.get)
            variable_refs(w.text)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=200))
def test_arbitrary_text_never_raises(text: str) -> None:
    check_invariants(text, parse_script(text))
    expand(text, lambda name: name)
    variable_refs(text)


def test_speed_of_a_200_line_script() -> None:
    lines = (SKLEARN * 20).splitlines()[:200]
    text = "\n".join(lines) + "\n"
    parse_script(text)
    best = float("inf")
    for _ in range(5):
        t0 = time.perf_counter()
        parse_script(text)
        best = min(best, time.perf_counter() - t0)
    # ~1-2 ms on a laptop; the bound is loose so loaded CI machines do not flake
    assert best < 0.05


def test_command_repr_and_equality() -> None:
    a = parse_script("A=1 twine upload\n")
    b = parse_script("A=1 twine upload\n")
    assert a == b
    assert repr(a[0]) == "Command(A='1' 'twine' 'upload' @0-16)"
    assert a[0] != "x"

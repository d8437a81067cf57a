"""The site in two languages: the Chinese labels, and anchors that match across languages.

The English site is built from `spec/`, the Chinese one from `spec/zh/` (mkdocs.zh.yml) into
`/zh/`.  The generators (frs_tools/pages.py, annexes.py, ics.py, generated.py) write
English; `localize` turns their headings, column heads and fixed sentences into Chinese
with the one label table below, so a generator is never copied per language.  What varies
with the data (clause and chapter titles, titles of regulations) is handed to the
generators in Chinese by frs_tools/site.py instead.

A heading's anchor is the English heading's at the same position (ZH-FORMAT: the same
heading structure in both languages), so the language switch keeps the reader's place.
"""

from __future__ import annotations

import re
from functools import cache

import markdown as python_markdown

EN, ZH = "en", "zh"
FOLDER = "zh"  # spec/zh/ and the site's /zh/
_HEADING = re.compile(r"^(#{1,6})[ \t]+(.*?)[ \t]*$")
_FENCE = re.compile(r"^\s*(`{3,}|~{3,})")
_HAS_ID = re.compile(r"\{[^}]*#[^}]*\}\s*$")

# Words of the page furniture (requirement blocks, navigation, the print page).
WORDS = {
    "Classes: ": "符合性类别：",
    "Comment": "意见",
    "Comment on {}": "对 {} 提出意见",
    " (opens the repository's comment form)": "（打开仓库的意见表单）",
    "verification status in the last test run": "最近一次测试运行中的验证状态",
    "stale": "译文待更新",
    "stale-note": "英文原文已修改，本译文尚未更新；以英文原文为准：",
    "English text": "英文原文",
    "untranslated": "本页尚无中文译文，以下为英文原文。",
    "Print (whole standard)": "打印（全文）",
    "Table of Contents": "目录",
    "Permanent link": "永久链接",
    "Home": "首页",
    "Annex C — Test methods": "附录 C 测试方法",
    "Conformance classes": "符合性类别",
    "Reference": "参考资料",
    "Schemas": "模式",
}
# The level badge: the English keyword and GB/T 1.1's verbal form.
LEVELS = {"shall": "应", "shall not": "不应", "should": "宜", "should not": "不宜", "may": "可"}
STATUSES = {"verified": "已验证", "failing": "失败", "untested": "未测试",
            "not-gated": "不设门槛", "not-run": "未运行"}

# Fixed sentences and headings of the generated pages, English -> Chinese.  `{}` stands for
# a value the generator fills in (a number, a class name), kept in the same order.
PHRASES = {
    # traceability matrix
    "# Traceability matrix": "# 追溯矩阵",
    "Every requirement, the schema and reference code that make it concrete, the tests that "
    "verify it, and its status in the last test run. Generated from the spec and the test "
    "results at build time. Open a row's tests to list them; the filters above the table show "
    "one chapter, class or status.":
        "每项要求、使其具体化的模式和参考代码、验证它的测试，以及它在最近一次测试运行中的状态。"
        "构建时由规范和测试结果生成。展开一行的测试可列出这些测试；表格上方的筛选器可只显示一个"
        "章、类别或状态。",
    'data-filter="Chapter Classes Status"': 'data-filter="章 符合性类别 状态"',
    # coverage
    "# Coverage by chapter": "# 各章覆盖情况",
    "How many requirements of each chapter the last test run verified. A SHALL, SHALL NOT, "
    "SHOULD or SHOULD NOT requirement is verified when a test that names it ran and passed "
    "and, for a requirement with reference code, executed that code. MAY requirements are "
    "listed, not gated.":
        "最近一次测试运行验证了各章的多少项要求。级别为应、不应、宜或不宜的要求，在指名它的测试"
        "运行并通过、"
        "且（对有参考代码的要求）执行了该代码时视为已验证。级别为可的要求只列出，不设门槛。",
    "| **All** |": "| **全部** |",
    # retired
    "# Retired requirements": "# 已废止的要求",
    "Requirement IDs are never reused. A retired requirement keeps its anchor here, with the "
    "version that retired it and what replaced it.":
        "要求标识符永不重用。已废止的要求在此保留其锚点，并注明废止它的版本及替代它的要求。",
    "No requirement has been retired yet.": "尚无要求被废止。",
    " (retired)</h4>": "（已废止）</h4>",
    "Retired in version {}.": "于版本 {} 废止。",
    " Replaced by ": " 替代要求：",
    # reference code
    "# Reference code": "# 参考代码",
    "The functions of the reference implementation (`reference_impl`) that make requirements "
    "concrete, with the requirements that cite them.":
        "使要求具体化的参考实现（`reference_impl`）函数，以及引用它们的要求。",
    "Source: {}, line {}.": "源代码：{}，第 {} 行。",
    "This link does not resolve: ": "此链接无法解析：",
    # ICS proforma
    "# ICS proforma": "# 实现符合性声明（ICS）表格",
    "The implementation conformance statement proforma: every requirement of FRS, its status in "
    "each conformance class (m mandatory, r recommended, o optional, n/a not applicable), and "
    "what answers it — the fields of a [conformance statement]({}) that `frs conform` reads, the "
    "documents the statement must cite for it (an entry of `evidence` whose `supports` names the "
    "requirement), or the evidence it is judged from. Generated from the spec at build time, so "
    "it never falls behind it.":
        "实现符合性声明表格：FRS 的每项要求、它在各符合性类别中的状态（m 必备，r 推荐，o 可选，"
        "n/a 不适用），"
        "以及回答它的内容——`frs conform` 读取的[符合性声明]({})字段、声明为此须引用的文件"
        "（`evidence` 中 `supports` 指名该要求的条目），或据以判定的证据。构建时由规范生成，因"
        "而不会落后于规范。",
    "`frs conform --template CLASS` prints a blank statement for one class with the requirements "
    "each field answers; `frs conform STATEMENT` judges a filled one.":
        "`frs conform --template CLASS` 打印某一类别的空白声明及各字段所回答的要求；"
        "`frs conform STATEMENT` 判定已填写的声明。",
    # classes
    "# Conformance classes at a glance": "# 符合性类别一览",
    "A system conforms to FRS in one class, chosen by what it does and where it compares faces "
    "(clause 2). Each class has its own error-rate limits and its own list of applicable "
    "requirements: a requirement that names no class applies to all of them. Follow a class to "
    "see every requirement it must meet.":
        "系统按其功能及比对人脸的场所，在一个类别中符合 FRS（第 2 章）。每个类别有其错误率限值"
        "和适用要求清单："
        "未指名类别的要求适用于所有类别。点击某一类别可查看其须满足的全部要求。",
    "## Requirements by chapter and class": "## 按章和类别统计的要求",
    "# Class {} — ": "# 类别 {}——",
    "# Class {}\n": "# 类别 {}\n",
    "Error-rate limits: {}, each judged on the one-sided upper 95 % confidence bound of the "
    "measured rate (clause 6.5).":
        "错误率限值：{}，均以测得比率的单侧 95 % 置信上限判定（6.5）。",
    "FPIR in every demographic group": "每个人口统计群组的 FPIR",
    "{} requirements apply to Class {}: those that name it in their classes, and those that "
    "name no class. The status is that of the last test run. See also [the classes at a "
    "glance]({}).":
        "{} 项要求适用于类别 {}：在其类别中指名它的要求，以及未指名类别的要求。状态为最近一次测"
        "试运行的结果。"
        "另见[符合性类别一览]({})。",
    # the classes' summaries (reference_impl/classes.py)
    "device-local 1:1 verification": "设备本地 1:1 验证",
    "remote or server 1:1 verification, identity proofing": "远程或服务器端 1:1 验证、身份核验",
    "high-assurance 1:1 verification": "高保障 1:1 验证",
    "consensual 1:N identification": "经同意的 1:N 辨识",
    "remote biometric identification in public spaces": "公共场所的远程生物特征辨识",
    # reference index
    "# Reference tables": "# 参考表格",
    "Tables generated at build time from the spec, the schemas and the last test run. They "
    "restate the standard's text and never add to it. The printed standard leaves the long "
    "ones out; each is on the site at the address below.":
        "构建时由规范、模式和最近一次测试运行生成的表格。它们复述标准的文本，从不增加内容。"
        "印刷版标准略去较长的表格；每个表格都可在下列地址的网站上查阅。",
    "each class's error-rate limits and how many requirements apply to it":
        "各类别的错误率限值及适用的要求数",
    "every requirement with its schema, reference code, tests and status":
        "每项要求及其模式、参考代码、测试和状态",
    "how many requirements of each chapter are verified": "各章已验证的要求数",
    "the implementation conformance statement to fill in, one row a requirement":
        "待填写的实现符合性声明，每项要求一行",
    "the functions of the reference implementation that clauses cite": "条款引用的参考实现函数",
    "every data object's JSON Schema, property by property": "每个数据对象的 JSON Schema，逐个"
    "属性列出",
    "IDs withdrawn, with what replaced them": "已撤销的标识符及其替代",
    "the normative changes of each version": "各版本的规范性变更",
    "[Traceability matrix]": "[追溯矩阵]", "[Coverage by chapter]": "[各章覆盖情况]",
    "[ICS proforma]": "[实现符合性声明（ICS）表格]", "[Reference code]": "[参考代码]",
    "[Retired requirements]": "[已废止的要求]", "[Changelog]": "[变更记录]",
    "[Conformance classes at a glance]": "[符合性类别一览]", "[Schemas]": "[模式]",
    # schemas
    "# Schemas\n": "# 模式\n",
    "Every data object of FRS has a JSON Schema (draft 2020-12), published at its `$id`. Each "
    "page below is generated from the schema itself. Annex A says which records follow which "
    "schema; `frs validate` checks them.":
        "FRS 的每个数据对象都有一个 JSON Schema（2020-12 草案），发布于其 `$id`。下列每页均由模"
        "式本身生成。"
        "附录 A 说明哪些记录遵循哪个模式；`frs validate` 对其进行检查。",
    "Cited by ": "引用者：",
    "- Download: ": "- 下载：",
    # changelog (CHANGELOG.md, written in English by `make release`)
    "# Changelog\n": "# 变更记录\n\n注：变更记录取自仓库的 `CHANGELOG.md`，为英文。\n",
    "No version has been released yet.": "尚未发布任何版本。",
    # The schema's own title and descriptions stay English (the schema file is the one truth).
    "- Schema `": "注：本页的标题和各项说明取自模式文件本身，为英文。\n\n- 模式 `",
    "`, version `": "`，版本 `",
    "<td>yes</td>": "<td>是</td>",
    "<td>no other properties</td>": "<td>不允许其他属性</td>",
    "## Properties": "## 属性",
    "Nested properties are written with dots; `[]` stands for each item of an array.":
        "嵌套属性以点号连接；`[]` 表示数组的每一项。",
    " No other properties are allowed.": "不允许其他属性。",
    "## Definitions": "## 定义",
    "The types that properties name by `$ref` (`#/$defs/NAME`).":
        "属性以 `$ref`（`#/$defs/NAME`）指名的类型。",
    "## Rules across properties": "## 跨属性规则",
    "## Examples": "## 示例",
    "Example {} (from the schema):": "示例 {}（取自模式）：",
    "## Schema\n": "## 模式本身\n",
    "/// details | The schema itself": "/// details | 模式本身",
    " — rejected by ": "——被拒绝，关键字 ",
    "<th>Property</th>": "<th>属性</th>", "<th>Definition</th>": "<th>定义</th>",
    "<th>Type</th>": "<th>类型</th>", "<th>Required</th>": "<th>必需</th>",
    "<th>Constraints</th>": "<th>约束</th>", "<th>Description</th>": "<th>说明</th>",
    # annexes
    "# Bibliography": "# 参考文献",
    "Every source FRS cites, from `{}`, with the requirements that cite it (their `sources:` "
    "option). Normative references are those whose content FRS requires; for a dated reference "
    "only the edition cited applies. Secondary reporting (trade press, web pages) is "
    "informative only. Generated at build time.":
        "FRS 引用的每个来源（取自 `{}`）以及引用它的要求（其 `sources:` 选项）。规范性引用文件"
        "是 FRS 要求其内容的文件；"
        "注日期的引用文件，仅所注日期的版本适用。二手报道（行业媒体、网页）仅供参考。构建时生成。",
    "## Normative references": "## 规范性引用文件",
    "## Informative bibliography": "## 资料性参考文献",
    " (read via: ": "（经由：",
    "# Annex D (informative) — China profile": "# 附录 D（资料性）中国规范对照",
    "Which FRS requirements implement each provision of the Chinese sources: CAC/MPS Order "
    "No. 19, the CAC filing notice, PIPL, GB/T 41819-2022, GB/T 35273-2020 and GB/T "
    "38671-2020. Generated from the requirements' `sources:` option at build time, never "
    "typed: a provision no requirement implements shows as an empty row, and `frs check` "
    "reports it unless the bibliography says why it is out of scope. A system deployed in China "
    "that conforms to its FRS class meets each mapped provision as far as the requirement "
    "states it; the provisions' own text governs.":
        "哪些 FRS 要求实施中国来源文件的各项条款：《人脸识别技术应用安全管理办法》（国家网信办"
        "、公安部令第19号）、"
        "国家网信办备案通知、《中华人民共和国个人信息保护法》、GB/T 41819-2022、GB/T 35273-2020"
        " 和 GB/T 38671-2020。"
        "构建时由要求的 `sources:` 选项生成，从不手工录入：没有要求实施的条款显示为空行，除非参"
        "考文献说明其超出范围，"
        "否则 `frs check` 会报告。在中国部署、符合其 FRS 类别的系统，在要求所述范围内满足每项对"
        "应条款；以条款原文为准。",
    "Read via ": "经由：",
    "out of scope: ": "超出范围：",
    "**no requirement**": "**无对应要求**",
    "# Index of requirements": "# 要求索引",
    "Every requirement of FRS in identifier order, with its level, the classes it applies to "
    "and the clause that states it. Generated at build time.":
        "按标识符排序的 FRS 全部要求，及其级别、适用类别和陈述它的章条。构建时生成。",
    "# Annex C.2 — Test method of each requirement": "# 附录 C.2 各项要求的测试方法",
    "How each requirement is verified: by a measurement the reference implementation computes "
    "from test data, by a rule applied to a conformance statement and the evidence it cites, or "
    "by a schema. The criterion is the requirement itself; the report field is where the verdict "
    "appears. The general test conditions are in [Annex C]({}). Generated at build time from the "
    "requirements, the rules of `frs conform` and the schemas.":
        "各项要求的验证方法：参考实现依据测试数据计算的测量、对符合性声明及其引用证据适用的规则"
        "，或模式。"
        "判据即要求本身；报告字段为判定结果出现之处。一般测试条件见[附录 C]({})。构建时由要求、"
        "`frs conform` 的规则和模式生成。",
    "rule on the conformance statement (`frs conform`)": "对符合性声明的规则（`frs conform`）",
    "measured by ": "测量：",
    "test data": "测试数据",
    "the test report": "测试报告",
    "| schema |": "| 模式 |",
}
# Column heads of generated tables.
COLUMNS = {
    "Requirement": "要求", "Level": "级别", "Chapter": "章", "Classes": "符合性类别",
    "Schema": "模式", "Code": "代码", "Tests": "测试", "Status": "状态",
    "Requirements": "要求数", "Class": "类别", "What the system does": "系统的功能",
    "FPIR per group": "每群组 FPIR", "Requirements (shall · should · may)": "要求（应 · 宜 · 可）",
    "Title": "标题", "Answered by": "回答依据", "Support (yes / no / n/a)": "支持（是 / 否 / 不"
    "适用）",
    "Table": "表格", "What it holds": "内容", "Address": "地址",
    "Object": "对象", "Version": "版本", "Cited by": "引用数", "Download": "下载",
    "Key": "键", "Document": "文件", "Issuer": "发布者", "Date": "日期", "Kind": "类型",
    "Provision": "条款", "In FRS's words": "FRS 的表述", "Implemented by": "实施的要求",
    "Clause": "章条", "Method": "方法", "Inputs": "输入", "Evidence": "证据",
    "Verdict reported in": "判定结果所在",
    "Rate": "比率", "Limit": "限值", "Trials counted": "计数的试验", "Minimum test size": "最小"
    "测试规模",
    "Rule of 30 (30 / x)": "30 规则（30 / x）", "Group FMR bound": "群组 FMR 上限",
    "Non-mated comparisons": "冒名（异源）比对数", "Group FNMR bound": "群组 FNMR 上限",
    "Mated comparisons": "真实（同源）比对数", "Subjects per group": "每群组受试者数",
    "Class FMR limit": "类别 FMR 限值", "Presentations per species": "每种呈现攻击物的呈现次数",
    **STATUSES,
}
# Column heads with a number in them (Annex F).
COLUMN_PATTERNS = {
    "{} error": "{} 个错误", "{} errors": "{} 个错误", "Subjects for {} groups": "{} 个群组的受"
    "试者数",
    "{} enrolment, {} probe": "{} 个注册样本、{} 个探针样本",
    "{} enrolment, {} probes": "{} 个注册样本、{} 个探针样本",
}
# Whole cells of table bodies.
CELLS = {**LEVELS, **STATUSES, "all": "全部", "yes": "是",
         # the ICS proforma's answer, Annex F's trials, the bibliography's kinds and dates
         "evidence": "证据",
         "non-mated comparisons": "冒名（异源）比对", "mated comparisons": "真实（同源）比对",
         "non-mated searches per demographic group": "每个人口统计群组的冒名（异源）检索",
         "mated searches": "真实（同源）检索",
         "standard": "标准", "regulation": "法规", "law": "法律", "guideline": "指南",
         "case-law": "判例", "publication": "出版物", "trade-press": "行业媒体", "web": "网页",
         "undated": "未注日期"}


def word(text: str, language: str) -> str:
    """One label in the language (English is the key)."""
    return WORDS.get(text, text) if language == ZH else text


def level(name: str, language: str) -> str:
    """The level badge: `SHALL`, or `应 SHALL` in Chinese (the verbal form the text uses)."""
    return f"{LEVELS[name]} {name.upper()}" if language == ZH else name.upper()


def status(name: str, language: str) -> str:
    return STATUSES.get(name, name) if language == ZH else name


@cache
def _pattern(english: str) -> re.Pattern:
    # Greedy within the line: a value may hold the pattern's next character (`0.3.`).
    return re.compile(re.escape(english).replace(r"\{\}", "([^\n]+)"))


def _templated(english: str, chinese: str, text: str, whole: bool = False) -> str:
    pattern = _pattern(english)
    if whole:
        pattern = re.compile(f"^{pattern.pattern}$")

    def fill(match: re.Match) -> str:
        values = iter(match.groups())
        return re.sub(r"\{\}", lambda _: next(values), chinese)
    return pattern.sub(fill, text)


def _cell(text: str, header: bool) -> str:
    value = text.strip()
    table = COLUMNS if header else CELLS
    if value in table:
        return text.replace(value, table[value])
    if header:
        for english, chinese in COLUMN_PATTERNS.items():
            done = _templated(english, chinese, value, whole=True)
            if done != value:
                return text.replace(value, done)
    return text


def _table_row(line: str, header: bool) -> str:
    cells = re.split(r"(?<!\\)\|", line)
    return "|".join([cells[0], *(_cell(c, header) for c in cells[1:-1]), cells[-1]])


def localize(markdown: str, language: str) -> str:
    """A generated page in the language: its fixed sentences, column heads and the level and
    status cells of its tables.  Clause titles and chapter titles come in already translated."""
    if language != ZH:
        return markdown
    for english, chinese in sorted(PHRASES.items(), key=lambda p: -len(p[0])):
        markdown = (_templated(english, chinese, markdown) if "{}" in english
                    else markdown.replace(english, chinese))
    return localize_tables(markdown, language)


def localize_tables(markdown: str, language: str) -> str:
    """The column heads, and the level and status cells, of a page's tables."""
    if language != ZH:
        return markdown
    lines = markdown.split("\n")
    for i, line in enumerate(lines):
        if line.startswith("|") and not line.startswith("|--") and not line.startswith("|:"):
            header = i + 1 < len(lines) and lines[i + 1].startswith("|") and set(
                lines[i + 1].replace("|", "").strip()) <= set("-: ")
            lines[i] = _table_row(line, header)
    return "\n".join(lines)


def heading_ids(markdown_text: str) -> list[str]:
    """The anchors MkDocs gives a page's headings, in order (toc's own slugs)."""
    md = python_markdown.Markdown(extensions=["toc", "attr_list", "md_in_html",
                                              "pymdownx.superfences"])
    md.convert(markdown_text)
    found: list[str] = []

    def walk(tokens):
        for token in tokens:
            found.append(token["id"])
            walk(token["children"])
    walk(md.toc_tokens)
    return found


def with_heading_ids(translated: str, ids: list[str]) -> str:
    """The translated page with its n-th heading given the n-th English anchor."""
    lines, fence, n = translated.split("\n"), "", 0
    for i, line in enumerate(lines):
        opened = _FENCE.match(line)
        if opened and (not fence or opened.group(1).startswith(fence)):
            fence = "" if fence else opened.group(1)[:3]
            continue
        heading = not fence and _HEADING.match(line)
        if heading and n < len(ids):
            if not _HAS_ID.search(line):
                lines[i] = f"{line.rstrip()} {{#{ids[n]}}}"
            n += 1
    return "\n".join(lines)


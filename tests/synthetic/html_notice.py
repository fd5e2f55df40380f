"""Synthetic web copies of the real notice data/notices/notice-2022-33.txt, as a user saves them
from a government site: site lines (当前位置：首页 > 政务 > 通知公告, 发布时间, 浏览人数, 分享到) before and
after the text, the title above the 文号, the body as paragraphs, the annexes as <table>s with the
province cell spanning its rows (rowspan), scripts, styles, navigation and hidden elements to drop.

The output is synthetic: markup this project writes around the real notice's text. ``charset`` picks
the encoding and the meta tag (utf-8, gbk, big5 …), ``convert`` an OpenCC config (``s2tw``) for a
traditional-Chinese copy, ``ascii_punctuation`` some ASCII punctuation where the notice has full-width.
"""

from __future__ import annotations

from html import escape

from .notice_parts import NoticeParts, notice_parts

SITE_BEFORE = ("当前位置：首页 > 政务 > 通知公告", "发布时间：2022-08-04", "浏览人数：1024", "分享到：")
SITE_AFTER = ("发布时间：2022-08-04", "浏览人数：1024", "分享到：", "【打印本页】【关闭窗口】")
HIDDEN = ("2099", "不应出现", "隐藏的统计代码", "网站导航")


def paragraphs(parts: NoticeParts) -> list[str]:
    """The body as a web copy has it: the PDF's wrapped lines joined into paragraphs, without the
    letterhead that a page break put inside the body, without the spaces PDF extraction added."""
    out: list[str] = []
    pending = ""
    closing = False
    for line in parts.body:
        line = line.replace(" ", "")
        if line.endswith("文件") and len(line) < 14:
            continue  # 国家知识产权局文件: a letterhead, not text
        if closing or line == parts.docno.replace(" ", ""):
            out.append(line)
            continue
        pending += line
        if pending.endswith(("。", "：", "通知")):
            out.append(pending)
            closing = pending.startswith("特此")
            pending = ""
    if pending:
        out.append(pending)
    return out


def _ascii(text: str) -> str:
    return (text.replace("附件：", "附件:").replace("（此件公开发布）", "(此件公开发布)")
            .replace("（名单见附件", "(名单见附件").replace("抄送：", "抄送:"))


def make_html(parts: NoticeParts | None = None, *, charset: str = "utf-8", convert: str | None = None,
              ascii_punctuation: bool = False, http_equiv: bool = False, layout_table: bool = False) -> bytes:
    """The page's bytes in ``charset``; ``layout_table`` puts the article in the cell of a page-layout
    table beside a column of site links, as older government sites do."""
    parts = parts or notice_parts()
    paras = paragraphs(parts)
    if ascii_punctuation:
        paras = [_ascii(p) for p in paras]
    closing = [_ascii(c) if ascii_punctuation else c for c in parts.closing]
    meta = (f'<meta http-equiv="Content-Type" content="text/html; charset={charset}">' if http_equiv
            else f'<meta charset="{charset}">')
    e = escape
    title = parts.title
    first, second = title[: len(title) // 2], title[len(title) // 2:]
    out = [
        "<!DOCTYPE html>", '<html lang="zh-CN">', "<head>", meta, f"<title>{e(title)}_{e('网站')}</title>",
        '<link rel="stylesheet" href="http://www.example.invalid/style.css">',
        "<style>body { font-family: SimSun; } .x::before { content: '不应出现'; }</style>",
        '<script>var docno = "国知发运字〔2099〕1号"; document.write("<p>不应出现</p>");</script>',
        "</head>", "<body>",
        '<nav class="top"><ul><li><a href="/">网站导航</a></li><li>首页</li><li>政务</li></ul></nav>',
        '<div class="crumb">当前位置：<a href="/">首页</a> &gt; <a href="/zw">政务</a> &gt; <a href="/tz">通知公告</a></div>',
        *(['<table width="100%"><tr>', '<td width="200"><p>左侧栏目</p><p>政策解读</p><p>图片新闻</p><p>专题专栏</p></td>', "<td>"]
          if layout_table else []),
        '<div class="article">',
        # the title split over two source lines and two spans: no space may appear between them
        f"<h1>\n  <span>{e(first)}</span>\n  <span>{e(second)}</span>\n</h1>",
        '<div class="info">发布时间：2022-08-04</div>',
        '<div class="info">浏览人数：<em id="count">1024</em></div>',
        '<div class="share">分享到：<a href="#"><img src="http://www.example.invalid/wx.png"></a></div>',
        '<div id="zoom" class="content">',
    ]
    for p in paras:
        out.append(f'<p style="text-indent: 2em">{e(p)}</p>')
    for table in parts.annexes:
        out += [f"<p><strong>附件{table.number}</strong></p>", f'<p align="center"><b>{e(table.title)}</b></p>',
                '<table border="1" cellspacing="0" cellpadding="0">', "<tbody>",
                "<tr>\n  <td><p>序号</p></td>\n  <td><p>省份</p></td>\n  <td><p>城市（城区）</p></td>\n</tr>"]
        for first_row, count in table.groups():
            for k in range(count):
                serial, province, name = table.rows[first_row + k]
                cells = [f"<td>\n    <p><span>{serial}</span></p>\n  </td>"]
                if k == 0:
                    span = f' rowspan="{count}"' if count > 1 else ""
                    cells.append(f"<td{span} valign=\"middle\"><p>{e(province)}</p></td>")
                cells.append(f"<td><p><span>{e(name)}</span></p></td>")
                out.append("<tr>\n  " + "\n  ".join(cells) + "\n</tr>")
        out += ["</tbody>", "</table>"]
    out += [f"<p>{e(c)}</p>" for c in closing]
    out += ["</div>", '<div class="info">发布时间：2022-08-04</div>', '<div class="info">浏览人数：1024</div>',
            '<div class="share">分享到：</div>', "<div>【打印本页】<a href=\"javascript:window.close()\">【关闭窗口】</a></div>",
            "</div>", *(["</td></tr></table>"] if layout_table else []), '<div style="display: none">隐藏的统计代码</div>',
            "<footer><p>版权所有：示例网站</p></footer>",
            '<script src="http://www.example.invalid/stat.js"></script>', "</body>", "</html>"]
    page = "\n".join(out)
    if convert:
        import opencc

        page = opencc.OpenCC(convert).convert(page)
    # a page labelled GB2312 is GBK in practice (browsers read the label as GBK); so is this one
    return page.encode({"gb2312": "gbk"}.get(charset.lower(), charset))

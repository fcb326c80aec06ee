import re

import pypdfium2 as pdfium

# A word as word processors count it: "3", "appel", "ex-partner" and "l'été" are one word each.
_WORD = re.compile(r"\w[\w'’-]*")


def word_count(text: str) -> int:
    return len(_WORD.findall(text))


def page_text(document: pdfium.PdfDocument, index: int) -> str:
    """The page's text in reading order as PDFium sees it, with plain newlines."""
    page = document[index]
    try:
        textpage = page.get_textpage()
        try:
            return text_clean(textpage_text(textpage))
        finally:
            textpage.close()
    finally:
        page.close()


def textpage_text(textpage: pdfium.PdfTextPage) -> str:
    """All characters of a text page, as PDFium numbers them (lines end with CRLF)."""
    text: str = textpage.get_text_range()
    return text


# Control characters other than newline and tab: dropped.
_CONTROL = dict.fromkeys(code for code in range(32) if chr(code) not in "\n\t")


def text_clean(text: str) -> str:
    # PDFium ends lines with CRLF and marks some soft hyphens and gaps with control characters.
    # A hyphen that ends a line ("voor-" above "en nadelen") comes as U+FFFE in place of the
    # hyphen and the line break: a noncharacter, which no HTML page may contain (the reader
    # shows this text), so the hyphen and the break are put back.
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\ufffe", "-\n")
    return text.translate(_CONTROL).strip()

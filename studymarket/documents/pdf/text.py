import pypdfium2 as pdfium


def page_text(document: pdfium.PdfDocument, index: int) -> str:
    """The page's text in reading order as PDFium sees it, with plain newlines."""
    page = document[index]
    try:
        textpage = page.get_textpage()
        try:
            text: str = textpage.get_text_range()
        finally:
            textpage.close()
    finally:
        page.close()
    # PDFium ends lines with CRLF and marks some soft hyphens and gaps with control characters.
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return "".join(ch for ch in text if ch == "\n" or ch == "\t" or ch >= " ").strip()

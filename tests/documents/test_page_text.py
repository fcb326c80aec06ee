"""The page text PDFium gives, made fit for an HTML page (the reader shows it beside the image)."""

from studymarket.documents.pdf.text import text_clean


def test_a_hyphen_at_the_end_of_a_line_comes_back_as_a_hyphen_and_a_line_break():
    # What PDFium gives for "voor-" at the end of one line and "en nadelen" on the next.
    pdfium_text = "Maak een overzicht van de voor\ufffeen nadelen van DMU.\r\nHet model"

    assert text_clean(pdfium_text) == "Maak een overzicht van de voor-\nen nadelen van DMU.\nHet model"


def test_control_characters_other_than_newline_and_tab_are_dropped():
    assert text_clean("a\x02b\tc\x00d\r\ne") == "ab\tcd\ne"

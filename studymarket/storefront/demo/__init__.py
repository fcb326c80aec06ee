"""Demo content for `manage.py demo_data`: the reference listing (reference-listing.json)
and 55 more listings with generated PDFs, demo accounts, sales and reviews.

courses.py, people.py and listings.py hold the hand-written data; plan.py derives the
rest (descriptions, tables of contents, dates, sales); writing.py and pdf.py make the
PDFs; load.py puts it all in the database through the services.
"""

"""Partnership exclusion notices: issuing, appeals, variation, lifting, "seen at my venue"
breaches, tonight's exclusions (``tonight.py``) and the letters as PDFs."""

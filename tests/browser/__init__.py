"""Browser tests: every feature's pages driven through Chromium, across the features."""

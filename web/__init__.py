"""The council's public web pages (R-X1), served by `kkrbot run` in the same process."""

"""Publishing analyses: small-cell protection, Altair charts, the offline HTML report and the
data-model page.

Takes analyses' frames; gives what leaves the researcher's machine.
"""

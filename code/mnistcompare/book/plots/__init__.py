"""The book's figures, each idea in its module:

charts     what each interactive chart draws (Altair: curves, times, the PCA scatter,
           the confusion matrices)
images     what matplotlib draws as an image (the decision regions, the digit gallery)
delivery   how a figure reaches the reader: interactive on the site, a static image in
           the PDF, drawn in each colour scheme the render needs, with its alt text
palettes   the colours of the light and the dark scheme
"""

# The afregning CLI's human output.

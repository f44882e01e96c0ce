# The cockpit's pages.

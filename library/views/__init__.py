"""HTML views of the library: the library page, the profile settings and the quick sort."""

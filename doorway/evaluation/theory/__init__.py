"""The program's theory of change: its steps and links, each link's evidence, and the
contribution story assembled from them."""

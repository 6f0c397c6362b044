"""Memories: the photos taken on this day in earlier years (the library page), and a year in review album made on
demand. Read through the viewer's scope like every other listing; the album is made by the albums service."""

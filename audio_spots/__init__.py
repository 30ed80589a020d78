"""Audio spots: upload, validation by content, renditions, storage by hash, range serving, feed."""

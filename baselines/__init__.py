"""Methods that are not TKRE: random (the floor), proto / proto-desc / proto-ft, icl."""

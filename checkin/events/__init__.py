"""Events: the meeting, its agenda, its mode (in person / online / hybrid) and
livestream, copying a series."""
